/**
 * MySeal Arduino library on the ATmega328P: it must build without a warning under avr-gcc with
 * the Arduino IDE's flags (with and without LTO, with the crypto in assembly and in its C twins),
 * and pass its self-test on the simulated chip (simavr, 16 MHz) both ways: known answers, tamper
 * sweep, constant-time checks. A firmware also checks frames made by Node that the test pipes in
 * over the UART.
 */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import {
  ARDUINO_AVR_FLAGS,
  LIBRARY_SRC,
  TEST_DIR,
  WARNINGS,
  buildFirmware,
  buildSimulator,
  librarySources,
  requireSimavrDev,
  run,
  scratchDir,
  simulate,
  stubIncludes,
} from '../../bench/avr-toolchain.ts';

const TOOLS = ['avr-gcc', 'avr-g++', 'avr-size', 'gcc', 'simavr'] as const;
const AVR_IO = join(TEST_DIR, 'avr', 'avr_io.cpp');

const SELFTEST_LINES = [
  'MySeal on-chip test',
  'ok fips197-encrypt 2',
  'ok fips197-key-expansion 10',
  'ok rfc3610-m8 48',
  'ok frames-no-aad 78',
  'ok tamper-bit-flips 5688',
  'ok ct-equal 1106',
  /^cycles constant-time-aes \d+$/,
  'ok constant-time-aes 16',
  /^cycles constant-time-seal \d+$/,
  'ok constant-time-seal 24',
  /^cycles constant-time-open \d+$/,
  'ok constant-time-open 24',
  /^cycles constant-time-compare \d+$/,
  'ok constant-time-compare 16',
  'RESULT PASS 7012',
];

function assertLines(output: string, expected: readonly (string | RegExp)[]): void {
  const lines = output.trim().split('\n');
  assert.equal(lines.length, expected.length, output);
  expected.forEach((e, i) => {
    if (typeof e === 'string') assert.equal(lines[i], e, output);
    else assert.match(lines[i] ?? '', e, output);
  });
}

function cyclesOf(output: string, name: string): number {
  const m = new RegExp(`^cycles ${name} (\\d+)$`, 'm').exec(output);
  assert.ok(m, `no cycles line for ${name}`);
  return Number(m[1]);
}

test('library builds without warnings under avr-gcc (Arduino flags; LTO; crypto in C)', (t) => {
  if (!requireTool(t, ...TOOLS)) return;
  const dir = scratchDir('avr-warn');
  const variants: string[][] = [[], ['-flto'], ['-DMYSEAL_CRYPTO_C'], ['-DMYSEAL_CRYPTO_C', '-flto']];
  for (const variant of variants) {
    for (const source of librarySources()) {
      const pedantic = source.endsWith('.cpp') ? ['-Wpedantic', '-Wcast-qual'] : [];
      run('avr-g++', [...ARDUINO_AVR_FLAGS, ...WARNINGS, ...pedantic, ...variant, '-I', LIBRARY_SRC, '-c', source, '-o', join(dir, 'x.o')]);
    }
  }
  // The MySensors and Arduino stand-ins build for the chip too (real avr/eeprom.h there).
  for (const stub of ['Arduino.cpp', 'MySensorsCore.cpp', join('core', 'MyMessage.cpp')]) {
    run('avr-g++', [...ARDUINO_AVR_FLAGS, ...WARNINGS, ...stubIncludes(false), '-c', join(TEST_DIR, 'stubs', stub), '-o', join(dir, 'x.o')]);
  }
});

