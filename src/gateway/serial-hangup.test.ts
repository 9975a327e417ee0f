/**
 * A hang-up is noticed every time: the cable pulled (socat's pty pair ended) eight times in a row,
 * and each time the link goes down and comes back once the cable is in again. Without the hang-up
 * aware read, a port whose reads return 0 bytes spins and stays "connected" (serial-hangup.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerialPort, SerialPortMock } from 'serialport';
import { createPtyPair } from '../../test/support/pty.ts';
import { requireTool } from '../../test/support/require-tool.ts';
import { until } from '../../test/support/until.ts';
import { hangupAware } from './serial-hangup.ts';
import { SerialGateway } from './serial.ts';

const UNPLUGS = 8;

test(`every one of ${UNPLUGS} unplugs is noticed, and every replug reconnects`, { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'socat')) return;
  const pair = await createPtyPair();
  const gateway = new SerialGateway({ path: pair.daemonPath, backoff: { initialMs: 20, maxMs: 100 } });
  const reasons: string[] = [];
  gateway.on('disconnected', (reason) => reasons.push(reason));
  t.after(async () => {
    await gateway.stop();
    await pair.stop();
  });
  gateway.start();
  for (let i = 0; i < UNPLUGS; i++) {
    await until(() => gateway.connected, `connected before unplug ${i + 1}`, 10_000);
    await pair.unplug();
    await until(() => !gateway.connected, `unplug ${i + 1} noticed`, 10_000);
    await pair.replug();
  }
  await until(() => gateway.connected, 'connected after the last replug', 10_000);
  assert.equal(reasons.length, UNPLUGS, 'one disconnect per unplug');
});

test('ports of the mock binding (no file descriptor) are left as they are', async () => {
  const MockBinding = SerialPortMock.binding;
  MockBinding.createPort('/dev/mock-hangup', { echo: false, record: false });
  const wrapped = hangupAware(MockBinding);
  const port = await wrapped.open({ path: '/dev/mock-hangup', baudRate: 115_200 });
  assert.equal(port.read, Object.getPrototypeOf(port).read, 'read is the mock\'s own');
  await port.close();
  MockBinding.reset();
  assert.equal(typeof hangupAware(SerialPort.binding).list, 'function', 'the rest of the binding is kept');
});
