import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, isMySealError } from '../errors.ts';
import { PayloadType, SetReq } from '../mysensors/enums.ts';
import { decodeReport, encodeReport } from './body.ts';
import { textToValue, valueToText } from './value-text.ts';

test('plain payloads become the smallest exact value and print back the same', () => {
  const cases: [string, PayloadType][] = [
    ['0', PayloadType.P_BYTE],
    ['1', PayloadType.P_BYTE],
    ['255', PayloadType.P_BYTE],
    ['256', PayloadType.P_INT16],
    ['-300', PayloadType.P_INT16],
    ['40000', PayloadType.P_UINT16],
    ['-70000', PayloadType.P_LONG32],
    ['4000000000', PayloadType.P_ULONG32],
    ['21.5', PayloadType.P_STRING],
    ['ON', PayloadType.P_STRING],
    ['', PayloadType.P_STRING],
  ];
  for (const [text, type] of cases) {
    const v = textToValue(SetReq.V_STATUS, text);
    assert.equal(PayloadType[v.payloadType], PayloadType[type], text);
    assert.equal(valueToText(v), text);
  }
});

test('numbers of every type print as MySensors prints them', () => {
  const f = new Uint8Array(4);
  new DataView(f.buffer).setFloat32(0, 21.5, true);
  assert.equal(valueToText({ type: 0, payloadType: PayloadType.P_FLOAT32, data: f }), '21.5');
  assert.equal(valueToText({ type: 0, payloadType: PayloadType.P_CUSTOM, data: new Uint8Array([0xab, 1]) }), 'AB01');
});

test('text too long or with ";" cannot be sealed', () => {
  assert.throws(() => textToValue(0, 'ten chars!'), (e) => isMySealError(e, ErrorCode.VALUE_TOO_LONG));
  assert.throws(() => textToValue(0, 'a;b'), (e) => isMySealError(e, ErrorCode.BAD_BODY));
});

test('round trip through a sealed body for any decimal text in range (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -0x80000000, max: 0xffffffff }), (n) => {
      const v = textToValue(SetReq.V_PERCENTAGE, String(n));
      const back = decodeReport(encodeReport(v));
      assert.ok(back.ok);
      assert.equal(valueToText(back.value), String(n));
    }),
  );
});
