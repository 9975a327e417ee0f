/**
 * Builds a sketch the way the Arduino IDE does, with the IDE's own build program: Debian's
 * arduino-builder (1.3.25, the builder of IDE 1.8) and arduino-ctags. It takes the board's flags
 * from the core's platform.txt and boards.txt, turns the .ino into C++ (#include <Arduino.h>,
 * prototypes from ctags, #line directives), finds the libraries from the sketch's #includes,
 * compiles every source file of each library it uses (every .cpp, .c and .S under src/), builds
 * and caches the core, and links with -flto -fuse-linker-plugin -Wl,--gc-sections.
 *
 * The build sees exactly what a user's IDE sees: a hardware folder with the third-party
 * ArduinoCore-avr as arduino:avr, and a libraries folder with the MySensors tree under test,
 * Servo and MySeal (arduino/MySeal), all linked, never copied. Warnings are the IDE's "All" level
 * (compiler.warning_flags.all: -Wall -Wextra); the IDE's default passes -w, which would hide them.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

import { defaultHeaderName, renderArduinoHeader } from '../src/store/arduino-header.ts';
import { ARDUINO_DIR, avrSize, run, scratchDir } from './avr-toolchain.ts';

/** The MySeal library as a user installs it (the folder with library.properties and src/). */
export const MYSEAL_LIBRARY_DIR = join(ARDUINO_DIR, 'MySeal');

/** The Pro Mini's clock options in boards.txt (pro.menu.cpu.*), both on an ATmega328P. */
export const PRO_MINI_CLOCKS = ['8MHz', '16MHz'] as const;
export type ProMiniClock = (typeof PRO_MINI_CLOCKS)[number];

export function proMiniFqbn(clock: ProMiniClock): string {
  return `arduino:avr:pro:cpu=${clock}atmega328`;
}

/** What the IDE 1.8.19 defines ARDUINO as. */
const ARDUINO_API_VERSION = '10819';

/** Debian's arduino-builder finds arduino-ctags through the platform.txt it ships here. */
const BUILDER_PLATFORM_DIR = '/usr/share/arduino-builder';

export interface IdeTrees {
  /** ArduinoCore-avr (the folder with platform.txt). */
  core: string;
  /** A MySensors tree (the folder with MySensors.h). */
  mysensors: string;
  /** Servo (the folder with library.properties). */
  servo: string;
  /** The MySeal library; default the repository's. */
  myseal?: string;
}

/** The folders one series of builds shares: the hardware and libraries folders, the core cache. */
export interface IdeWorkspace {
  root: string;
  hardware: string;
  libraries: string;
  /** arduino-builder's -build-cache: the core is built once per board option and reused. */
  coreCache: string;
  /** Whose code is where: MySeal (the library, through its link too), MySensors, Servo, the core. */
  owners: WarningOwners[];
}

export function ideWorkspace(trees: IdeTrees, label = 'ide'): IdeWorkspace {
  const root = scratchDir(label);
  const hardware = join(root, 'hardware');
  const libraries = join(root, 'libraries');
  const tools = join(root, 'tools');
  mkdirSync(join(hardware, 'arduino'), { recursive: true });
  mkdirSync(libraries);
  mkdirSync(tools);
  mkdirSync(join(root, 'core-cache'));
  const myseal = trees.myseal ?? MYSEAL_LIBRARY_DIR;
  symlinkSync(trees.core, join(hardware, 'arduino', 'avr'));
  symlinkSync(trees.mysensors, join(libraries, 'MySensors'));
  symlinkSync(trees.servo, join(libraries, 'Servo'));
  symlinkSync(myseal, join(libraries, 'MySeal'));
  const both = (link: string, dir: string): string[] => [link, realpathSync(dir)];
  return {
    root,
    hardware,
    libraries,
    coreCache: join(root, 'core-cache'),
    owners: [
      { owner: 'MySeal', roots: both(join(libraries, 'MySeal'), myseal) },
      { owner: 'MySensors', roots: both(join(libraries, 'MySensors'), trees.mysensors) },
      { owner: 'Servo', roots: both(join(libraries, 'Servo'), trees.servo) },
      { owner: 'core', roots: both(join(hardware, 'arduino', 'avr'), trees.core) },
    ],
  };
}

/** Writes a sketch folder `<parent>/<name>/` with `<name>.ino` and the files beside it; returns the .ino. */
export function writeSketch(parent: string, name: string, ino: string, files: Record<string, string> = {}): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const path = join(dir, `${name}.ino`);
  writeFileSync(path, ino);
  return path;
}

/** Whose file a warning names; 'test' is the repository's test code (a sketch, a shim). */
export type WarningOwner = 'MySeal' | 'test' | 'MySensors' | 'Servo' | 'core' | 'other';

export interface IdeWarning {
  owner: WarningOwner;
  /** The file the warning names ('' when it names none, as a linker or driver warning). */
  file: string;
  /** The warning line as the compiler printed it. */
  text: string;
}

export interface IdeBuild {
  ok: boolean;
  /** arduino-builder's output (the commands it ran, the compilers' messages). */
  output: string;
  elf: string;
  buildDir: string;
  /** Each distinct warning once (a header's warning repeats in every unit that includes it). */
  warnings: IdeWarning[];
  /** The command lines that compiled a source file of the MySeal library. */
  mysealCompiles: string[];
  /** flash = text + data, static RAM = data + bss (what the IDE reports); 0 when the build failed. */
  flash: number;
  ram: number;
}

