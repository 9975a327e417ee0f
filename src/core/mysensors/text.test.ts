import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeUtf8,
  describeValue,
  hasControlChar,
  hasLoneSurrogate,
  parseDecimal,
  splitAtLoneSurrogates,
  utf8Length,
} from './text.ts';

test('control characters: C0, DEL and C1, but not printable Unicode', () => {
  for (const c of ['\0', '\t', '\n', '\r', '\x1b', '\x7f', '\x85', '\x9f']) assert.ok(hasControlChar(`a${c}b`), JSON.stringify(c));
  for (const s of ['', 'abc', ' ', 'é', '€', '😀', '\u00a0', '\ufeff', '\u200d']) assert.ok(!hasControlChar(s), s);
});

test('lone surrogates are found; pairs are not', () => {
  assert.ok(!hasLoneSurrogate('😀'));
  assert.ok(!hasLoneSurrogate('a😀b'));
  assert.ok(hasLoneSurrogate('\ud83d'));
  assert.ok(hasLoneSurrogate('\ude00'));
  assert.ok(hasLoneSurrogate('a\ude00\ud83d'));
  assert.deepEqual(splitAtLoneSurrogates('a\ud83db\ude00😀'), ['a', 'b', '😀']);
  assert.deepEqual(splitAtLoneSurrogates('plain'), ['plain']);
});

test('utf8Length counts bytes', () => {
  assert.equal(utf8Length(''), 0);
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('€'), 3);
  assert.equal(utf8Length('😀'), 4);
});

test('decodeUtf8 is strict and keeps a BOM', () => {
  assert.equal(decodeUtf8(new Uint8Array([0x61, 0xc3, 0xa9])), 'aé');
  assert.equal(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])), '\ufeff1');
  assert.equal(decodeUtf8(new Uint8Array([0xff])), undefined);
  assert.equal(decodeUtf8(new Uint8Array([0xc3])), undefined);
  assert.equal(decodeUtf8(new Uint8Array([0xc0, 0xaf])), undefined); // overlong '/'
  assert.equal(decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80])), undefined); // encoded surrogate
  // The shared decoder is usable again after an error.
  assert.equal(decodeUtf8(new Uint8Array([0x6f, 0x6b])), 'ok');
});

test('parseDecimal: digits only', () => {
  assert.equal(parseDecimal('0'), 0);
  assert.equal(parseDecimal('007'), 7);
  assert.equal(parseDecimal('255'), 255);
  for (const s of ['', ' 1', '1 ', '+1', '-1', '0x1', '1e1', '1.0', '١', 'Infinity', 'NaN']) assert.equal(parseDecimal(s), undefined, s);
});

test('describeValue shows short plain values only', () => {
  assert.equal(describeValue('abc'), '"abc"');
  assert.equal(describeValue('a'.repeat(17)), 'of 17 characters');
  assert.equal(describeValue('é'), 'of 1 characters');
  assert.equal(describeValue('a'.repeat(30), 40), `"${'a'.repeat(30)}"`);
});
