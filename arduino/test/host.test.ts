/**
 * MySeal Arduino library on the host: the known-answer vectors are checked against Node's own
 * crypto, then the C++ host test (AddressSanitizer + UBSan) runs them, the tamper sweep, 2000
 * random cases made by Node, and the MySensors stand-in; the library must also compile without
 * a warning under g++ (C++11, C++17) and clang++ 14.
 */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import {
  LIBRARY_SRC,
  TEST_DIR,
  WARNINGS,
  hostStubSources,
  librarySources,
  nodeHarnessSources,
  run,
  scratchDir,
  stubIncludes,
  HOST_SANITIZER_FLAGS,
} from '../../bench/avr-toolchain.ts';

const KAT_HEADER = join(TEST_DIR, 'vectors', 'myseal_kat.h');

interface CcmKat {
  packet: number;
  key: Buffer;
  nonce: Buffer;
  aad: Buffer;
  pt: Buffer;
  ct: Buffer;
  tag: Buffer;
}

function parseCcmKats(table: string): CcmKat[] {
  const header = readFileSync(KAT_HEADER, 'utf8');
  const start = header.indexOf(`${table}[] MYSEAL_KAT_PROGMEM = {`);
  assert.ok(start >= 0, `table ${table} not found`);
  const body = header.slice(start, header.indexOf('};', start));
  const re =
    /MYSEAL_CCM_KAT\((\d+), "([0-9A-F]*)", "([0-9A-F]*)",\s*"([0-9A-F]*)",\s*"([0-9A-F]*)",\s*"([0-9A-F]*)",\s*"([0-9A-F]*)"\)/g;
  return [...body.matchAll(re)].map((m) => ({
    packet: Number(m[1]),
    key: Buffer.from(m[2] ?? '', 'hex'),
    nonce: Buffer.from(m[3] ?? '', 'hex'),
    aad: Buffer.from(m[4] ?? '', 'hex'),
    pt: Buffer.from(m[5] ?? '', 'hex'),
    ct: Buffer.from(m[6] ?? '', 'hex'),
    tag: Buffer.from(m[7] ?? '', 'hex'),
  }));
}

/** AES-128-CCM, 8-byte tag, by Node (OpenSSL). */
function nodeSeal(key: Buffer, nonce: Buffer, aad: Buffer, pt: Buffer): { ct: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 });
  cipher.setAAD(aad, { plaintextLength: pt.length });
  const ct = Buffer.concat([cipher.update(pt), cipher.final()]);
  return { ct, tag: cipher.getAuthTag() };
}

/** The AES S-box from its definition (inverse in GF(2^8), then the affine map). */
function computeSbox(): number[] {
  const mul = (a: number, b: number): number => {
    let r = 0;
    for (; b !== 0; b >>= 1) {
      if (b & 1) r ^= a;
      a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
    }
    return r & 0xff;
  };
  const rotl = (x: number, n: number): number => ((x << n) | (x >> (8 - n))) & 0xff;
  const box: number[] = [];
  for (let x = 0; x < 256; x++) {
    let inv = 0;
    for (let y = 1; y < 256 && x !== 0; y++) {
      if (mul(x, y) === 1) {
        inv = y;
        break;
      }
    }
    box.push(inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63);
  }
  return box;
}

