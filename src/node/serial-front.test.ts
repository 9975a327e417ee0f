/**
 * The simulated serial gateway on a real pty pair (socat), read by MySeal's SerialGateway.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import { Command, Sensor, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { SerialGateway } from '../gateway/serial.ts';
import { requireTool } from '../../test/support/require-tool.ts';
import { createPtyPair } from '../../test/support/pty.ts';
import { SimGateway } from './gateway-core.ts';
import type { GatewayFault } from './controller-input.ts';
import { SimSerialFront } from './serial-front.ts';
import { PlainVirtualNode } from './virtual-node.ts';
import { until } from '../../test/support/until.ts';

async function setup(t: TestContext) {
  if (!requireTool(t, 'socat')) return null;
  const pair = await createPtyPair();
  const relay = new PlainVirtualNode({ nodeId: 5, confirmSets: true });
  const gw = new SimGateway({ nodes: [relay] });
  const front = new SimSerialFront(gw, { path: pair.gatewayPath });
  const daemon = new SerialGateway({ path: pair.daemonPath, backoff: { initialMs: 20, maxMs: 100 } });
  const messages: MySensorsMessage[] = [];
  daemon.on('message', (m) => messages.push(m));
  t.after(async () => {
    await daemon.stop();
    await front.close();
    gw.close();
    await pair.stop();
  });
  daemon.start();
  await until(() => daemon.connected);
  await front.start();
  return { pair, gw, relay, front, daemon, messages };
}

test('boot: the startup lines reach the daemon; I_VERSION is answered', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  await until(() => s.messages.length === 2);
  assert.deepEqual(s.messages, [
    { nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: 14, payload: 'Gateway startup complete.' },
    { nodeId: 0, childId: 255, command: Command.C_PRESENTATION, echo: false, type: Sensor.S_ARDUINO_REPEATER_NODE, payload: '2.3.2' },
  ]);
  assert.equal(s.daemon.send({ nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: 2, payload: '' }), true);
  await until(() => s.messages.length === 3);
  assert.equal(s.messages[2]!.payload, '2.3.2');
});

test('serial lines end at \\n only: a \\r-terminated line runs into the next', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.daemon.stop(); // write raw bytes instead of MySeal's well-formed lines
  const raw = new SerialPort({ path: s.pair.daemonPath, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => raw.open((e) => (e ? reject(e) : resolve())));
  t.after(() => new Promise<void>((resolve) => (raw.isOpen ? raw.close(() => resolve()) : resolve())));
  raw.write(`5;1;1;0;${SetReq.V_TEXT};a\r5;1;1;0;${SetReq.V_TEXT};b\n`);
  await until(() => s.gw.received(5).length === 1);
  // One line: the payload token is 'a\r5' (cut at the next ';').
  assert.equal(s.relay.value(1, SetReq.V_TEXT), 'a\r5');
  // '\r\n' leaves a '\r' that is stripped from a string payload...
  raw.write(`5;1;1;0;${SetReq.V_TEXT};c\r\n`);
  await until(() => s.gw.received(5).length === 2);
  assert.equal(s.relay.value(1, SetReq.V_TEXT), 'c');
  // ...but makes a stream payload odd: a fault on a real gateway.
  const fault = new Promise<GatewayFault>((resolve) => s.gw.once('gatewayFault', resolve));
  raw.write('5;1;4;0;83;ABCD\r\n');
  assert.equal((await fault).kind, 'stream-odd-length');
});

test('unsolicited node reports and a gateway reboot reach the daemon', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  await until(() => s.messages.length === 2);
  s.relay.change(1, SetReq.V_STATUS, '1');
  await until(() => s.messages.length === 3);
  assert.deepEqual(s.messages[2], { nodeId: 5, childId: 1, command: Command.C_SET, echo: false, type: 2, payload: '1' });
  s.front.reboot();
  await until(() => s.messages.length === 5);
  assert.equal(s.messages[3]!.type, 14);
});

test('cable pulled and plugged back: the daemon reopens the port and hears the rebooted gateway', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  await until(() => s.messages.length === 2);
  await s.pair.unplug();
  await until(() => !s.daemon.connected);
  await s.front.close();
  await s.pair.replug();
  await until(() => s.daemon.connected, 'the daemon link', 5_000);
  const front = new SimSerialFront(s.gw, { path: s.pair.gatewayPath });
  t.after(() => front.close());
  await front.start();
  await until(() => s.messages.length === 4);
  assert.equal(s.messages[2]!.payload, 'Gateway startup complete.');
});
