import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command, Internal, Sensor, SetReq } from '../../core/mysensors/enums.ts';
import { formatLine } from '../../core/mysensors/line.ts';
import { GatewayLink } from '../../gateway/link.ts';
import type { GatewayStream, StreamSink } from '../../gateway/link.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { lineClient } from '../../../test/support/line-client.ts';
import type { LineClient } from '../../../test/support/line-client.ts';
import { until } from '../../../test/support/until.ts';
import { Daemon } from '../../service/daemon.ts';
import { MAX_BACKLOG_BYTES, MAX_HELD_BYTES, STUCK_AFTER_MS } from './controller-output.ts';
import { GATEWAY_GREETING } from './gateway-greeting.ts';
import { TcpListener } from './tcp-listener.ts';

/** The next n lines a client has not been handed yet (waits up to 2 s). */
const handed = new WeakMap<LineClient, number>();
async function next(c: LineClient, n: number): Promise<string[]> {
  const from = handed.get(c) ?? 0;
  const deadline = Date.now() + 2000;
  while (c.lines.length < from + n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  handed.set(c, from + n);
  return c.lines.slice(from, from + n);
}

test('several controllers at once: greeted like a gateway, all hear the gateway, each can send', async (t) => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map() });
  daemon.start();
  const listener = new TcpListener(daemon, { host: '127.0.0.1', port: 0 });
  const { port } = await listener.listen();
  t.after(() => listener.close());
  const ca = lineClient(port);
  const cb = lineClient(port);
  const a = ca.socket;
  const b = cb.socket;
  const la = { next: (n = 1) => next(ca, n) };
  const lb = { next: (n = 1) => next(cb, n) };
  assert.deepEqual(await la.next(2), GATEWAY_GREETING);
  assert.deepEqual(await lb.next(2), GATEWAY_GREETING);
  assert.equal(listener.clientCount, 2);

  gateway.fromNode({ nodeId: 7, childId: 0, command: Command.C_SET, echo: false, type: SetReq.V_TEMP, payload: '21.5' }, '7;0;1;0;0;21.5');
  assert.deepEqual(await la.next(), ['7;0;1;0;0;21.5']);
  assert.deepEqual(await lb.next(), ['7;0;1;0;0;21.5']);

  // A bad line from one controller is counted; its connection and the next line survive.
  a.write('garbage\n7;3;1;0;2;1\n');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(daemon.counters.get('controller:LINE_FIELD_COUNT'), 1);
  assert.deepEqual(gateway.sent.at(-1), { nodeId: 7, childId: 3, command: Command.C_SET, echo: false, type: 2, payload: '1' });

  // A plain unlock to the sealed lock is refused by policy and never reaches the gateway.
  const before = gateway.sent.length;
  b.write('5;1;1;0;36;0\n');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(gateway.sent.length, before);
  a.destroy();
  b.destroy();
});

/** A daemon on a fake gateway with the proxy port in front, on a clock the test moves by hand. */
async function proxy(t: TestContext) {
  const p = makePair();
  const gateway = new FakeGateway();
  const warnings: { where: string; code: string; detail: Record<string, unknown> }[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (o: object) => void warnings.push(o as (typeof warnings)[number]) };
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), logger });
  daemon.start();
  // What the daemon and the gateway say to each other at start is over before a controller connects.
  await nextTurn();
  await nextTurn();
  const clock = { now: 0 };
  const listener = new TcpListener(daemon, { host: '127.0.0.1', port: 0, clock: () => clock.now });
  const { port } = await listener.listen();
  t.after(async () => {
    await listener.close();
    await daemon.stop();
  });
  const stuckReports = () => warnings.filter((w) => w.code === 'CONTROLLER_STUCK');
  return { gateway, daemon, listener, port, clock, stuckReports };
}

const gatewayMessage = (command: Command, type: number, payload: string): MySensorsMessage => ({
  nodeId: 0,
  childId: 255,
  command,
  echo: false,
  type,
  payload,
});

