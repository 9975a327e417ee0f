import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, PayloadType } from '../core/mysensors/enums.ts';
import { atoi, convertH2I, strtok } from './c-string.ts';
import { parseControllerLine, parseControllerMqtt } from './controller-input.ts';
import { formatGatewayLine } from './gateway-output.ts';
import { GatewayLineReader } from './line-reader.ts';
import { renderPayload } from './radio-message.ts';
import type { RadioMessage } from './radio-message.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

test('atoi reads like glibc: spaces, sign, digits up to the first other character, 0 for none', () => {
  assert.equal(atoi(enc('12')), 12);
  assert.equal(atoi(enc('  \t7x')), 7);
  assert.equal(atoi(enc('+5')), 5);
  assert.equal(atoi(enc('-1')), -1);
  assert.equal(atoi(enc('abc')), 0);
  assert.equal(atoi(enc('')), 0);
  assert.equal(atoi(enc('4294967301')), 5); // cut to 32 bits
  assert.equal(atoi(enc('99999999999999999999999')), -1); // LONG_MAX cut to int
});

test('strtok collapses runs of delimiters and drops empty tokens', () => {
  assert.deepEqual(strtok(enc('0;;1;0;2;1'), 0x3b).map(dec), ['0', '1', '0', '2', '1']);
  assert.deepEqual(strtok(enc(';;a;;'), 0x3b).map(dec), ['a']);
  assert.deepEqual(strtok(enc(''), 0x3b), []);
});

test('convertH2I does no checking', () => {
  assert.equal(convertH2I(0x41), 10);
  assert.equal(convertH2I(0x66), 15);
  assert.equal(convertH2I(0x5a), 35); // 'Z'
});

function line(text: string): RadioMessage {
  const r = parseControllerLine(text);
  assert.ok(r.message, `${text} should parse`);
  return r.message;
}

test('a normal line', () => {
  const m = line('12;1;1;1;36;0');
  assert.deepEqual(
    { d: m.destination, c: m.childId, cmd: m.command, e: m.requestEcho, t: m.type, pt: m.payloadType, p: dec(m.data) },
    { d: 12, c: 1, cmd: Command.C_SET, e: true, t: 36, pt: PayloadType.P_STRING, p: '0' },
  );
  assert.equal(m.sender, 0);
  assert.equal(m.isEcho, false);
});

test('the payload is cut at its first ;', () => {
  assert.equal(dec(line('5;1;1;0;47;a;b;c').data), 'a');
  // strtok skips the empty token, so ';;x' is read as 'x'.
  assert.equal(dec(line('5;1;1;0;47;;x').data), 'x');
});

test('empty fields collapse: 0;;1;0;2;1 is read as node 0, child 1, command 0, echo 2, type 1', () => {
  const m = line('0;;1;0;2;1');
  assert.equal(m.destination, 0);
  assert.equal(m.childId, 1);
  assert.equal(m.command, Command.C_PRESENTATION);
  assert.equal(m.requestEcho, true);
  assert.equal(m.type, 1);
  assert.equal(m.payloadType, PayloadType.P_BYTE); // only five tokens: no payload
});

test('fewer than five fields are dropped without a word', () => {
  for (const l of ['', '1;2;3;4', ';;;;;', '1;;;;;;;2']) {
    const r = parseControllerLine(l);
    assert.equal(r.message, null, l);
    assert.equal(r.drop, 'too-few-fields');
  }
});

test('a missing or empty payload becomes one 0 byte', () => {
  for (const l of ['0;255;3;0;2', '0;255;3;0;2;', '5;1;4;0;83;']) {
    const m = line(l);
    assert.equal(m.payloadType, PayloadType.P_BYTE, l);
    assert.deepEqual([...m.data], [0]);
    assert.equal(dec(renderPayload(m)), '0');
  }
});

test('string payloads are cut to 25 bytes, even inside a UTF-8 character', () => {
  assert.equal(dec(line(`5;1;1;0;47;${'x'.repeat(26)}`).data), 'x'.repeat(25));
  const m = line(`5;1;1;0;47;${'x'.repeat(24)}é`);
  assert.equal(m.data.length, 25);
  assert.equal(m.data[24], 0xc3); // half of the é
});

