/**
 * The library's examples build for the ATmega328P as the Arduino IDE builds a sketch (the .ino as
 * C++ with Arduino.h included first, -Os, LTO), against the MySensors and Servo stand-ins, with
 * the key header `myseal keygen` writes (src/store/arduino-header.ts), without a warning; and each
 * links only what it calls: the door contact no lock, PIN, receive path or command, the relay no
 * lock or PIN comparison.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import {
  ARDUINO_AVR_FLAGS,
  AVR_LINK_FLAGS,
  LIBRARY_SRC,
  TEST_DIR,
  WARNINGS,
  avrSize,
  librarySources,
  run,
  scratchDir,
} from '../../bench/avr-toolchain.ts';
import { EXAMPLES, writeExampleSketch } from './example-sketches.ts';
import type { ExampleName } from './example-sketches.ts';

const STUBS = join(TEST_DIR, 'stubs');

/** The example built for the ATmega328P as the IDE builds it (LTO) or without LTO; its ELF. */
function buildExample(name: ExampleName, lto: boolean): string {
  const dir = scratchDir(`example-${name}${lto ? '' : '-no-lto'}`);
  const sketch = writeExampleSketch(name, dir);
  const elf = join(dir, `${name}.elf`);
  const ltoFlags = lto ? ['-flto', '-fuse-linker-plugin'] : [];
  run('avr-g++', [
    ...ARDUINO_AVR_FLAGS,
    ...WARNINGS,
    ...ltoFlags,
    '-I',
    dir,
    '-I',
    STUBS,
    '-I',
    LIBRARY_SRC,
    sketch,
    ...librarySources(),
    join(STUBS, 'Arduino.cpp'),
    join(STUBS, 'MySensorsCore.cpp'),
    join(STUBS, 'core', 'MyMessage.cpp'),
    join(STUBS, 'sketch_main.cpp'),
    ...AVR_LINK_FLAGS,
    ...ltoFlags,
    '-o',
    elf,
  ]);
  return elf;
}

/** The names of an ELF's symbols (avr-nm), demangled. */
function symbols(elf: string): string[] {
  return run('avr-nm', ['-C', '--defined-only', elf])
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/).slice(2).join(' '))
    .filter((n) => n.length > 0);
}

for (const { name } of EXAMPLES) {
  test(`example ${name} builds for atmega328p without warnings`, (t) => {
    if (!requireTool(t, 'avr-g++', 'avr-size')) return;
    const elf = buildExample(name, true);
    const size = avrSize(elf);
    assert.ok(size.text + size.data < 32 * 1024 - 2048, 'fits a Pro Mini beside the bootloader');
    t.diagnostic(`${name}: ${size.text + size.data} bytes flash, ${size.data + size.bss} bytes RAM (with the stand-ins)`);
  });
}

/*
 * Pay for what you use. What a sketch does not call is not in its firmware: checked by name on the
 * build without LTO (where every function keeps its name; --gc-sections drops what nothing reaches)
 * and, for the state each job keeps, on the IDE's build with LTO (where variables keep their names).
 */
const LOCK_CODE = ['myseal_lock_enable', 'myseal_set_locked', 'myseal_lockout_duration', 'myseal_is_locked', 'myseal_ct_equal'];
const LOCK_STATE = ['lockout_end', 'turned_at', 'relock_ms'];
const RECEIVE_CODE = ['myseal_receive', 'myseal_open', 'myseal_run_command', 'myseal_challenge_issue', 'myseal_pin_well_formed'];
const RECEIVE_STATE = ['challenge', 'challenge_state', 'challenge_time', 'stale_answered', 'guarded'];

const has = (names: readonly string[], wanted: string): boolean =>
  names.some((n) => n === wanted || n.startsWith(`${wanted}(`) || n.startsWith(`${wanted}.`) || new RegExp(`^_ZL\\d+${wanted}(\\.|$)`).test(n));

const LINKS: { name: ExampleName; absent: string[]; present: string[]; what: string }[] = [
  { name: 'SecureDoorContact', absent: [...LOCK_CODE, ...RECEIVE_CODE], present: ['myseal_begin', 'myseal_report_byte'], what: 'no lock, PIN, receive path or command code' },
  { name: 'SecureRelay', absent: LOCK_CODE, present: ['myseal_receive', 'myseal_run_command'], what: 'no lock or PIN comparison' },
  { name: 'SecureLock', absent: [], present: [...LOCK_CODE, ...RECEIVE_CODE], what: 'the lock and the receive path' },
];

for (const { name, absent, present, what } of LINKS) {
  test(`example ${name} links only what it calls (${what})`, (t) => {
    if (!requireTool(t, 'avr-g++', 'avr-nm')) return;
    const code = symbols(buildExample(name, false));
    for (const f of absent) assert.ok(!has(code, f), `${name} links ${f}`);
    for (const f of present) assert.ok(has(code, f), `${name} lacks ${f}: the check would not see it`);
    const state = symbols(buildExample(name, true));
    const absentState = name === 'SecureDoorContact' ? [...LOCK_STATE, ...RECEIVE_STATE] : name === 'SecureRelay' ? LOCK_STATE : [];
    for (const v of absentState) assert.ok(!has(state, v), `${name} keeps ${v} in RAM`);
    // (A setting the sketch never makes, guarded children in a lock, is folded away as a constant.)
    const kept = [...LOCK_STATE, ...RECEIVE_STATE.filter((v) => v !== 'guarded')];
    if (name === 'SecureLock') for (const v of kept) assert.ok(has(state, v), `SecureLock lacks ${v}: the check would not see it`);
  });
}

test('an invalid first-boot PIN does not compile', (t) => {
  if (!requireTool(t, 'avr-g++')) return;
  const dir = scratchDir('example-bad-pin');
  const source = join(dir, 'bad_pin.cpp');
  writeFileSync(source, '#include "myseal_pin.h"\nuint32_t pin = MYSEAL_PIN("12a4");\n');
  const r = run('avr-g++', [...ARDUINO_AVR_FLAGS, '-I', LIBRARY_SRC, '-c', source, '-o', join(dir, 'x.o')], { allowFailure: true });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /myseal_pin_must_be_4_to_8_digits/);
});