test('known-answer vectors agree with Node crypto (RFC 3610 M=8, frames, FIPS-197, S-box)', () => {
  const rfc = parseCcmKats('myseal_rfc3610_kats');
  assert.deepEqual(
    rfc.map((k) => k.packet),
    [1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18],
  );
  const frames = parseCcmKats('myseal_frame_kats');
  assert.deepEqual(
    frames.map((k) => k.pt.length),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  for (const k of [...rfc, ...frames]) {
    assert.equal(k.nonce.length, 13);
    const { ct, tag } = nodeSeal(k.key, k.nonce, k.aad, k.pt);
    assert.equal(ct.toString('hex'), k.ct.toString('hex'), `packet ${k.packet} ciphertext`);
    assert.equal(tag.toString('hex'), k.tag.toString('hex'), `packet ${k.packet} tag`);
  }

  const header = readFileSync(KAT_HEADER, 'utf8');
  const aes = [...header.matchAll(/MYSEAL_AES_KAT\("[^"]+", "([0-9A-F]{32})", "([0-9A-F]{32})",\s*"([0-9A-F]{32})"\)/g)];
  assert.equal(aes.length, 2);
  for (const m of aes) {
    const cipher = createCipheriv('aes-128-ecb', Buffer.from(m[1] ?? '', 'hex'), null);
    cipher.setAutoPadding(false);
    const ct = Buffer.concat([cipher.update(Buffer.from(m[2] ?? '', 'hex')), cipher.final()]);
    assert.equal(ct.toString('hex').toUpperCase(), m[3]);
  }

  // FIPS-197 A.1: run the key schedule here, from an S-box computed here.
  const sbox = computeSbox();
  const roundKeysBlock = header.slice(header.indexOf('myseal_fips197_a1_round_keys'));
  const roundKeys = [...roundKeysBlock.matchAll(/"([0-9A-F]{32})"/g)].map((m) => m[1] ?? '');
  assert.equal(roundKeys.length, 11);
  let w = [...Buffer.from(roundKeys[0] ?? '', 'hex')];
  let rcon = 1;
  for (let round = 1; round <= 10; round++) {
    const next = [...w];
    for (let i = 0; i < 4; i++) {
      next[i] = (w[i] ?? 0) ^ (sbox[w[12 + ((i + 1) % 4)] ?? 0] ?? 0) ^ (i === 0 ? rcon : 0);
    }
    for (let i = 4; i < 16; i++) next[i] = (w[i] ?? 0) ^ (next[i - 4] ?? 0);
    w = next;
    rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
    assert.equal(Buffer.from(w).toString('hex').toUpperCase(), roundKeys[round], `round key ${round}`);
  }

  // The library's S-box table is the S-box.
  const table = readFileSync(join(LIBRARY_SRC, 'myseal_aes128_sbox.cpp'), 'utf8');
  const bytes = [...table.slice(table.indexOf('{')).matchAll(/0x([0-9a-f]{2})/g)].map((m) =>
    parseInt(m[1] ?? '', 16),
  );
  assert.deepEqual(bytes, sbox);
});

/** 2000 random cases (0-12 byte payloads, a quarter with 1-16 bytes of associated data). */
function writeRandomCases(path: string, count: number): void {
  const hex = (b: Buffer): string => (b.length === 0 ? '-' : b.toString('hex'));
  const bytes = (n: number): Buffer => (n === 0 ? Buffer.alloc(0) : randomBytes(n));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = bytes(16);
    const nonce = bytes(13);
    const pt = bytes(randomInt(0, 13));
    const aad = bytes(i % 4 === 0 ? randomInt(1, 17) : 0);
    const { ct, tag } = nodeSeal(key, nonce, aad, pt);
    lines.push([key, nonce, aad, pt, ct, tag].map(hex).join(' '));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const HOST_SOURCES = (): string[] => [
  ...librarySources().filter((f) => f.endsWith('.cpp')),
  join(TEST_DIR, 'common', 'selftest.cpp'),
  join(TEST_DIR, 'host', 'host_test.cpp'),
  join(TEST_DIR, 'host', 'node_storage.cpp'),
  ...hostStubSources(),
];

test('host test with ASan+UBSan: vectors, tamper sweep, 2000 Node cases, MySensors stand-in', (t) => {
  if (!requireTool(t, 'g++')) return;
  const dir = scratchDir('host');
  const exe = join(dir, 'host_test');
  run('g++', [
    ...HOST_SANITIZER_FLAGS,
    ...WARNINGS,
    '-I',
    LIBRARY_SRC,
    ...stubIncludes(true),
    ...HOST_SOURCES(),
    '-o',
    exe,
  ]);
  const cases = join(dir, 'cases.txt');
  writeRandomCases(cases, 2000);
  const r = run(exe, [cases], { allowFailure: true, timeoutMs: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '', 'no sanitizer report');
  const expected = [
    'ok fips197-encrypt 2',
    'ok fips197-key-expansion 10',
    'ok rfc3610-m8 48',
    'ok frames-no-aad 78',
    'ok tamper-bit-flips 5688',
    'ok ct-equal 1106',
    'ok node-random 2000',
    'ok mysensors-stubs 27',
    'RESULT PASS 8959',
  ];
  assert.deepEqual(r.stdout.trim().split('\n'), expected);
});

test('host test catches a broken cipher (the checks can fail)', (t) => {
  if (!requireTool(t, 'g++')) return;
  // Same program, with one S-box entry changed: the known answers must fail.
  const dir = scratchDir('host-broken');
  const table = readFileSync(join(LIBRARY_SRC, 'myseal_aes128_sbox.cpp'), 'utf8');
  const broken = join(dir, 'myseal_aes128_sbox.cpp');
  // S-box[0x00] is looked up in round 1 of FIPS-197 C.1 (plaintext and key both start with 00).
  assert.ok(table.includes('\t0x63, 0x7c,'));
  writeFileSync(broken, table.replace('\t0x63, 0x7c,', '\t0x62, 0x7c,'));
  const exe = join(dir, 'host_test');
  const sources = HOST_SOURCES().filter((f) => !f.endsWith('myseal_aes128_sbox.cpp'));
  run('g++', ['-std=c++11', '-O1', '-I', LIBRARY_SRC, ...stubIncludes(true), ...sources, broken, '-o', exe]);
  const cases = join(dir, 'cases.txt');
  writeRandomCases(cases, 50);
  const r = run(exe, [cases], { allowFailure: true });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL fips197-encrypt/);
  assert.match(r.stdout, /FAIL rfc3610-m8/);
  assert.match(r.stdout, /RESULT FAIL/);
});

for (const [compiler, standard] of [
  ['g++', 'c++11'],
  ['g++', 'c++17'],
  ['clang++-14', 'c++11'],
  ['clang++-14', 'c++17'],
] as const) {
  test(`library and test code compile without warnings: ${compiler} -std=${standard}`, (t) => {
    if (!requireTool(t, compiler)) return;
    const dir = scratchDir('warn');
    const extra = ['-Wpedantic', '-Wconversion', '-Wsign-conversion', '-Wcast-qual'];
    // The library's own files need nothing but the C++ standard headers: no Arduino, no
    // MySensors, no avr-libc (only the include path of the library itself).
    for (const source of librarySources().filter((f) => f.endsWith('.cpp'))) {
      run(compiler, [`-std=${standard}`, '-O2', ...WARNINGS, ...extra, '-I', LIBRARY_SRC, '-c', source, '-o', join(dir, 'x.o')]);
    }
    // The sketch API (MySeal.h, compiled with each sketch) under the library's own strict flags.
    const sketch = join(dir, 'sketch_api.cpp');
    writeFileSync(
      sketch,
      [
        '#include <MySensors.h>',
        '#include <MySeal.h>',
        'static const uint8_t key[16] PROGMEM = { 0 };',
        'static MySeal seal;',
        'void receive(const MyMessage &m) { if (seal.handle(m)) return; }',
        'void setup(void) {',
        '  seal.lockChild(1).guard(3).maxAttempts(5).lockout(60, 86400).challengeWindow(5000).autoRelock(5000);',
        '  seal.begin(5, key, MYSEAL_PIN("1234"));',
        '  seal.poll(); seal.setLocked(!seal.isLocked()); seal.report(4, 16, 1);',
        '  (void)seal.attemptsLeft(); (void)seal.lockoutSeconds(); (void)seal.lastVerdict();',
        '}',
        '',
      ].join('\n'),
    );
    // MyMessage's anonymous struct is MySensors' own GNU extension, not MySeal's.
    const anon = compiler.startsWith('clang') ? ['-Wno-nested-anon-types'] : [];
    run(compiler, [`-std=${standard}`, '-O2', ...WARNINGS, ...extra, ...anon, '-I', LIBRARY_SRC, ...stubIncludes(true), '-c', sketch, '-o', join(dir, 'x.o')]);
    for (const source of [...HOST_SOURCES().filter((f) => !f.startsWith(LIBRARY_SRC)), ...nodeHarnessSources()]) {
      run(compiler, [`-std=${standard}`, '-O2', ...WARNINGS, '-I', LIBRARY_SRC, ...stubIncludes(true), '-c', source, '-o', join(dir, 'x.o')]);
    }
  });
}
