import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../errors.ts';
import { Command, SetReq } from './enums.ts';
import {
  assertValidMessage,
  bytesToStreamPayload,
  MAX_PAYLOAD_BYTES,
  MAX_STREAM_HEX_CHARS,
  streamPayloadToBytes,
  validateMessage,
  type MySensorsMessage,
} from './message.ts';
import { assertCodecResult, assertFails, assertThrowsCode, validMessage } from '../../../test/support/mysensors-arbitraries.ts';

const lock: MySensorsMessage = {
  nodeId: 12,
  childId: 1,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_LOCK_STATUS,
  payload: '1',
};

function withField(field: string, value: unknown): MySensorsMessage {
  return { ...lock, [field]: value } as unknown as MySensorsMessage;
}

test('a valid message comes back as a fresh object with exactly its six fields', () => {
  const input = { ...lock, extra: 'dropped' } as MySensorsMessage;
  const r = validateMessage(input);
  assert.ok(r.ok);
  assert.deepEqual(r.value, lock);
  assert.notEqual(r.value, input);
  assert.deepEqual(Object.keys(r.value), ['nodeId', 'childId', 'command', 'echo', 'type', 'payload']);
});

test('limits: 0 and 255 ids, all five commands, any type byte', () => {
  for (const v of [0, 255]) {
    assert.ok(validateMessage(withField('nodeId', v)).ok);
    assert.ok(validateMessage(withField('childId', v)).ok);
    assert.ok(validateMessage(withField('type', v)).ok);
  }
  for (const command of [0, 1, 2, 3]) assert.ok(validateMessage(withField('command', command)).ok);
  assert.ok(validateMessage({ ...lock, command: Command.C_STREAM, payload: '01' }).ok);
});

test('each header field has its own code', () => {
  const bad: [string, unknown[], ErrorCode][] = [
    ['nodeId', [-1, 256, 1.5, Number.NaN, Infinity, '1', null, undefined], ErrorCode.BAD_NODE_ID],
    ['childId', [-1, 256, 0.1, '255', null], ErrorCode.BAD_CHILD_ID],
    ['command', [-1, 5, 7, 1.5, '1', null], ErrorCode.BAD_COMMAND],
    ['echo', [0, 1, 'true', null, undefined], ErrorCode.BAD_ECHO],
    ['type', [-1, 256, 36.5, '36', null], ErrorCode.BAD_TYPE],
  ];
  for (const [field, values, code] of bad) {
    for (const value of values) assertFails(validateMessage(withField(field, value)), code, `${field}=${String(value)}`);
  }
  // Field order decides which error a message with several faults gets.
  assertFails(validateMessage({ ...lock, nodeId: 300, childId: 300, payload: 'a;b' }), ErrorCode.BAD_NODE_ID);
});

test('not an object, not a string payload', () => {
  assertFails(validateMessage(null as unknown as MySensorsMessage), ErrorCode.BAD_NODE_ID);
  assertFails(validateMessage(withField('payload', 1)), ErrorCode.PAYLOAD_NOT_TEXT);
  assertFails(validateMessage(withField('payload', new Uint8Array(1))), ErrorCode.PAYLOAD_NOT_TEXT);
  assertFails(validateMessage(withField('payload', undefined)), ErrorCode.PAYLOAD_NOT_TEXT);
});

test('text payloads: up to 25 bytes of UTF-8', () => {
  assert.ok(validateMessage({ ...lock, payload: '' }).ok);
  assert.ok(validateMessage({ ...lock, payload: 'x'.repeat(25) }).ok);
  assert.ok(validateMessage({ ...lock, payload: 'é'.repeat(12) + 'x' }).ok);
  assert.ok(validateMessage({ ...lock, payload: '😀'.repeat(6) + 'x' }).ok);
  assertFails(validateMessage({ ...lock, payload: 'x'.repeat(26) }), ErrorCode.PAYLOAD_TOO_LONG);
  // 13 characters, 26 bytes: the gateway counts bytes.
  assertFails(validateMessage({ ...lock, payload: 'é'.repeat(13) }), ErrorCode.PAYLOAD_TOO_LONG);
  assertFails(validateMessage({ ...lock, payload: 'x'.repeat(1 << 20) }), ErrorCode.PAYLOAD_TOO_LONG);
});

