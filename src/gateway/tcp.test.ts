import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ErrorCode, type MySealError } from '../core/errors.ts';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { TcpGateway } from './tcp.ts';
import type { GatewayTransport } from './transport.ts';
import { until } from '../../test/support/until.ts';

const FAST = { initialMs: 20, maxMs: 100 };

/** A stand-in gateway: a real TCP server on loopback that we script by hand. */
class FakeGateway {
  server = net.createServer();
  sockets = new Set<net.Socket>();
  received = '';
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on('data', (d) => (this.received += d.toString()));
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  write(data: string | Uint8Array): void {
    for (const s of this.sockets) s.write(data);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function setup(t: TestContext) {
  const fake = new FakeGateway();
  await fake.listen();
  const gw = new TcpGateway({ host: '127.0.0.1', port: fake.port, backoff: FAST });
  const messages: MySensorsMessage[] = [];
  const invalid: MySealError[] = [];
  gw.on('message', (m) => messages.push(m));
  gw.on('invalid', (e) => invalid.push(e));
  t.after(async () => {
    await gw.stop();
    await fake.close().catch(() => undefined);
  });
  return { fake, gw, messages, invalid };
}

function once(gw: GatewayTransport, event: 'connected' | 'disconnected', timeoutMs = 3_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (): void => {
      clearTimeout(timer);
      resolve();
    };
    if (event === 'connected') gw.once('connected', listener);
    else gw.once('disconnected', listener);
  });
}

const set = (payload: string): MySensorsMessage => ({
  nodeId: 5,
  childId: 1,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_STATUS,
  payload,
});

test('lines: whole, two in one chunk, split across chunks, \\r endings', { timeout: 10_000 }, async (t) => {
  const { fake, gw, messages } = await setup(t);
  gw.start();
  await once(gw, 'connected');
  assert.equal(gw.connected, true);
  assert.equal(gw.description, `tcp://127.0.0.1:${fake.port}`);
  fake.write('5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  fake.write('5;1;1;0;2;0\n5;1;1;0;2;1\n');
  await until(() => messages.length === 3);
  fake.write('5;1;1;');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(messages.length, 3);
  fake.write('0;2;0\r\n5;1;1;0;2;1\r');
  await until(() => messages.length === 5);
  assert.deepEqual(
    messages.map((m) => m.payload),
    ['1', '0', '1', '0', '1'],
  );
  assert.deepEqual(messages[0], set('1'));
});

test('a corrupt line is reported as invalid; the connection stays up and later lines arrive', { timeout: 10_000 }, async (t) => {
  const { fake, gw, messages, invalid } = await setup(t);
  gw.start();
  await once(gw, 'connected');
  fake.write('garbage;;\n5;1;1;0;2;1\n');
  fake.write(new Uint8Array([0xff, 0xfe, 0x0a]));
  fake.write(`${'x'.repeat(300)}\n5;1;1;0;2;0\n`);
  await until(() => messages.length === 2);
  assert.deepEqual(
    invalid.map((e) => e.code),
    [ErrorCode.BAD_NODE_ID, ErrorCode.LINE_NOT_TEXT, ErrorCode.LINE_TOO_LONG],
  );
  assert.equal(gw.connected, true);
});

test('send writes formatLine; returns false while down; throws for a message a gateway would mangle', { timeout: 10_000 }, async (t) => {
  const { fake, gw } = await setup(t);
  assert.equal(gw.send(set('1')), false, 'not started');
  gw.start();
  await once(gw, 'connected');
  assert.equal(gw.send(set('1')), true);
  await until(() => fake.received === '5;1;1;0;2;1\n');
  const stream = { ...set(''), command: Command.C_STREAM, type: 83 };
  const bad: [MySensorsMessage, ErrorCode][] = [
    [set('a;b'), ErrorCode.PAYLOAD_FORBIDDEN_CHAR],
    [set('y'.repeat(26)), ErrorCode.PAYLOAD_TOO_LONG],
    [{ ...stream, payload: 'AB'.repeat(26) }, ErrorCode.BAD_STREAM_HEX],
    [{ ...stream, payload: 'ABC' }, ErrorCode.BAD_STREAM_HEX],
  ];
  for (const [m, code] of bad) assert.throws(() => gw.send(m), (e: MySealError) => e.code === code);
  await gw.stop();
  assert.equal(gw.connected, false);
  assert.equal(gw.send(set('1')), false);
  assert.throws(() => gw.send(set('a;b')), (e: MySealError) => e.code === ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assert.equal(fake.received, '5;1;1;0;2;1\n');
});

test('reconnects after the gateway goes away and comes back on the same port', { timeout: 10_000 }, async (t) => {
  const { fake, gw, messages } = await setup(t);
  const events: string[] = [];
  gw.on('connected', () => events.push('connected'));
  gw.on('disconnected', (reason) => events.push(`disconnected: ${reason}`));
  gw.start();
  await once(gw, 'connected');
  const down = once(gw, 'disconnected');
  await fake.close();
  await down;
  assert.equal(gw.send(set('1')), false);
  // Refused attempts meanwhile: no events, just backoff.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(events.length, 2);
  const up = once(gw, 'connected');
  await fake.listen(fake.port);
  await up;
  fake.write('5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  assert.equal(events[0], 'connected');
  assert.match(events[1]!, /^disconnected: /);
  assert.equal(events[2], 'connected');
});

test('a half line from the old connection does not prefix the first line of the new one', { timeout: 10_000 }, async (t) => {
  const { fake, gw, messages, invalid } = await setup(t);
  gw.start();
  await once(gw, 'connected');
  fake.write('5;1;1;0;');
  await new Promise((r) => setTimeout(r, 30));
  const down = once(gw, 'disconnected');
  await fake.close();
  await down;
  const up = once(gw, 'connected');
  await fake.listen(fake.port);
  await up;
  fake.write('5;1;1;0;2;1\n');
  await until(() => messages.length === 1);
  assert.equal(invalid.length, 0);
});

test('stop() ends the connection and the retries', { timeout: 10_000 }, async (t) => {
  const { fake, gw } = await setup(t);
  const reasons: string[] = [];
  gw.on('disconnected', (r) => reasons.push(r));
  gw.start();
  await once(gw, 'connected');
  await gw.stop();
  assert.deepEqual(reasons, ['stopped']);
  await until(() => fake.sockets.size === 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fake.sockets.size, 0, 'no reconnect after stop');
});

test('IPv6 loopback works and is shown in brackets', { timeout: 10_000 }, async (t) => {
  const server = net.createServer((s) => s.end('5;1;1;0;2;1\n'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '::1', () => resolve());
    });
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  const port = (server.address() as net.AddressInfo).port;
  const gw = new TcpGateway({ host: '::1', port, backoff: FAST });
  t.after(async () => {
    await gw.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  assert.equal(gw.description, `tcp://[::1]:${port}`);
  const got = new Promise<MySensorsMessage>((resolve) => gw.once('message', resolve));
  gw.start();
  assert.deepEqual(await got, set('1'));
});