test('one trailing \\r is removed from string payloads, not from stream payloads', () => {
  assert.equal(dec(line('5;1;1;0;47;on\r').data), 'on');
  const r = parseControllerLine('5;1;4;0;83;ABCD\r');
  assert.equal(r.message, null);
  assert.equal(r.faults[0]?.kind, 'stream-odd-length');
});

test('C_STREAM payloads are hex-decoded, either case; other commands keep hex as text', () => {
  const m = line('5;1;4;0;83;0aFf');
  assert.equal(m.payloadType, PayloadType.P_CUSTOM);
  assert.deepEqual([...m.data], [0x0a, 0xff]);
  const custom = line('5;1;1;0;48;0AFF');
  assert.equal(custom.payloadType, PayloadType.P_STRING);
  assert.equal(dec(custom.data), '0AFF');
  // Any type: the decoding goes by the command alone.
  assert.equal(line('5;1;4;0;2;00').payloadType, PayloadType.P_CUSTOM);
});

test('more than 50 hex characters would overflow the stack buffer: fault, dropped', () => {
  const ok = line(`5;1;4;0;83;${'AB'.repeat(25)}`);
  assert.equal(ok.data.length, 25);
  const r = parseControllerLine(`5;1;4;0;83;${'AB'.repeat(26)}`);
  assert.equal(r.message, null);
  assert.deepEqual(r.faults, [{ kind: 'stream-overflow', via: 'line', hexLength: 52, nodeId: 5 }]);
});

test('odd hex lengths read past the string: fault, dropped', () => {
  const r = parseControllerLine('5;1;4;0;83;ABC');
  assert.equal(r.message, null);
  assert.deepEqual(r.faults, [{ kind: 'stream-odd-length', via: 'line', hexLength: 3, nodeId: 5 }]);
});

test('non-hex characters decode to garbage without complaint', () => {
  assert.deepEqual([...line('5;1;4;0;83;ZZ').data], [((35 << 4) + 35) & 0xff]);
});

test('numbers are atoi: junk reads as 0, the command keeps 3 bits, big node ids wrap', () => {
  const m = line('x;1;9;0;2;1');
  assert.equal(m.destination, 0);
  assert.equal(m.command, 1);
  assert.equal(line('261;1;1;0;2;1').destination, 5);
  // Command 12 is not C_STREAM to the decoder, but its 3 bits say 4.
  const twelve = line('5;1;12;0;83;AB');
  assert.equal(twelve.command, Command.C_STREAM);
  assert.equal(twelve.payloadType, PayloadType.P_STRING);
});

test('a line ends at a NUL', () => {
  const bytes = new Uint8Array([...enc('5;1;1;0;2;1'), 0, ...enc('23')]);
  assert.equal(dec(parseControllerLine(bytes).message!.data), '1');
});

test('the line reader holds 99 characters: the 100th byte throws the line away and reading starts over', () => {
  const reader = new GatewayLineReader({ endsAtCR: true });
  const ok98 = `1;1;1;0;47;${'x'.repeat(87)}`;
  assert.equal(ok98.length, 98);
  assert.deepEqual(reader.push(enc(`${ok98}\n`)).map((o) => ('line' in o ? dec(o.line) : 'too long')), [ok98]);
  // 99 characters: the '\n' itself is the byte that does not fit.
  assert.deepEqual(reader.push(enc(`${ok98}y\n`)).map((o) => ('line' in o ? dec(o.line) : 'too long')), ['too long']);
  // 101 characters: dropped, and the last one is read as a line of its own.
  assert.deepEqual(
    reader.push(enc(`${'z'.repeat(101)}\n`)).map((o) => ('line' in o ? dec(o.line) : 'too long')),
    ['too long', 'z'],
  );
  // The tail of an over-long line is a line: here a whole command.
  const tail = '7;1;1;0;2;1';
  const out = reader.push(enc(`${'j'.repeat(100)}${tail}\n`)).map((o) => ('line' in o ? dec(o.line) : 'too long'));
  assert.deepEqual(out, ['too long', tail]);
});