/** Who owns the files under some directories (a path and its real path, when a link leads there). */
export interface WarningOwners {
  owner: WarningOwner;
  roots: readonly string[];
}

/**
 * The warnings a compiler printed, each once, with whose file it names (the first owner whose
 * directory holds it; 'other' for none, or a warning that names no file, as the linker's).
 */
export function parseWarnings(output: string, owners: readonly WarningOwners[]): IdeWarning[] {
  const seen = new Set<string>();
  const warnings: IdeWarning[] = [];
  for (const line of output.split('\n')) {
    const m = /^(?:(.+?):\d+(?::\d+)?: )?warning: /.exec(line) ?? /^(\S+?): warning: /.exec(line);
    if (!m || seen.has(line)) continue;
    seen.add(line);
    const file = m[1] ?? '';
    warnings.push({ owner: ownerOf(file, owners), file, text: line });
  }
  return warnings;
}

function ownerOf(file: string, owners: readonly WarningOwners[]): WarningOwner {
  if (file === '') return 'other';
  let path = file;
  try {
    path = realpathSync(file);
  } catch {
    // A file that is gone (a temporary of the build): judge it by the path printed.
  }
  const under = (r: string): boolean => file === r || file.startsWith(r + sep) || path === r || path.startsWith(r + sep);
  return owners.find((o) => o.roots.some(under))?.owner ?? 'other';
}

/**
 * Builds a sketch for a Pro Mini as the IDE does, with warnings at "All". The sketch's own folder
 * (an example, a bench fixture) counts as MySeal's code when `sketchIsMySeal`.
 */
export function ideBuild(
  ws: IdeWorkspace,
  ino: string,
  clock: ProMiniClock,
  options: { sketchIsMySeal?: boolean } = {},
): IdeBuild {
  const name = ino.split(sep).pop() ?? 'sketch.ino';
  const buildDir = scratchDir(`ide-build-${name.replace(/\.ino$/, '')}-${clock}`);
  const gccPrefix = dirname(dirname(run('sh', ['-c', 'command -v avr-gcc']).stdout.trim()));
  const r = run(
    'arduino-builder',
    [
      '-compile',
      '-verbose',
      ...['-hardware', ws.hardware, '-hardware', BUILDER_PLATFORM_DIR],
      ...['-tools', join(ws.root, 'tools')],
      ...['-libraries', ws.libraries],
      ...['-fqbn', proMiniFqbn(clock)],
      ...['-build-path', buildDir, '-build-cache', ws.coreCache],
      ...['-warnings', 'all'],
      ...['-core-api-version', ARDUINO_API_VERSION],
      ...['-prefs', `runtime.tools.avr-gcc.path=${gccPrefix}`],
      ino,
    ],
    { allowFailure: true, timeoutMs: 300_000 },
  );
  const output = `${r.stdout}${r.stderr}`;
  const sketchRoots = options.sketchIsMySeal ? [dirname(ino), realpathSync(dirname(ino)), join(buildDir, 'sketch')] : [];
  const elf = join(buildDir, `${name}.elf`);
  const ok = r.status === 0;
  const size = ok ? avrSize(elf) : { text: 0, data: 0, bss: 0 };
  const libraryDir = join(ws.libraries, 'MySeal') + sep;
  return {
    ok,
    output,
    elf,
    buildDir,
    warnings: parseWarnings(output, [{ owner: 'MySeal', roots: sketchRoots }, ...ws.owners]),
    mysealCompiles: output.split('\n').filter((l) => / -c /.test(l) && !/ -E /.test(l) && l.includes(`"${libraryDir}`)),
    flash: size.text + size.data,
    ram: size.data + size.bss,
  };
}

/** arduino-builder's version line. */
export function builderVersion(): string {
  return (run('arduino-builder', ['-version']).stdout.split('\n')[0] ?? '').trim();
}

/** MySeal's examples (arduino/MySeal/examples/<name>/<name>.ino), and the node id each one's key header has. */
export interface MySealExample {
  name: string;
  ino: string;
  /** From the sketch's `#include "myseal_node_<id>.h"`. */
  node: number;
}

export function mysealExamples(): MySealExample[] {
  const examples = join(MYSEAL_LIBRARY_DIR, 'examples');
  return readdirSync(examples, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(examples, e.name, `${e.name}.ino`)))
    .map((e) => {
      const ino = join(examples, e.name, `${e.name}.ino`);
      const m = /^#include "myseal_node_(\d+)\.h"/m.exec(readFileSync(ino, 'utf8'));
      if (!m) throw new Error(`${ino} includes no myseal_node_<id>.h`);
      return { name: e.name, ino, node: Number(m[1]) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A fixed test key (never a real node's): only the build needs one. */
function testKey(node: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + node) & 0xff);
}

/**
 * An example's sketch folder as a user has it before building: every file of the example's folder,
 * and the key header `myseal keygen` writes, next to the .ino. Returns the .ino's path.
 */
export function writeExample(example: MySealExample, parent: string, edit: (ino: string) => string = (s) => s): string {
  const header = { [defaultHeaderName(example.node)]: renderArduinoHeader(example.node, testKey(example.node)) };
  const ino = writeSketch(parent, example.name, edit(readFileSync(example.ino, 'utf8')), header);
  const folder = dirname(example.ino);
  for (const f of readdirSync(folder)) {
    if (f !== `${example.name}.ino`) cpSync(join(folder, f), join(dirname(ino), f), { recursive: true });
  }
  return ino;
}
