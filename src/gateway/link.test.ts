import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, MySealError, type Result } from '../core/errors.ts';
import { formatLine } from '../core/mysensors/line.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { NOT_A_LINE, REFUSED_LINE } from '../core/mysensors/line-batch.ts';
import type { LineBatch } from '../core/mysensors/line-batch.ts';
import { packHeader } from '../core/mysensors/line-header.ts';
import { GatewayLink } from './link.ts';
import type { GatewayStream, StreamSink } from './link.ts';
import { MqttGateway } from './mqtt.ts';
import { SerialGateway } from './serial.ts';
import { TcpGateway } from './tcp.ts';
import { until } from '../../test/support/until.ts';

const FAST = { initialMs: 5, maxMs: 20 };

/** One scripted connection: what the link wrote to it, and hands to end it or feed it. */
interface FakeConnection {
  sink: StreamSink;
  signal: AbortSignal;
  written: string[];
  end(reason: string): void;
  closedByLink: boolean;
}

/** An opener whose attempts the test answers one by one: accept(), or refuse(reason). */
function scriptedOpener() {
  const attempts: { sink: StreamSink; signal: AbortSignal; accept(): FakeConnection; refuse(reason: string): void }[] = [];
  const open = (sink: StreamSink, signal: AbortSignal): Promise<GatewayStream<string>> =>
    new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
      attempts.push({
        sink,
        signal,
        refuse: (reason) => reject(new Error(reason)),
        accept: () => {
          let end: (reason: string) => void = () => undefined;
          const ended = new Promise<string>((r) => (end = r));
          const connection: FakeConnection = { sink, signal, written: [], end, closedByLink: false };
          resolve({
            write: (line) => void connection.written.push(line),
            ended,
            close: async () => {
              connection.closedByLink = true;
              end('closed here');
            },
          });
          return connection;
        },
      });
    });
  return { attempts, open };
}