test('the Ethernet reader ends lines at \\r too; the serial one only at \\n', () => {
  const eth = new GatewayLineReader({ endsAtCR: true });
  assert.deepEqual(eth.push(enc('a\r\nb\n')).map((o) => ('line' in o ? dec(o.line) : '!')), ['a', '', 'b']);
  const serial = new GatewayLineReader({ endsAtCR: false });
  assert.deepEqual(serial.push(enc('a\r\nb\n')).map((o) => ('line' in o ? dec(o.line) : '!')), ['a\r', 'b']);
});

test('MQTT: levels after the prefix, payload apart, ; allowed, strings cut at 25', () => {
  const r = parseControllerMqtt('mygateway1-in/5/1/1/0/47', enc('a;b'), 'mygateway1-in');
  assert.equal(dec(r.message!.data), 'a;b');
  assert.equal(r.message!.destination, 5);
  assert.equal(dec(parseControllerMqtt('p/5/1/1/0/47', enc('y'.repeat(30)), 'p').message!.data), 'y'.repeat(25));
  // An empty level collapses: four tokens, dropped.
  assert.equal(parseControllerMqtt('p/5//1/0/47', enc('1'), 'p').drop, 'too-few-fields');
  // An empty string payload is an empty string, not a 0 byte.
  assert.equal(parseControllerMqtt('p/5/1/1/0/47', new Uint8Array(0), 'p').message!.data.length, 0);
});

test('MQTT: the stream overflow happens at the command level, even if the topic is short', () => {
  const r = parseControllerMqtt('p/5/1/4', enc('00'.repeat(26)), 'p');
  assert.equal(r.message, null);
  assert.equal(r.faults[0]?.kind, 'stream-overflow');
  assert.equal(r.faults[0]?.via, 'mqtt');
});

test('MQTT: stream chars read past the payload are decoded and recorded', () => {
  const r = parseControllerMqtt('p/5/1/4/0/83', enc('0102'), 'p', enc('01020304'));
  assert.deepEqual([...r.message!.data], [1, 2, 3, 4]);
  assert.deepEqual(r.faults, [{ kind: 'stream-read-past-payload', via: 'mqtt', hexLength: 8, nodeId: 5 }]);
  // A NUL after the hex stops the decoder where it should.
  const clean = parseControllerMqtt('p/5/1/4/0/83', enc('0102\0'), 'p', enc('0102'));
  assert.deepEqual([...clean.message!.data], [1, 2]);
  assert.deepEqual(clean.faults, []);
});

test('gateway printout: strings raw, numbers decimal, binary upper-case hex', () => {
  const base: RadioMessage = {
    sender: 5,
    destination: 0,
    childId: 1,
    command: Command.C_STREAM,
    requestEcho: false,
    isEcho: true,
    type: 83,
    payloadType: PayloadType.P_CUSTOM,
    data: new Uint8Array([0x0a, 0xbc]),
  };
  assert.equal(dec(formatGatewayLine(base)), '5;1;4;1;83;0ABC\n');
  assert.equal(dec(formatGatewayLine({ ...base, command: 1, payloadType: PayloadType.P_BYTE, data: new Uint8Array([7]) })), '5;1;1;1;83;7\n');
  const int16 = new Uint8Array([0xff, 0xff]);
  assert.equal(dec(renderPayload({ ...base, payloadType: PayloadType.P_INT16, data: int16 })), '-1');
  assert.equal(dec(renderPayload({ ...base, payloadType: PayloadType.P_UINT16, data: int16 })), '65535');
  const f = new Uint8Array(4);
  new DataView(f.buffer).setFloat32(0, 21.5, true);
  assert.equal(dec(renderPayload({ ...base, payloadType: PayloadType.P_FLOAT32, data: f, floatDecimals: 1 })), '21.5');
  assert.equal(dec(renderPayload({ ...base, payloadType: PayloadType.P_STRING, data: enc('ab\0cd') })), 'ab');
});