test('on-chip self-test passes in simavr (AES and CCM in assembly, LTO as the Arduino IDE builds)', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  const elf = buildFirmware({
    name: 'onchip',
    sources: [join(TEST_DIR, 'common', 'selftest.cpp'), AVR_IO, join(TEST_DIR, 'avr', 'onchip_test.cpp')],
    lto: true,
  });
  const r = simulate(elf, { timeoutMs: 50_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assertLines(r.stdout, SELFTEST_LINES);
  // The assembly is the fast path: a block (through its C entry, which saves and wipes) under
  // 6000 cycles, a 12-byte open under 24000 (the C twins need 16 700 and 68 000).
  assert.ok(cyclesOf(r.stdout, 'constant-time-aes') < 6000, r.stdout);
  assert.ok(cyclesOf(r.stdout, 'constant-time-open') < 24000, r.stdout);
});

test('on-chip self-test passes in simavr (the C twins of AES and CCM, MYSEAL_CRYPTO_C)', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  const elf = buildFirmware({
    name: 'onchip-c',
    sources: [join(TEST_DIR, 'common', 'selftest.cpp'), AVR_IO, join(TEST_DIR, 'avr', 'onchip_test.cpp')],
    defines: ['MYSEAL_CRYPTO_C'],
  });
  // The C block function takes about three times the cycles of the assembly on this core.
  const r = simulate(elf, { maxCycles: 1_500_000_000, timeoutMs: 150_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assertLines(r.stdout, SELFTEST_LINES);
});

test('on-chip self-test fails on a broken S-box (the checks can fail)', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  const dir = scratchDir('onchip-broken');
  const table = readFileSync(join(LIBRARY_SRC, 'myseal_aes128_sbox.cpp'), 'utf8');
  assert.ok(table.includes('\t0x63, 0x7c,'));
  const broken = join(dir, 'myseal_aes128_sbox.cpp');
  writeFileSync(broken, table.replace('\t0x63, 0x7c,', '\t0x62, 0x7c,'));
  const elf = buildFirmware({
    name: 'onchip-broken',
    sources: [
      ...librarySources().filter((f) => !f.endsWith('myseal_aes128_sbox.cpp')),
      broken,
      join(TEST_DIR, 'common', 'selftest.cpp'),
      AVR_IO,
      join(TEST_DIR, 'avr', 'onchip_test.cpp'),
    ],
    withoutLibrary: true,
    outDir: dir,
  });
  const r = simulate(elf, { timeoutMs: 50_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL fips197-encrypt /m);
  assert.match(r.stdout, /^FAIL rfc3610-m8 /m);
  assert.match(r.stdout, /^RESULT FAIL /m);
});

test('firmware checks 200 Node-made cases piped over the UART (frames, long, with assoc. data)', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  const elf = buildFirmware({
    name: 'uart-cases',
    sources: [AVR_IO, join(TEST_DIR, 'avr', 'uart_cases.cpp')],
    lto: true,
  });
  const bytes = (n: number): Buffer => (n === 0 ? Buffer.alloc(0) : randomBytes(n));
  const hex = (b: Buffer): string => (b.length === 0 ? '-' : b.toString('hex'));
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    // 150 MySeal-sized frames, 30 long payloads (13-255 bytes), 20 with associated data.
    const len = i < 150 ? randomInt(0, 13) : i < 180 ? randomInt(13, 256) : randomInt(0, 41);
    const aad = bytes(i >= 180 ? randomInt(1, 65) : 0);
    const key = bytes(16);
    const nonce = bytes(13);
    const pt = bytes(len);
    const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 });
    cipher.setAAD(aad, { plaintextLength: len });
    const ct = Buffer.concat([cipher.update(pt), cipher.final()]);
    lines.push([key, nonce, aad, pt, ct, cipher.getAuthTag()].map(hex).join(' '));
  }
  const r = simulate(elf, { input: `${lines.join('\n')}\nEND\n`, timeoutMs: 50_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assertLines(r.stdout, ['READY', 'uart-cases 200 ok 200']);

  // And a case whose tag Node did not make must show up as bad.
  const forged = lines[0]?.replace(/ [0-9a-f]{16}$/, ' 0000000000000000') ?? '';
  const bad = simulate(elf, { input: `${forged}\nEND\n` });
  assert.equal(bad.status, 1);
  assertLines(bad.stdout, ['READY', 'bad 1', 'uart-cases 1 ok 0']);
});

test('MySensors stand-in works on the chip (EEPROM, Timer0 millis, MyMessage)', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  const stubs = join(TEST_DIR, 'stubs');
  const elf = buildFirmware({
    name: 'stub-sketch',
    sources: [
      AVR_IO,
      join(TEST_DIR, 'avr', 'stub_sketch.cpp'),
      join(stubs, 'Arduino.cpp'),
      join(stubs, 'MySensorsCore.cpp'),
      join(stubs, 'core', 'MyMessage.cpp'),
    ],
    includes: [stubs],
    withoutLibrary: true,
  });
  const r = simulate(elf);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assertLines(r.stdout, ['ok avr-stubs 7']);
});

test('simulator reports cycles and stack of marked sections, and its exit status', (t) => {
  if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return;
  buildSimulator();
  const elf = buildFirmware({
    name: 'bench',
    sources: [AVR_IO, join(TEST_DIR, 'avr', 'bench_main.cpp')],
    lto: true,
  });
  const r = simulate(elf);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^bench ok$/m);
  // An empty section costs only the LDI of the closing mark's value.
  assert.deepEqual(r.sections.get(127), { cycles: 1, stack: 0 }, 'an empty section measures nothing');
  const aes = r.sections.get(1);
  const open = r.sections.get(2);
  const forged = r.sections.get(4);
  const compare = r.sections.get(5);
  assert.ok(aes && open && forged && compare);
  assert.ok(aes.cycles > 1000 && aes.stack >= 20, JSON.stringify(aes));
  assert.equal(forged.cycles, open.cycles, 'a forged frame is rejected in exactly the time a good one opens');
  // CCM runs in the stack frame AES's entry makes too (the frame of the assembly): as deep, no less;
  // an 8-byte compare that calls nothing, far less.
  assert.ok(open.stack >= aes.stack && compare.stack < aes.stack, JSON.stringify([aes, open, compare]));
});
