/**
 * The library's examples build for the ATmega328P as the Arduino IDE builds a sketch (the .ino as
 * C++ with Arduino.h included first, -Os, LTO), against the MySensors and Servo stand-ins, with
 * the key header `myseal keygen` writes (src/store/arduino-header.ts), without a warning.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../src/test-helpers/require-tool.ts';
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

const STUBS = join(TEST_DIR, 'stubs');

for (const { name } of EXAMPLES) {
  test(`example ${name} builds for atmega328p without warnings`, (t) => {
    if (!requireTool(t, 'avr-g++', 'avr-size')) return;
    const dir = scratchDir(`example-${name}`);
    const sketch = writeExampleSketch(name, dir);
    const elf = join(dir, `${name}.elf`);
    run('avr-g++', [
      ...ARDUINO_AVR_FLAGS,
      ...WARNINGS,
      '-flto',
      '-fuse-linker-plugin',
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
      '-flto',
      '-fuse-linker-plugin',
      '-o',
      elf,
    ]);
    const size = avrSize(elf);
    assert.ok(size.text + size.data < 32 * 1024 - 2048, 'fits a Pro Mini beside the bootloader');
    t.diagnostic(`${name}: ${size.text + size.data} bytes flash, ${size.data + size.bss} bytes RAM (with the stand-ins)`);
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
