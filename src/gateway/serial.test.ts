import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SerialPortMock } from 'serialport';
import { ErrorCode, type MySealError } from '../core/errors.ts';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { SerialGateway } from './serial.ts';
import { until } from '../../test/support/until.ts';

const FAST = { initialMs: 20, maxMs: 100 };
/** @serialport/binding-mock's MockBinding, reached through serialport (which ships that very version with its types). */
const MockBinding = SerialPortMock.binding;
type MockPortBinding = NonNullable<SerialPortMock['port']>;
let nextPort = 0;

function setup(t: TestContext) {
  const path = `/dev/ttyMOCK${nextPort++}`;
  MockBinding.createPort(path, { echo: false, record: true });
  const gw = new SerialGateway({ path, binding: MockBinding, backoff: FAST });
  const messages: MySensorsMessage[] = [];
  const invalid: MySealError[] = [];
  const events: string[] = [];
  gw.on('message', (m) => messages.push(m));
  gw.on('invalid', (e) => invalid.push(e));
  gw.on('connected', () => events.push('connected'));
  gw.on('disconnected', (r) => events.push(`disconnected: ${r}`));
  t.after(async () => {
    await gw.stop();
  });
  const binding = (): MockPortBinding => {
    const port = gw.serialPort;
    assert.ok(port, 'port is open');
    return port.port as unknown as MockPortBinding; // opened with the mock binding
  };
  return { path, gw, messages, invalid, events, binding };
}

const set = (payload: string): MySensorsMessage => ({
  nodeId: 5,
  childId: 1,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_STATUS,
  payload,
});

test('lines: whole, two in one chunk, split across chunks', { timeout: 10_000 }, async (t) => {
  const { gw, messages, binding } = setup(t);
  gw.start();
  await until(() => gw.connected);
  assert.match(gw.description, /^serial:\/\/\/dev\/ttyMOCK\d+\?baud=115200$/);
  binding().emitData('5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  binding().emitData('5;1;1;0;2;0\n5;1;1;0;2;1\n');
  await until(() => messages.length === 3);
  binding().emitData('5;1;1;0');
  await new Promise((r) => setTimeout(r, 20));
  binding().emitData(';2;0\n');
  await until(() => messages.length === 4);
  assert.deepEqual(
    messages.map((m) => m.payload),
    ['1', '0', '1', '0'],
  );
});

test('a corrupt line is reported as invalid and later lines still arrive', { timeout: 10_000 }, async (t) => {
  const { gw, messages, invalid, binding } = setup(t);
  gw.start();
  await until(() => gw.connected);
  binding().emitData(Buffer.from([0x80, 0x0a]));
  binding().emitData('5;1;9;0;2;1\n5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  assert.deepEqual(
    invalid.map((e) => e.code),
    [ErrorCode.LINE_NOT_TEXT, ErrorCode.BAD_COMMAND],
  );
  assert.equal(gw.connected, true);
});

test('send writes the line; false while down; throws for a mangled message', { timeout: 10_000 }, async (t) => {
  const { gw, binding } = setup(t);
  assert.equal(gw.send(set('1')), false);
  gw.start();
  await until(() => gw.connected);
  assert.equal(gw.send(set('1')), true);
  await until(() => binding().recording.toString() === '5;1;1;0;2;1\n');
  assert.throws(() => gw.send(set('a;b')), (e: MySealError) => e.code === ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assert.throws(() => gw.send(set('z'.repeat(26))), (e: MySealError) => e.code === ErrorCode.PAYLOAD_TOO_LONG);
  assert.throws(
    () => gw.send({ ...set('AB'.repeat(26)), command: Command.C_STREAM, type: 83 }),
    (e: MySealError) => e.code === ErrorCode.BAD_STREAM_HEX,
  );
});

test('the device disappearing closes the link; it is reopened with backoff when it comes back', { timeout: 10_000 }, async (t) => {
  const { path, gw, messages, events, binding } = setup(t);
  gw.start();
  await until(() => gw.connected);
  await new Promise((r) => setTimeout(r, 20)); // let the stream start its first read
  // Unplugged: the port is gone, and the pending read fails the way a read on a vanished tty does.
  MockBinding.reset();
  const pending = binding() as unknown as { pendingRead: ((err: Error) => void) | null };
  assert.ok(pending.pendingRead, 'a read is pending');
  pending.pendingRead(new Error('EIO: i/o error, read'));
  await until(() => !gw.connected);
  assert.equal(gw.send(set('1')), false);
  await new Promise((r) => setTimeout(r, 150)); // reopen attempts fail meanwhile: port does not exist
  assert.equal(gw.connected, false);
  MockBinding.createPort(path, { echo: false, record: true });
  await until(() => gw.connected);
  binding().emitData('5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  assert.deepEqual(events.slice(0, 1), ['connected']);
  assert.match(events[1]!, /^disconnected: .*EIO/);
  assert.equal(events[2], 'connected');
});

test('opening a port that is not there keeps retrying until stop()', { timeout: 10_000 }, async (t) => {
  const gw = new SerialGateway({ path: '/dev/ttyNOPE', binding: MockBinding, backoff: FAST });
  t.after(() => gw.stop());
  const events: string[] = [];
  gw.on('connected', () => events.push('connected'));
  gw.start();
  await new Promise((r) => setTimeout(r, 100));
  await gw.stop();
  assert.deepEqual(events, []);
  assert.equal(gw.connected, false);
});
