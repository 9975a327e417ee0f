import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16Ccitt } from './node-storage.ts';

/** The CRC one bit at a time, as the standard defines it: what the table-driven one must equal. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

test('the EEPROM record CRC is CRC-16/CCITT-FALSE: the standard check value', () => {
  assert.equal(crc16Ccitt(new TextEncoder().encode('123456789')), 0x29b1);
  assert.equal(crc16Ccitt(new Uint8Array(0)), 0xffff);
});

test('the EEPROM record CRC equals the bit-by-bit definition on every byte value and on records', () => {
  for (let b = 0; b < 256; b++) assert.equal(crc16Ccitt(Uint8Array.of(b)), crcBitwise(Uint8Array.of(b)), `byte ${b}`);
  let seed = 7;
  for (let n = 0; n < 200; n++) {
    const record = Uint8Array.from({ length: 37 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    assert.equal(crc16Ccitt(record), crcBitwise(record));
  }
});
