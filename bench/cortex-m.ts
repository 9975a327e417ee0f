/**
 * MySeal's library for a Cortex-M, with Debian's arm-none-eabi-gcc: every C++ file under
 * arduino/MySeal/src, and a lock node's sketch (arduino/test/real-stack/cortex_m_node.cpp) that
 * includes the real MySensors headers of an ARM architecture of MySensors' (its MyHwHAL.h and
 * MyHw<ARCH>.h) and MySeal.h. The boards' Arduino cores are not installed: the few of their
 * headers that MySensors includes are stood in for by arduino/test/real-stack/cortex-m-shim/
 * (declarations only, documented there).
 *
 * Flags as those cores' platform.txt compile C++ (-Os, sections, no exceptions or RTTI, gnu++11),
 * with -Wall -Wextra. Size: each object's (arm-none-eabi-size), and the node image linked with
 * --gc-sections from the sketch's entry points, MySensors' and the core's functions left
 * undefined: what MySeal and the sketch's calls into it take on that chip.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

import { LIBRARY_SRC, TEST_DIR, run, scratchDir } from './avr-toolchain.ts';
import { parseWarnings } from './arduino-ide.ts';
import type { IdeWarning } from './arduino-ide.ts';

export interface CortexMTarget {
  /** MySensors' architecture folder (hal/architecture/<arch>). */
  arch: 'STM32F1' | 'SAMD';
  cpu: string;
  board: string;
}

export const CORTEX_M_TARGETS: readonly CortexMTarget[] = [
  { arch: 'STM32F1', cpu: 'cortex-m3', board: 'STM32F103 (a "blue pill"), Cortex-M3' },
  { arch: 'SAMD', cpu: 'cortex-m0plus', board: 'SAMD21 (Arduino Zero, MKR, Sensebender GW), Cortex-M0+' },
];

const REAL_STACK_DIR = join(TEST_DIR, 'real-stack');
export const CORTEX_M_SHIM = join(REAL_STACK_DIR, 'cortex-m-shim');
export const CORTEX_M_SKETCH = join(REAL_STACK_DIR, 'cortex_m_node.cpp');

export const CORTEX_M_TOOLS = ['arm-none-eabi-g++', 'arm-none-eabi-size', 'arm-none-eabi-nm'];

export interface ObjectSize {
  file: string;
  text: number;
  data: number;
  bss: number;
}

export interface CortexMBuild {
  ok: boolean;
  /** The compilers' and linker's messages. */
  output: string;
  warnings: IdeWarning[];
  /** Every object: the library's files and the sketch's. */
  objects: ObjectSize[];
  /** The library's objects together (everything it compiles to, before the linker drops anything). */
  library: { flash_bytes: number; ram_bytes: number };
  /** The lock node's image: what it links of MySeal, from its entry points (--gc-sections). */
  image?: { flash_bytes: number; ram_bytes: number };
}

function compileFlags(target: CortexMTarget, mysensors: string, library: string): string[] {
  return [
    `-mcpu=${target.cpu}`,
    '-mthumb',
    `-DARDUINO_ARCH_${target.arch}`,
    '-DARDUINO=10819',
    '-std=gnu++11',
    '-Os',
    '-ffunction-sections',
    '-fdata-sections',
    '-fno-exceptions',
    '-fno-rtti',
    '-fno-threadsafe-statics',
    '-Wall',
    '-Wextra',
    ...['-I', CORTEX_M_SHIM, '-I', mysensors, '-I', join(mysensors, 'drivers', 'extEEPROM'), '-I', library],
  ];
}

function sizeOf(file: string): ObjectSize {
  const line = run('arm-none-eabi-size', ['-B', file]).stdout.trim().split('\n')[1] ?? '';
  const [text, data, bss] = line.trim().split(/\s+/).map(Number);
  if (text === undefined || data === undefined || bss === undefined || [text, data, bss].some(Number.isNaN)) {
    throw new Error(`arm-none-eabi-size ${file}: cannot read "${line}"`);
  }
  return { file: basename(file), text, data, bss };
}

/** The functions the sketch defines (before, setup, loop, receive...): the roots of what the image keeps. */
function sketchEntries(object: string): string[] {
  return run('arm-none-eabi-nm', ['-g', '--defined-only', object])
    .stdout.split('\n')
    .map((l) => /^[0-9a-f]+ [TW] (\S+)$/.exec(l.trim())?.[1])
    .filter((s): s is string => s !== undefined);
}

/**
 * Compiles the library (every .cpp under its src/, as the IDE would) and the lock node's sketch for
 * a target against a MySensors tree; links the node image when everything compiled.
 */
export function buildCortexM(target: CortexMTarget, mysensors: string, library: string = LIBRARY_SRC): CortexMBuild {
  const out = scratchDir(`cortex-m-${target.arch}`);
  const flags = compileFlags(target, mysensors, library);
  const sources = [
    ...readdirSync(library)
      .filter((f) => f.endsWith('.cpp'))
      .sort()
      .map((f) => join(library, f)),
    CORTEX_M_SKETCH,
  ];
  let output = '';
  const objects: string[] = [];
  let ok = true;
  for (const source of sources) {
    const object = join(out, `${basename(source)}.o`);
    const r = run('arm-none-eabi-g++', [...flags, '-c', source, '-o', object], { allowFailure: true });
    output += r.stderr + r.stdout;
    if (r.status === 0) objects.push(object);
    else ok = false;
  }
  const sizes = objects.map(sizeOf);
  const libraryObjects = sizes.filter((s) => s.file !== `${basename(CORTEX_M_SKETCH)}.o`);
  const sum = (key: 'text' | 'data' | 'bss'): number => libraryObjects.reduce((a, s) => a + s[key], 0);
  const result: CortexMBuild = {
    ok,
    output,
    warnings: [],
    objects: sizes,
    library: { flash_bytes: sum('text') + sum('data'), ram_bytes: sum('data') + sum('bss') },
  };
  const entries = ok ? sketchEntries(join(out, `${basename(CORTEX_M_SKETCH)}.o`)) : [];
  if (ok && entries.length > 0) {
    const elf = join(out, 'node.elf');
    const r = run(
      'arm-none-eabi-g++',
      [
        `-mcpu=${target.cpu}`,
        '-mthumb',
        '-Os',
        '-nostdlib',
        '-nostartfiles',
        '-Wl,--gc-sections',
        // MySensors, the core and libc are not linked: their calls stay unresolved (address 0).
        '-Wl,--unresolved-symbols=ignore-all',
        `-Wl,-e,${entries[0]}`,
        ...entries.map((e) => `-Wl,-u,${e}`),
        ...objects,
        '-o',
        elf,
      ],
      { allowFailure: true },
    );
    output += r.stderr + r.stdout;
    if (r.status === 0) {
      const image = sizeOf(elf);
      result.image = { flash_bytes: image.text + image.data, ram_bytes: image.data + image.bss };
    } else {
      result.ok = false;
    }
  }
  result.output = output;
  result.warnings = parseWarnings(output, [
    { owner: 'MySeal', roots: [library] },
    { owner: 'test', roots: [REAL_STACK_DIR] },
    { owner: 'MySensors', roots: [mysensors] },
  ]);
  return result;
}
