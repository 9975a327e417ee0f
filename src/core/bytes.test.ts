import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, readU32BE, toHex, u32BE } from './bytes.ts';

test('hex round trip and strictness', () => {
  assert.equal(toHex(new Uint8Array([0, 0xab, 0x10])), '00ab10');
  assert.equal(toHex(new Uint8Array([0xab]), true), 'AB');
  assert.deepEqual(fromHex('00Ab10'), new Uint8Array([0, 0xab, 0x10]));
  assert.equal(fromHex('abc'), null);
  assert.equal(fromHex('zz'), null);
  assert.deepEqual(fromHex(''), new Uint8Array(0));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    assert.deepEqual(fromHex(toHex(b)), b);
  }));
});

test('u32 big-endian round trip', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    assert.equal(readU32BE(u32BE(n), 0), n);
  }));
  assert.deepEqual(u32BE(0x01020304), new Uint8Array([1, 2, 3, 4]));
});
