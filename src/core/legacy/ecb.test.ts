import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCode, isMySealError } from '../errors.ts';
import { parseLine } from '../mysensors/index.ts';
import { legacyLine, openLegacyBlock, sealLegacyPin } from './ecb.ts';

/** Hands out the given bytes in order, as crypto.randomBytes would hand out random ones. */
function fixedRandom(hex: string): (n: number) => Uint8Array {
  const bytes = Buffer.from(hex, 'hex');
  let at = 0;
  return (n) => {
    const out = new Uint8Array(bytes.subarray(at, at + n));
    at += n;
    return out;
  };
}

test('known answer: computed outside this code (openssl enc -aes-128-ecb -nopad)', () => {
  // printf '010203040506''31323334''a1a2a3a4a5a6' | xxd -r -p |
  //   openssl enc -aes-128-ecb -nopad -K $(printf 'ABCDEFGHIJKLMNOP' | xxd -p) | base64
  assert.equal(sealLegacyPin('ABCDEFGHIJKLMNOP', '1234', fixedRandom('010203040506a1a2a3a4a5a6')), 'Bqpy06RNo3//OfWg/UF45Q==');
  assert.equal(sealLegacyPin('k3y-0f-16-chars!', '9876', fixedRandom('000000000000ffffffffffff')), '9jFDissMn8hMMtjkcCxZaA==');
});

test('known answer: node:crypto aes-128-ecb directly on the documented block layout', () => {
  const key = 'MySensorsDoor#01';
  const front = Buffer.from('c0ffee123456', 'hex');
  const back = Buffer.from('abcdef987654', 'hex');
  const block = Buffer.concat([front, Buffer.from('4711', 'ascii'), back]);
  assert.equal(block.length, 16);
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(key, 'ascii'), null).setAutoPadding(false);
  const expected = Buffer.concat([cipher.update(block), cipher.final()]).toString('base64');
  assert.equal(sealLegacyPin(key, '4711', fixedRandom('c0ffee123456abcdef987654')), expected);
});

test('round trip: what the node sketch reads back is the PIN, with fresh random padding each time', () => {
  // fc.check, not fc.assert: a failure must not print the generated key and PIN into the test output.
  const result = fc.check(
    fc.property(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      (key, pin) => {
        const b64 = sealLegacyPin(key, pin);
        return b64.length === 24 && openLegacyBlock(key, b64) === pin;
      },
    ),
    { numRuns: 200 },
  );
  assert.equal(result.failed, false, `round trip failed after ${result.numRuns} runs (values withheld)`);
  const key = 'ABCDEFGHIJKLMNOP';
  assert.notEqual(sealLegacyPin(key, '1234'), sealLegacyPin(key, '1234'), 'random padding hides repeats (and proves nothing)');
  assert.notEqual(openLegacyBlock('ABCDEFGHIJKLMNOQ', sealLegacyPin(key, '1234')), '1234', 'another key reads garbage');
});

test('the exact line: node;1;1;0;47; and 24 base64 characters, like the reference example', () => {
  const b64 = sealLegacyPin('ABCDEFGHIJKLMNOP', '1234', fixedRandom('010203040506a1a2a3a4a5a6'));
  assert.equal(legacyLine(1, b64), '1;1;1;0;47;Bqpy06RNo3//OfWg/UF45Q==\n');
  assert.match(legacyLine(1, sealLegacyPin('ABCDEFGHIJKLMNOP', '0000')), /^1;1;1;0;47;[A-Za-z0-9+/]{22}==\n$/);
  // The reference's own example line has the same shape and parses as child 1, C_SET, V_TEXT.
  const reference = parseLine('1;1;1;0;47;uKvGG7z440r/1pln4IJbNQ==');
  assert.ok(reference.ok);
  assert.deepEqual(reference.value, { nodeId: 1, childId: 1, command: 1, echo: false, type: 47, payload: 'uKvGG7z440r/1pln4IJbNQ==' });
  assert.equal(legacyLine(254, 'uKvGG7z440r/1pln4IJbNQ=='), '254;1;1;0;47;uKvGG7z440r/1pln4IJbNQ==\n');
  assert.equal(legacyLine(0, b64).slice(0, 13), '0;1;1;0;47;Bq', 'node 0: a lock in the gateway\'s sketch');
  assert.throws(() => legacyLine(256, b64), (e) => isMySealError(e, ErrorCode.USAGE));
  assert.throws(() => legacyLine(255, b64), (e) => isMySealError(e, ErrorCode.USAGE));
});

test('bad keys and PINs are refused without being quoted', () => {
  ['short', 'ABCDEFGHIJKLMNOPQ', 'ABCDEFGHIJKLMNO\u00e9', 'ABCDEFGHIJKLMNO\n'].forEach((key, i) => {
    assert.throws(
      () => sealLegacyPin(key, '1234'),
      (e) => isMySealError(e, ErrorCode.LEGACY_BAD_KEY) && !e.message.includes(key.trim()),
      `bad key #${i}`,
    );
  });
  ['123', '12345', '12a4', '1', '', '１２３４'].forEach((pin, i) => {
    assert.throws(
      () => sealLegacyPin('ABCDEFGHIJKLMNOP', pin),
      (e) => isMySealError(e, ErrorCode.LEGACY_BAD_PIN) && (pin === '' || !e.message.includes(pin)),
      `bad PIN #${i}`,
    );
  });
  assert.throws(() => sealLegacyPin('ABCDEFGHIJKLMNOP', '1234', () => new Uint8Array(5)), RangeError);
});

test('openLegacyBlock: anything but one base64 block is null', () => {
  const key = 'ABCDEFGHIJKLMNOP';
  for (const payload of ['', 'uKvGG7z440r/1pln4IJbNQ', 'uKvGG7z440r/1pln4IJbNQ=', 'uKvGG7z440r/1pln4IJbNQ==AA', '!KvGG7z440r/1pln4IJbNQ==', 'uKvGG7z440r-1pln4IJbNQ==']) {
    assert.equal(openLegacyBlock(key, payload), null, payload);
  }
  // Any well-formed block "decrypts": ECB without authentication cannot tell a forgery.
  assert.equal(openLegacyBlock(key, 'AAAAAAAAAAAAAAAAAAAAAA==')?.length, 4);
});
