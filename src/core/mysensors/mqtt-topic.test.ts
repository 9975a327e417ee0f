import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../errors.ts';
import { Command, Internal, SetReq, Stream } from './enums.ts';
import type { MySensorsMessage } from './message.ts';
import { formatTopic, MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX, parseTopic } from './mqtt-topic.ts';
import { assertCodecResult, assertFails, assertThrowsCode, validMessage } from '../../../test/support/mysensors-arbitraries.ts';

const OUT = MQTT_DEFAULT_OUT_PREFIX;
const DOMOTICZ_IN = 'domoticz/in/MyMQTT';

function parsed(topic: string, payload: string | Uint8Array, prefix: string): MySensorsMessage {
  const r = parseTopic(topic, payload, prefix);
  assert.ok(r.ok, r.ok ? '' : `${topic}: ${r.error.message}`);
  return r.value;
}

test('default prefixes', () => {
  assert.equal(MQTT_DEFAULT_OUT_PREFIX, 'mygateway1-out');
  assert.equal(MQTT_DEFAULT_IN_PREFIX, 'mygateway1-in');
});

test('gateway topics parse', () => {
  assert.deepEqual(parsed('mygateway1-out/0/255/3/0/14', 'Gateway startup complete.', OUT), {
    nodeId: 0,
    childId: 255,
    command: Command.C_INTERNAL,
    echo: false,
    type: Internal.I_GATEWAY_READY,
    payload: 'Gateway startup complete.',
  });
  assert.deepEqual(parsed('mygateway1-out/12/1/1/1/36', new TextEncoder().encode('1'), OUT), {
    nodeId: 12,
    childId: 1,
    command: Command.C_SET,
    echo: true,
    type: SetReq.V_LOCK_STATUS,
    payload: '1',
  });
  assert.equal(parsed('domoticz/in/MyMQTT/5/3/2/0/2', '', DOMOTICZ_IN).command, Command.C_REQ);
  assert.equal(parsed('mygateway1-out/005/0/4/0/3', 'A0B1', OUT).nodeId, 5);
  assert.equal(parsed('mygateway1-out/1/1/1/0/47', new Uint8Array([0x54, 0xc3, 0xbc, 0x72]), OUT).payload, 'Tür');
});