test('a controller is greeted with what the gateway itself last presented; the others are not greeted again', async (t) => {
  const { gateway, port } = await proxy(t);
  const first = lineClient(port);
  t.after(() => first.socket.destroy());
  // Nothing heard from the gateway yet: a 2.3.2 gateway with a radio (a repeater, 18) is assumed.
  await until(() => first.lines.length >= 2, 'the first greeting');
  assert.deepEqual(first.lines, ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.2']);

  // The gateway (re)starts: its lines reach the connected controller through the relay. The
  // presentation comes as a message alone, as from an MQTT gateway.
  gateway.fromNode(gatewayMessage(Command.C_INTERNAL, Internal.I_GATEWAY_READY, 'Gateway startup complete.'), '0;255;3;0;14;Gateway startup complete.');
  gateway.fromNode(gatewayMessage(Command.C_PRESENTATION, Sensor.S_ARDUINO_REPEATER_NODE, '2.3.3-dev'));
  await until(() => first.lines.length >= 4, 'the relayed start-up lines');

  const second = lineClient(port);
  t.after(() => second.socket.destroy());
  await until(() => second.lines.length >= 2, 'the second greeting');
  assert.deepEqual(second.lines, ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.3-dev']);

  // A line from the gateway after the second joined: the first hears it, and nothing in between.
  gateway.fromNode({ nodeId: 7, childId: 0, command: Command.C_SET, echo: false, type: SetReq.V_TEMP, payload: '21.5' }, '7;0;1;0;0;21.5');
  await until(() => first.lines.includes('7;0;1;0;0;21.5') && second.lines.includes('7;0;1;0;0;21.5'), 'the next line');
  assert.deepEqual(first.lines, [
    '0;255;3;0;14;Gateway startup complete.',
    '0;255;0;0;18;2.3.2',
    '0;255;3;0;14;Gateway startup complete.',
    '0;255;0;0;18;2.3.3-dev',
    '7;0;1;0;0;21.5',
  ]);
});

// Gateway lines for the backlog tests: long ones, so a few thousand make megabytes (the proxy
// passes a gateway's line on as it came, whatever its length), each with its number.
const plain: MySensorsMessage = { nodeId: 7, childId: 0, command: Command.C_SET, echo: false, type: SetReq.V_TEXT, payload: 'burst' };
const burstLine = (n: number, length = 1024): string => `7;0;1;0;47;${String(n).padStart(8, '0')}${'x'.repeat(length - 20)}`;
const burstLines = (count: number, length?: number): string[] => Array.from({ length: count }, (_, n) => burstLine(n, length));

/** A controller that connects and never reads a byte. */
function neverReads(port: number) {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.pause();
  socket.on('error', () => undefined);
  return socket;
}

test('a controller that stops reading is dropped once behind and idle; one that reads gets every line, in order', { timeout: 60_000 }, async (t) => {
  const { gateway, listener, port, clock, stuckReports } = await proxy(t);
  const reader = lineClient(port, '127.0.0.1', 'latin1');
  const stuck = neverReads(port);
  t.after(() => {
    reader.socket.destroy();
    stuck.destroy();
  });
  await until(() => listener.clientCount === 2 && reader.lines.length >= 2, 'both controllers');

  // 64 KiB of gateway lines a turn, the reader keeping up; the clock moves half the idle limit a turn.
  const CHUNK = 64;
  const MAX_CHUNKS = 200; // 12.5 MiB: far more than the bound plus anything the kernel buffers
  const expected: string[] = [];
  for (let chunk = 0; chunk < MAX_CHUNKS && stuckReports().length === 0; chunk++) {
    for (let i = 0; i < CHUNK; i++) {
      const line = burstLine(expected.length);
      expected.push(line);
      gateway.fromNode(plain, line);
    }
    await until(() => reader.lines.length >= 2 + expected.length, 'the reader to keep up', 20_000);
    clock.now += STUCK_AFTER_MS / 2;
  }
  const reports = stuckReports();
  assert.equal(reports.length, 1, 'the stuck controller is dropped and counted');
  // What the daemon held for it: the bound, and what came in while it sat behind and idle (a few
  // chunks), not the megabytes a bound on size alone needs to spare a reader.
  const held = reports[0]!.detail.unsentBytes as number;
  assert.ok(held > MAX_BACKLOG_BYTES && held <= MAX_BACKLOG_BYTES + 4 * CHUNK * 1024, `held ${held} bytes`);
  await until(() => listener.clientCount === 1, 'the stuck controller to be gone');

  // The reader carries on.
  for (let i = 0; i < CHUNK; i++) {
    const line = burstLine(expected.length);
    expected.push(line);
    gateway.fromNode(plain, line);
  }
  await until(() => reader.lines.length >= 2 + expected.length, 'the reader to get the rest');
  assert.equal(reader.closed, false);
  assert.ok(reader.lines.slice(2).every((l, n) => l === expected[n]), 'every line, in order');
  assert.equal(reader.lines.length, 2 + expected.length);
});

/** A controller that reads slowly but steadily: what the socket has for it, once a turn of the event loop. */
function slowReader(port: number) {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.setEncoding('latin1');
  socket.pause();
  socket.on('error', () => undefined);
  const reader = { socket, lines: [] as string[], closed: false, take };
  socket.on('close', () => (reader.closed = true));
  let partial = '';
  function take(): void {
    const chunk = socket.read() as string | null;
    if (chunk === null) return;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    reader.lines.push(...parts);
  }
  return reader;
}

test('a controller that keeps reading, slowly, through a burst far beyond the bound is never dropped, and gets every line', { timeout: 60_000 }, async (t) => {
  const { gateway, listener, port, clock, stuckReports } = await proxy(t);
  const reader = slowReader(port);
  t.after(() => reader.socket.destroy());
  await until(() => (reader.take(), reader.lines.length >= 2), 'the greeting');

  // 14 MiB unpaced: 12 MiB at once (no turn of the event loop in between), then 1 MiB a turn
  // twice; after that the gateway keeps talking, a line a turn, while the reader works through its
  // backlog, taking one socket read a turn. The clock moves 1/100 of the idle limit a turn: a
  // controller that took nothing for 100 turns in a row while behind would be dropped. (A reader
  // that reads shows it in completed writes only every few dozen turns here: the kernel wakes a
  // writer on a full socket only once a good part of its send buffer is free again.)
  const expected = burstLines(14 * 1024);
  const pieces = [expected.slice(0, 12 * 1024), expected.slice(12 * 1024, 13 * 1024), expected.slice(13 * 1024)];
  const MAX_TURNS = 100_000;
  for (let turn = 0; turn < MAX_TURNS && !reader.closed; turn++) {
    reader.take();
    if (reader.lines.length >= 2 + expected.length) break;
    const piece = pieces[turn];
    if (piece) piece.forEach((line) => gateway.fromNode(plain, line));
    else {
      const line = burstLine(expected.length);
      expected.push(line);
      gateway.fromNode(plain, line);
    }
    clock.now += STUCK_AFTER_MS / 100;
    await nextTurn();
  }
  assert.equal(reader.closed, false, 'the reader was dropped');
  assert.deepEqual(stuckReports(), []);
  assert.ok(expected.length > 14 * 1024, 'the gateway kept talking while the reader was behind');
  assert.equal(reader.lines.length, 2 + expected.length);
  assert.ok(reader.lines.slice(2).every((l, n) => l === expected[n]), 'every line, in order');
  assert.equal(listener.clientCount, 1);
});

test('whatever the clock says, a controller that never reads is dropped before the daemon holds more than the ceiling for it', { timeout: 60_000 }, async (t) => {
  const { gateway, listener, port, stuckReports } = await proxy(t);
  const stuck = neverReads(port);
  t.after(() => stuck.destroy());
  await until(() => listener.clientCount === 1, 'the controller');

  // A flood on the gateway's link with the clock standing still: 16 KiB lines until it is dropped.
  const LINE = 16 * 1024;
  const MAX_LINES = (2 * MAX_HELD_BYTES) / LINE; // the ceiling plus far more than the kernel buffers
  for (let n = 0; n < MAX_LINES && stuckReports().length === 0; n++) {
    gateway.fromNode(plain, burstLine(n, LINE));
    if (n % 64 === 0) await nextTurn();
  }
  const reports = stuckReports();
  assert.equal(reports.length, 1, 'dropped and counted');
  const held = reports[0]!.detail.unsentBytes as number;
  assert.ok(held > MAX_HELD_BYTES && held <= MAX_HELD_BYTES + LINE + 1, `held ${held} bytes`);
  await until(() => listener.clientCount === 0, 'the controller to be gone');
});

test('a busy link: each chunk of gateway lines reaches every controller whole and in order, a refused line left out', { timeout: 30_000 }, async (t) => {
  const p = makePair();
  let sink: StreamSink | undefined;
  const open = async (s: StreamSink): Promise<GatewayStream<string>> => {
    sink = s;
    return { write: () => undefined, ended: new Promise<string>(() => undefined), close: async () => undefined };
  };
  const gateway = new GatewayLink<string>({ description: 'hand-fed', open, encode: formatLine });
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map() });
  daemon.start();
  await until(() => gateway.connected, 'the gateway link');
  const listener = new TcpListener(daemon, { host: '127.0.0.1', port: 0 });
  const { port } = await listener.listen();
  const clients = [lineClient(port), lineClient(port), lineClient(port)];
  t.after(async () => {
    for (const c of clients) c.socket.destroy();
    await listener.close();
    await daemon.stop();
  });
  await until(() => clients.every((c) => c.lines.length >= 2), 'the greetings');

  // Chunks far larger than one write, each cut mid-line, some lines ending in \r\n, one refused.
  const expected: string[] = [];
  const stream: string[] = [];
  for (let n = 0; n < 20_000; n++) {
    const line = n === 777 ? '7;0;1;0;1;bad\tvalue' : `7;${n % 200};1;0;0;${n}`;
    if (n !== 777) expected.push(line);
    stream.push(`${line}${n % 3 === 0 ? '\r\n' : '\n'}`);
  }
  const bytes = Buffer.from(stream.join(''));
  for (let at = 0; at < bytes.length; at += 100_003) sink!.bytes(bytes.subarray(at, at + 100_003));
  await until(() => clients.every((c) => c.lines.length >= 2 + expected.length), 'every line', 20_000);
  for (const c of clients) assert.deepEqual(c.lines.slice(2), expected);
  assert.equal(daemon.counters.get('gateway:LINE_NOT_TEXT'), 1);
});
