/**
 * The golden vectors: regenerate identically, recheck with a stock AES-CCM (node:crypto directly,
 * not MySeal's wrapper), and cover every refusal the protocol names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../src/core/errors.ts';
import { parseLine } from '../../src/core/mysensors/line.ts';
import { messageToFrame } from '../../src/core/protocol/carriage.ts';
import { buildSealV1Vectors } from './vectors.ts';
import type { SealVector } from './vectors.ts';

const file = JSON.parse(readFileSync(new URL('./seal-v1.json', import.meta.url), 'utf8')) as {
  vectors: SealVector[];
  line_case: { sent: string; also_accepted: string };
  challenges: { key: string; node: number; child: number; result_counter: number; challenge: string }[];
  rotations: { key: string; node: number; seed: string; new_key: string }[];
};
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function stockCcm(key: string, nonce: string, aad: string, plaintext: string): Buffer {
  const c = createCipheriv('aes-128-ccm', hex(key), hex(nonce), { authTagLength: 8 });
  c.setAAD(hex(aad), { plaintextLength: hex(plaintext).length });
  const body = c.update(hex(plaintext));
  c.final();
  return Buffer.concat([body, c.getAuthTag()]);
}

function stockAesBlock(key: string, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', hex(key), null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

test('seal-v1.json is exactly what the generator builds', () => {
  const rebuilt = JSON.parse(JSON.stringify(buildSealV1Vectors())) as unknown;
  assert.deepEqual(file, rebuilt, 'run: npx tsx scripts/generate-vectors.ts');
});

test('seal-v1.json has at least 40 entries with the required fields', () => {
  assert.ok(file.vectors.length >= 40, `${file.vectors.length} vectors`);
  const names = new Set<string>();
  for (const v of file.vectors) {
    for (const field of ['name', 'verdict', 'key', 'nonce', 'aad', 'plaintext', 'frame'] as const) {
      assert.equal(typeof v[field], 'string', `${v.name}: ${field}`);
    }
    for (const field of ['key', 'nonce', 'aad', 'plaintext', 'frame'] as const) {
      assert.match(v[field], /^(?:[0-9a-f]{2})*$/, `${v.name}: ${field} is hex`);
    }
    assert.ok(v.verdict === 'ok' || v.verdict in ErrorCode, `${v.name}: verdict ${v.verdict}`);
    assert.ok(!names.has(v.name), `duplicate name ${v.name}`);
    names.add(v.name);
  }
});

test('every ok frame ends with the stock AES-CCM of its key, nonce, aad and plaintext', () => {
  const oks = file.vectors.filter((v) => v.verdict === 'ok');
  assert.ok(oks.length >= 20);
  for (const v of oks) {
    const sealed = stockCcm(v.key, v.nonce, v.aad, v.plaintext);
    const frame = hex(v.frame);
    assert.deepEqual(frame.subarray(frame.length - sealed.length), sealed, v.name);
    // The header byte and counter on the wire are the ones in the nonce.
    assert.equal(frame[0], hex(v.nonce)[0], v.name);
    assert.deepEqual(frame.subarray(1, 5), hex(v.nonce).subarray(4, 8), v.name);
    assert.equal(frame.length, 5 + sealed.length, v.name);
    assert.ok(frame.length <= 25, v.name);
    assert.match(v.line, /^\d+;\d+;4;0;83;[0-9A-F]+$/, v.name);
  }
});

test('the refusals cover every case the protocol names', () => {
  const refused = (pattern: RegExp, verdict: string): void => {
    const hits = file.vectors.filter((v) => pattern.test(v.name));
    assert.ok(hits.length > 0, `no vector for ${pattern}`);
    for (const v of hits) assert.equal(v.verdict, verdict, v.name);
  };
  refused(/^wrong key$/, 'AUTH_FAILED');
  refused(/^header tampered: version/, 'BAD_VERSION');
  refused(/^header tampered: direction/, 'WRONG_DIRECTION');
  refused(/^header tampered: kind/, 'BAD_KIND');
  refused(/^header tampered: (critical|command) turned/, 'AUTH_FAILED');
  refused(/^counter tampered: (raised|high)/, 'AUTH_FAILED');
  refused(/^(ciphertext|tag) tampered/, 'AUTH_FAILED');
  refused(/^sender tampered/, 'AUTH_FAILED');
  refused(/^replayed counter/, 'REPLAYED_COUNTER');
  refused(/^used challenge/, 'CHALLENGE_USED');
  refused(/^stale challenge/, 'AUTH_FAILED');
  refused(/^expired challenge/, 'CHALLENGE_EXPIRED');
  refused(/^no challenge held/, 'NO_CHALLENGE');
  refused(/^wrong node/, 'AUTH_FAILED');
  refused(/^wrong child/, 'AUTH_FAILED');
  refused(/^wrong direction/, 'WRONG_DIRECTION');
  refused(/^truncated: (13 bytes|empty)/, 'FRAME_TOO_SHORT');
  refused(/^truncated: last tag byte/, 'AUTH_FAILED');
  refused(/^oversized/, 'FRAME_TOO_LONG');
  refused(/^controller: (report|result) .*(claimed|moved|tampered|old key)/, 'AUTH_FAILED');
  refused(/^controller: replayed/, 'REPLAYED_COUNTER');
});

test('challenge and key-rotation derivations recheck with a stock AES block', () => {
  for (const c of file.challenges) {
    const block = Buffer.alloc(16);
    block[0] = 0xc3;
    block[1] = c.node;
    block[2] = c.child;
    block.writeUInt32BE(c.result_counter, 4);
    assert.equal(stockAesBlock(c.key, block).subarray(0, 5).toString('hex'), c.challenge);
  }
  for (const r of file.rotations) {
    const block = Buffer.alloc(16);
    block[0] = 0xcb;
    block[1] = r.node;
    hex(r.seed).copy(block, 2);
    assert.equal(stockAesBlock(r.key, block).toString('hex'), r.new_key);
  }
});

test('hex case: MySeal writes upper case; the lower-case line carries the same frame and is accepted', () => {
  assert.match(file.line_case.sent, /^\d+;\d+;4;0;83;[0-9A-F]+$/);
  assert.notEqual(file.line_case.also_accepted, file.line_case.sent);
  const frames = [file.line_case.sent, file.line_case.also_accepted].map((line) => {
    const m = parseLine(line);
    assert.ok(m.ok, line);
    const f = messageToFrame(m.value);
    assert.ok(f.ok, line);
    return Buffer.from(f.value.frame).toString('hex');
  });
  assert.equal(frames[0], frames[1]);
  assert.equal(frames[0], file.vectors[0]!.frame);
});

test('node 0 frames: sender and destination 0 both ways; the two directions differ in the header byte of the nonce alone', () => {
  const ask = file.vectors.find((v) => v.name.startsWith('node 0: command get-challenge'));
  const answer = file.vectors.find((v) => v.name.startsWith('node 0: result challenge'));
  assert.ok(ask && answer);
  for (const v of [ask, answer]) {
    assert.equal(v.verdict, 'ok');
    assert.deepEqual([v.sealed_as.sender, v.sealed_as.destination, v.receiver.node_id], [0, 0, 0]);
    assert.match(v.line, /^0;1;4;0;83;/);
  }
  assert.equal(ask.nonce.slice(2), answer.nonce.slice(2), 'the same sender, destination, child, counter');
  assert.notEqual(ask.nonce.slice(0, 2), answer.nonce.slice(0, 2));
});