test("';' is allowed in MQTT payloads; size and stream rules still hold", () => {
  assert.equal(parsed('mygateway1-out/3/1/1/0/49', '55.722526;13.017972;18', OUT).payload, '55.722526;13.017972;18');
  assertFails(parseTopic('mygateway1-out/3/1/1/0/47', 'x'.repeat(26), OUT), ErrorCode.PAYLOAD_TOO_LONG);
  assertFails(parseTopic('mygateway1-out/3/1/1/0/47', 'a\nb', OUT), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assert.equal(parsed('mygateway1-out/3/1/4/0/3', 'F'.repeat(50), OUT).payload.length, 50);
  assertFails(parseTopic('mygateway1-out/3/1/4/0/3', 'F'.repeat(52), OUT), ErrorCode.BAD_STREAM_HEX);
  assertFails(parseTopic('mygateway1-out/3/1/4/0/3', '', OUT), ErrorCode.BAD_STREAM_HEX);
  assertFails(parseTopic('mygateway1-out/3/1/4/0/3', 'AB;CD', OUT), ErrorCode.BAD_STREAM_HEX);
});

test('payload bytes must be UTF-8', () => {
  for (const bytes of [[0xff], [0xc3], [0x61, 0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
    assertFails(parseTopic('mygateway1-out/1/1/1/0/47', new Uint8Array(bytes), OUT), ErrorCode.PAYLOAD_NOT_TEXT);
  }
  assertFails(parseTopic('mygateway1-out/1/1/1/0/47', 5 as unknown as string, OUT), ErrorCode.PAYLOAD_NOT_TEXT);
  assertFails(parseTopic('mygateway1-out/1/1/1/0/47', '\udead', OUT), ErrorCode.PAYLOAD_NOT_TEXT);
});

test('BAD_TOPIC: wrong prefix, wrong level count, non-decimal levels', () => {
  const bad = [
    'mygateway1-in/1/1/1/0/2',
    'mygateway1-outX/1/1/1/0/2',
    'mygateway1-out1/1/1/0/2',
    'mygateway1-out',
    'mygateway1-out/',
    '/mygateway1-out/1/1/1/0/2',
    'MYGATEWAY1-OUT/1/1/1/0/2',
    'mygateway1-out/1/1/1/0',
    'mygateway1-out/1/1/1/0/2/',
    'mygateway1-out/1/1/1/0/2/7',
    'mygateway1-out//1/1/0/2',
    'mygateway1-out/1/1/1/0/',
    'mygateway1-out/a/1/1/0/2',
    'mygateway1-out/+1/1/1/0/2',
    'mygateway1-out/1/ 1/1/0/2',
    'mygateway1-out/1/1/0x1/0/2',
    'mygateway1-out/1/1/1/0/V_STATUS',
    'mygateway1-out/+/+/+/+/+',
    'mygateway1-out/#',
    '',
  ];
  for (const topic of bad) assertFails(parseTopic(topic, '1', OUT), ErrorCode.BAD_TOPIC, topic);
  assertFails(parseTopic('domoticz/in/MyMQTT/1/1/1/0/2', '1', 'domoticz/in'), ErrorCode.BAD_TOPIC);
  assertFails(parseTopic(undefined as unknown as string, '1', OUT), ErrorCode.BAD_TOPIC);
  assert.match(assertFails(parseTopic('mygateway1-out/1/1/1/0/2/7', '1', OUT), ErrorCode.BAD_TOPIC).message, /6 levels/);
});

test('numeric levels out of range get the field codes', () => {
  assertFails(parseTopic('mygateway1-out/256/1/1/0/2', '1', OUT), ErrorCode.BAD_NODE_ID);
  assertFails(parseTopic('mygateway1-out/1/256/1/0/2', '1', OUT), ErrorCode.BAD_CHILD_ID);
  assertFails(parseTopic('mygateway1-out/1/1/5/0/2', '1', OUT), ErrorCode.BAD_COMMAND);
  assertFails(parseTopic('mygateway1-out/1/1/1/2/2', '1', OUT), ErrorCode.BAD_ECHO);
  assertFails(parseTopic('mygateway1-out/1/1/1/0/256', '1', OUT), ErrorCode.BAD_TYPE);
});

test('unusable prefixes are BAD_TOPIC, from parse and from format', () => {
  const m: MySensorsMessage = { nodeId: 1, childId: 1, command: Command.C_SET, echo: false, type: 2, payload: '1' };
  for (const prefix of ['', 'a/+/b', '#', 'a/#', 'a/', 'a\nb', 'a\0', '\ud800']) {
    assertFails(parseTopic(`${prefix}/1/1/1/0/2`, '1', prefix), ErrorCode.BAD_TOPIC, JSON.stringify(prefix));
    assertThrowsCode(() => formatTopic(m, prefix), ErrorCode.BAD_TOPIC);
  }
  assertFails(parseTopic('x/1/1/1/0/2', '1', 7 as unknown as string), ErrorCode.BAD_TOPIC);
});

test('formatTopic', () => {
  assert.deepEqual(
    formatTopic(
      { nodeId: 12, childId: 1, command: Command.C_SET, echo: true, type: SetReq.V_LOCK_STATUS, payload: '0' },
      MQTT_DEFAULT_IN_PREFIX,
    ),
    { topic: 'mygateway1-in/12/1/1/1/36', payload: '0' },
  );
  assert.deepEqual(
    formatTopic({ nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: Internal.I_VERSION, payload: '' }, DOMOTICZ_IN),
    { topic: 'domoticz/in/MyMQTT/0/255/3/0/2', payload: '' },
  );
  assert.deepEqual(
    formatTopic({ nodeId: 3, childId: 1, command: Command.C_SET, echo: false, type: SetReq.V_POSITION, payload: '1;2;3' }, 'p'),
    { topic: 'p/3/1/1/0/49', payload: '1;2;3' },
  );
  const m: MySensorsMessage = { nodeId: 1, childId: 1, command: Command.C_STREAM, echo: false, type: Stream.ST_IMAGE, payload: 'AB' };
  assertThrowsCode(() => formatTopic({ ...m, payload: 'ABC' }, OUT), ErrorCode.BAD_STREAM_HEX);
  assertThrowsCode(() => formatTopic({ ...m, command: Command.C_SET, payload: 'x'.repeat(26) }, OUT), ErrorCode.PAYLOAD_TOO_LONG);
  assertThrowsCode(() => formatTopic({ ...m, nodeId: 256 }, OUT), ErrorCode.BAD_NODE_ID);
  assertThrowsCode(() => formatTopic({ ...m, command: Command.C_SET, payload: '\t' }, OUT), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
});

/** Usable prefixes: one to four levels of ordinary characters, '/' inside. */
const prefix = fc
  .array(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.ü😀'), minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 })
  .map((levels) => levels.join('/'));

test('property: parseTopic(formatTopic(m)) deep-equals m, with string and byte payloads', () => {
  fc.assert(
    fc.property(validMessage(true), fc.oneof(prefix, fc.constantFrom(OUT, MQTT_DEFAULT_IN_PREFIX, DOMOTICZ_IN)), (m, p) => {
      const { topic, payload } = formatTopic(m, p);
      assert.deepEqual(parseTopic(topic, payload, p), { ok: true, value: m });
      assert.deepEqual(parseTopic(topic, new TextEncoder().encode(payload), p), { ok: true, value: m });
    }),
    { numRuns: 2000 },
  );
});

test('property: parseTopic never throws', () => {
  const level = fc.oneof(fc.constantFrom('0', '1', '4', '255', '256', '', '+', '#', '01', 'a'), fc.string({ maxLength: 3 }));
  const nearTopic = fc
    .tuple(fc.constantFrom(OUT, 'x', ''), fc.array(level, { minLength: 3, maxLength: 7 }))
    .map(([p, levels]) => [p, ...levels].join('/'));
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), nearTopic),
      fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 60 })),
      fc.oneof(fc.constant(OUT), fc.string({ maxLength: 20 })),
      (topic, payload, p) => {
        const r = parseTopic(topic, payload, p);
        assertCodecResult(r);
        if (r.ok) assert.deepEqual(parseTopic(formatTopic(r.value, p).topic, r.value.payload, p), r);
      },
    ),
    { numRuns: 3000 },
  );
});