test("forbidden characters: ';' (unless allowed), line ends and every control character", () => {
  for (const payload of ['a;b', ';', '1\n', '\r', 'a\0b', 'tab\there', '\x7f', '\x85']) {
    assertFails(validateMessage({ ...lock, payload }), ErrorCode.PAYLOAD_FORBIDDEN_CHAR, JSON.stringify(payload));
  }
  const position = { ...lock, type: SetReq.V_POSITION, payload: '55.722526;13.017972;18' };
  assertFails(validateMessage(position), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assert.ok(validateMessage(position, { allowSemicolon: true }).ok);
  assertFails(validateMessage({ ...lock, payload: 'a\nb' }, { allowSemicolon: true }), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  for (const payload of ['\ud83d', 'a\ude00', '\ude00\ud83d']) {
    assertFails(validateMessage({ ...lock, payload }), ErrorCode.PAYLOAD_NOT_TEXT);
  }
});

test('stream payloads: 2-50 hex digits, even, either case; empty refused', () => {
  const stream = (payload: string): MySensorsMessage => ({ ...lock, command: Command.C_STREAM, type: 3, payload });
  for (const payload of ['00', 'ab', 'AB', 'aB', '0123456789abcdefABCDEF', 'F'.repeat(MAX_STREAM_HEX_CHARS)]) {
    assert.ok(validateMessage(stream(payload)).ok, payload);
  }
  for (const payload of ['', 'a', 'abc', 'G0', '0x00', ' 00', '00 ', 'F'.repeat(52), 'F'.repeat(51), '٠٠']) {
    assertFails(validateMessage(stream(payload)), ErrorCode.BAD_STREAM_HEX, JSON.stringify(payload));
  }
  // The generic text rules come first.
  assertFails(validateMessage(stream('00;00')), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assertFails(validateMessage(stream('00;00'), { allowSemicolon: true }), ErrorCode.BAD_STREAM_HEX);
  assertFails(validateMessage(stream('00\n')), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  // Only C_STREAM payloads are hex: the same text is a fine V_CUSTOM string.
  assert.ok(validateMessage({ ...lock, type: SetReq.V_CUSTOM, payload: 'abc' }).ok);
});

test('error messages never echo a payload, only its length', () => {
  const secret = 'PIN4711PIN4711PIN4711PIN4711';
  for (const payload of [secret, `${secret};`, `${secret}\n`, `PIN4711;`]) {
    const r = validateMessage({ ...lock, payload });
    assert.ok(!r.ok);
    assert.ok(!r.error.message.includes('PIN4711'), r.error.message);
    assert.ok(!JSON.stringify(r.error.detail).includes('PIN4711'));
    assert.equal(r.error.detail.field, 'payload');
  }
  const stream = validateMessage({ ...lock, command: Command.C_STREAM, payload: 'DEADBEEF'.repeat(7) });
  assert.ok(!stream.ok);
  assert.ok(!stream.error.message.includes('DEADBEEF'));
  assert.match(stream.error.message, /56/);
});

test('assertValidMessage throws the validation error', () => {
  assert.deepEqual(assertValidMessage(lock), lock);
  assertThrowsCode(() => assertValidMessage({ ...lock, childId: 256 }), ErrorCode.BAD_CHILD_ID);
  assertThrowsCode(() => assertValidMessage({ ...lock, payload: 'a;b' }), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assert.ok(assertValidMessage({ ...lock, payload: 'a;b' }, { allowSemicolon: true }));
});

test('streamPayloadToBytes vectors', () => {
  const r = streamPayloadToBytes('00aBff10');
  assert.ok(r.ok);
  assert.deepEqual(r.value, new Uint8Array([0x00, 0xab, 0xff, 0x10]));
  const max = streamPayloadToBytes('A5'.repeat(25));
  assert.ok(max.ok);
  assert.equal(max.value.length, MAX_PAYLOAD_BYTES);
  for (const bad of ['', '0', 'zz', 'A5'.repeat(26), '0\n', ' 0']) {
    assertFails(streamPayloadToBytes(bad), ErrorCode.BAD_STREAM_HEX, JSON.stringify(bad));
  }
  assertFails(streamPayloadToBytes(5 as unknown as string), ErrorCode.PAYLOAD_NOT_TEXT);
});

test('bytesToStreamPayload: upper-case hex, 1-25 bytes', () => {
  assert.equal(bytesToStreamPayload(new Uint8Array([0x00, 0xab, 0x0f])), '00AB0F');
  assert.equal(bytesToStreamPayload(new Uint8Array(25).fill(0xee)), 'EE'.repeat(25));
  // A view into a larger buffer encodes only its own bytes.
  assert.equal(bytesToStreamPayload(new Uint8Array([1, 2, 3, 4]).subarray(1, 3)), '0203');
  assertThrowsCode(() => bytesToStreamPayload(new Uint8Array(26)), ErrorCode.PAYLOAD_TOO_LONG);
  assertThrowsCode(() => bytesToStreamPayload(new Uint8Array(0)), ErrorCode.BAD_STREAM_HEX);
});

test('property: stream bytes round trip through hex', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 25 }), (bytes) => {
      const hex = bytesToStreamPayload(bytes);
      assert.equal(hex, hex.toUpperCase());
      const back = streamPayloadToBytes(hex);
      assert.ok(back.ok);
      assert.deepEqual(back.value, bytes);
      assert.ok(validateMessage({ ...lock, command: Command.C_STREAM, payload: hex }).ok);
    }),
  );
});

test('property: streamPayloadToBytes never throws', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFgG ;') })),
      (s) => {
        const r = streamPayloadToBytes(s);
        assertCodecResult(r);
        if (r.ok) assert.equal(r.value.length * 2, s.length);
      },
    ),
  );
});

test('property: generated valid messages validate to themselves; validateMessage never throws', () => {
  fc.assert(
    fc.property(validMessage(), (m) => {
      const r = validateMessage(m);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(r.value, m);
    }),
  );
  fc.assert(
    fc.property(
      fc.record({
        nodeId: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double(), fc.string()),
        childId: fc.integer({ min: -5, max: 300 }),
        command: fc.integer({ min: -1, max: 8 }),
        echo: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 'true')),
        type: fc.integer({ min: -5, max: 300 }),
        payload: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(undefined)),
      }),
      fc.boolean(),
      (m, allowSemicolon) => assertCodecResult(validateMessage(m as unknown as MySensorsMessage, { allowSemicolon })),
    ),
  );
});
