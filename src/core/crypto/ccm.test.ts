import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aes128EncryptBlock, ccmOpen, ccmSeal } from './ccm.ts';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

// Known answers from the standards: RFC 3610 section 8 (M=8, L=2, as MySeal uses) and
// NIST SP 800-38C appendix C (other nonce and tag lengths, to prove the parameters are honoured).
const KATS = [
  {
    name: 'RFC 3610 packet vector #1',
    key: 'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF',
    nonce: '00000003020100A0A1A2A3A4A5',
    aad: '0001020304050607',
    plaintext: '08090A0B0C0D0E0F101112131415161718191A1B1C1D1E',
    sealed: '588C979A61C663D2F066D0C2C0F989806D5F6B61DAC38417E8D12CFDF926E0',
    tag: 8,
  },
  {
    name: 'RFC 3610 packet vector #2',
    key: 'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF',
    nonce: '00000004030201A0A1A2A3A4A5',
    aad: '0001020304050607',
    plaintext: '08090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F',
    sealed: '72C91A36E135F8CF291CA894085C87E3CC15C439C9E43A3BA091D56E10400916',
    tag: 8,
  },
  {
    name: 'NIST SP 800-38C example 1',
    key: '404142434445464748494a4b4c4d4e4f',
    nonce: '10111213141516',
    aad: '0001020304050607',
    plaintext: '20212223',
    sealed: '7162015b4dac255d',
    tag: 4,
  },
  {
    name: 'NIST SP 800-38C example 2',
    key: '404142434445464748494a4b4c4d4e4f',
    nonce: '1011121314151617',
    aad: '000102030405060708090a0b0c0d0e0f',
    plaintext: '202122232425262728292a2b2c2d2e2f',
    sealed: 'd2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd',
    tag: 6,
  },
  {
    name: 'NIST SP 800-38C example 3',
    key: '404142434445464748494a4b4c4d4e4f',
    nonce: '101112131415161718191a1b',
    aad: '000102030405060708090a0b0c0d0e0f10111213',
    plaintext: '202122232425262728292a2b2c2d2e2f3031323334353637',
    sealed: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951',
    tag: 8,
  },
];

for (const v of KATS) {
  test(`CCM known answer: ${v.name}`, () => {
    const params = { key: h(v.key), nonce: h(v.nonce), aad: h(v.aad), tagLength: v.tag };
    assert.deepEqual(ccmSeal(params, h(v.plaintext)), h(v.sealed));
    assert.deepEqual(ccmOpen(params, h(v.sealed)), h(v.plaintext));
  });
}

test('AES-128 known answer: FIPS-197 appendix C.1', () => {
  assert.deepEqual(
    aes128EncryptBlock(h('000102030405060708090a0b0c0d0e0f'), h('00112233445566778899aabbccddeeff')),
    h('69c4e0d86a7b0430d8cdb78070b4c55a'),
  );
});

test('CCM rejects every single-bit flip and a wrong key, nonce or aad', () => {
  const v = KATS[0]!;
  const params = { key: h(v.key), nonce: h(v.nonce), aad: h(v.aad), tagLength: 8 };
  const sealed = h(v.sealed);
  for (let bit = 0; bit < sealed.length * 8; bit++) {
    const bad = Uint8Array.from(sealed);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    assert.equal(ccmOpen(params, bad), null, `bit ${bit}`);
  }
  const flip = (b: Uint8Array): Uint8Array => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x));
  assert.equal(ccmOpen({ ...params, key: flip(params.key) }, sealed), null);
  assert.equal(ccmOpen({ ...params, nonce: flip(params.nonce) }, sealed), null);
  assert.equal(ccmOpen({ ...params, aad: flip(params.aad) }, sealed), null);
  assert.equal(ccmOpen(params, sealed.subarray(0, 7)), null);
});

test('CCM round trip for every MySeal-sized plaintext (property)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 13, maxLength: 13 }),
      fc.uint8Array({ maxLength: 12 }),
      (key, nonce, plaintext) => {
        const p = { key, nonce, tagLength: 8 };
        const sealed = ccmSeal(p, plaintext);
        assert.equal(sealed.length, plaintext.length + 8);
        assert.deepEqual(ccmOpen(p, sealed), plaintext);
      },
    ),
  );
});