function linkWith(open: (sink: StreamSink, signal: AbortSignal) => Promise<GatewayStream<string>>, backoff = FAST) {
  const link = new GatewayLink<string>({ description: 'fake', open, encode: formatLine, backoff });
  const events: string[] = [];
  const messages: [MySensorsMessage, string | undefined][] = [];
  const invalid: [ErrorCode, string | undefined][] = [];
  link.on('connected', () => events.push('connected'));
  link.on('disconnected', (r) => events.push(`disconnected: ${r}`));
  link.on('failed', (r) => events.push(`failed: ${r}`));
  link.on('message', (m, raw) => messages.push([m, raw]));
  link.on('invalid', (e, raw) => invalid.push([e.code, raw]));
  return { link, events, messages, invalid };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const status: MySensorsMessage = { nodeId: 5, childId: 1, command: 1, echo: false, type: 2, payload: '1' };

test('each refused attempt is reported failed with its reason and retried; then connected', async () => {
  const { attempts, open } = scriptedOpener();
  const { link, events } = linkWith(open);
  link.start();
  link.start(); // a second start opens nothing more
  assert.equal(attempts.length, 1);
  attempts[0]!.refuse('ECONNREFUSED');
  await until(() => attempts.length === 2);
  attempts[1]!.refuse('Connection refused: Not authorized');
  await until(() => attempts.length === 3);
  attempts[2]!.accept();
  await until(() => link.connected);
  assert.deepEqual(events, ['failed: ECONNREFUSED', 'failed: Connection refused: Not authorized', 'connected']);
  await link.stop();
  assert.deepEqual(events.slice(3), ['disconnected: stopped']);
});

test('lines: framed across chunks, read, invalid ones with their raw line; a new connection drops the old half line', async () => {
  const { attempts, open } = scriptedOpener();
  const { link, events, messages, invalid } = linkWith(open);
  link.start();
  const first = attempts[0]!.accept();
  await until(() => link.connected);
  first.sink.bytes(bytes('5;1;1;0;2;1\n5;1;1;0;47;a'));
  first.sink.bytes(bytes(';b\n5;1;1;'));
  first.end('ECONNRESET');
  await until(() => attempts.length === 2);
  assert.deepEqual(events, ['connected', 'disconnected: ECONNRESET']);
  const second = attempts[1]!.accept();
  await until(() => link.connected);
  second.sink.bytes(bytes('0;2;0\n'));
  first.sink.bytes(bytes('5;1;1;0;2;1\n')); // the old connection's last words are not heard
  assert.deepEqual(messages, [[status, '5;1;1;0;2;1']]);
  assert.deepEqual(invalid, [
    [ErrorCode.PAYLOAD_FORBIDDEN_CHAR, '5;1;1;0;47;a;b'],
    [ErrorCode.LINE_FIELD_COUNT, '0;2;0'],
  ]);
  await link.stop();
});

test('messages a transport has read itself come without a raw line', async () => {
  const { attempts, open } = scriptedOpener();
  const { link, messages, invalid } = linkWith(open);
  link.start();
  const c = attempts[0]!.accept();
  await until(() => link.connected);
  const refused: Result<MySensorsMessage> = { ok: false, error: new MySealError(ErrorCode.BAD_TOPIC, 'not a topic') };
  c.sink.message({ ok: true, value: status });
  c.sink.message(refused);
  assert.deepEqual(messages, [[status, undefined]]);
  assert.deepEqual(invalid, [[ErrorCode.BAD_TOPIC, undefined]]);
  await link.stop();
});

test('send: encodes (and throws) even while down, false while down, written while up', async () => {
  const { attempts, open } = scriptedOpener();
  const { link } = linkWith(open);
  assert.equal(link.send(status), false);
  assert.throws(() => link.send({ ...status, payload: 'a;b' }), (e: MySealError) => e.code === ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  link.start();
  const c = attempts[0]!.accept();
  await until(() => link.connected);
  assert.equal(link.send(status), true);
  assert.deepEqual(c.written, ['5;1;1;0;2;1\n']);
  await link.stop();
  assert.equal(c.closedByLink, true);
  assert.equal(link.send(status), false);
});

test('stop() while opening aborts the attempt: no event, no retry', async () => {
  const { attempts, open } = scriptedOpener();
  const { link, events } = linkWith(open);
  link.start();
  await link.stop();
  assert.equal(attempts[0]!.signal.aborted, true);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(attempts.length, 1);
  assert.deepEqual(events, []);
  assert.equal(link.connected, false);
});

test('stop() while a retry is pending cancels it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { attempts, open } = scriptedOpener();
  const { link, events } = linkWith(open);
  link.start();
  attempts[0]!.refuse('ENOENT');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['failed: ENOENT']);
  await link.stop();
  t.mock.timers.tick(60_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(attempts.length, 1);
});

test('abandon() exists only where a new connection reaches the gateway itself (TCP)', () => {
  assert.equal(typeof new TcpGateway({ host: '127.0.0.1', port: 1 }).abandon, 'function');
  assert.equal('abandon' in new SerialGateway({ path: '/dev/ttyNOPE' }), false);
  assert.equal('abandon' in new MqttGateway({ url: 'mqtt://127.0.0.1:1', clientId: 'x' }), false);
});

test('while anyone listens for batches, a chunk comes as one batch of every line, and not line by line', async () => {
  const { attempts, open } = scriptedOpener();
  const { link, messages, invalid } = linkWith(open);
  const batches: { headers: number[]; texts: (string | undefined)[] }[] = [];
  const onLines = (batch: LineBatch): void => {
    const headers: number[] = [];
    const texts: (string | undefined)[] = [];
    for (let i = 0; i < batch.size; i++) {
      headers.push(batch.header(i));
      texts.push(batch.text(i));
    }
    batches.push({ headers, texts });
  };
  link.on('lines', onLines);
  link.start();
  await until(() => attempts.length === 1, 'an attempt');
  const connection = attempts[0]!.accept();
  await until(() => link.connected, 'connected');
  connection.sink.bytes(bytes(`5;1;1;0;2;1\nnonsense\n${'x'.repeat(120)}\n5;1;1;0;2;`));
  connection.sink.bytes(bytes('0\n'));
  assert.deepEqual(messages, []);
  assert.deepEqual(invalid, []);
  assert.deepEqual(batches, [
    { headers: [packHeader(status), REFUSED_LINE, NOT_A_LINE], texts: ['5;1;1;0;2;1', 'nonsense', undefined] },
    { headers: [packHeader({ ...status, payload: '0' })], texts: ['5;1;1;0;2;0'] },
  ]);
  // No one listening for batches: line by line again.
  link.off('lines', onLines);
  connection.sink.bytes(bytes('5;1;1;0;2;1\nnonsense\n'));
  assert.deepEqual(messages, [[status, '5;1;1;0;2;1']]);
  assert.deepEqual(invalid, [[ErrorCode.LINE_FIELD_COUNT, 'nonsense']]);
  await link.stop();
});

test('a failed attempt says when the next one comes: the backoff delay, growing', async () => {
  const { attempts, open } = scriptedOpener();
  const link = new GatewayLink<string>({ description: 'fake', open, encode: formatLine, backoff: { initialMs: 5, factor: 2, maxMs: 40, jitter: 0 } });
  const delays: number[] = [];
  link.on('failed', (_reason, retryInMs) => delays.push(retryInMs));
  link.start();
  for (let i = 0; i < 3; i++) {
    attempts[i]!.refuse('ECONNREFUSED');
    await until(() => attempts.length === i + 2);
  }
  assert.deepEqual(delays, [5, 10, 20]);
  await link.stop();
});

test('a lost connection says when the next attempt comes; a stop says none', async () => {
  const { attempts, open } = scriptedOpener();
  const link = new GatewayLink<string>({ description: 'fake', open, encode: formatLine, backoff: { initialMs: 5, factor: 2, maxMs: 40, jitter: 0 } });
  const downs: [string, number | undefined][] = [];
  link.on('disconnected', (reason, retryInMs) => downs.push([reason, retryInMs]));
  link.start();
  attempts[0]!.accept().end('ECONNRESET');
  await until(() => attempts.length === 2);
  attempts[1]!.accept();
  await until(() => link.connected);
  await link.stop();
  assert.deepEqual(downs, [['ECONNRESET', 5], ['stopped', undefined]]);
});
