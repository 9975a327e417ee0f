import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { ErrorCode, type MySealError } from '../core/errors.ts';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { freePort, requireMosquitto, startMosquitto } from '../../test/support/mosquitto.ts';
import type { Mosquitto } from '../../test/support/mosquitto.ts';
import { MqttGateway } from './mqtt.ts';
import type { MqttGatewayOptions } from './mqtt.ts';
import { until } from '../../test/support/until.ts';

const FAST = { initialMs: 50, maxMs: 200 };

interface Setup {
  broker: Mosquitto;
  gw: MqttGateway;
  peer: MqttClient;
  peerGot: { topic: string; payload: Buffer }[];
  messages: MySensorsMessage[];
  invalid: MySealError[];
  events: string[];
}

async function setup(t: TestContext, opts: Partial<MqttGatewayOptions> = {}): Promise<Setup | null> {
  if (!requireMosquitto(t)) return null;
  const broker = await startMosquitto();
  const cleanups: (() => Promise<unknown>)[] = [() => broker.stop()];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  // The peer plays the gateway's side of the broker: publishes under out, listens under in.
  const peer = await connectAsync(broker.url, { clientId: 'peer', reconnectPeriod: 0 });
  cleanups.push(() => peer.endAsync(true));
  const peerGot: Setup['peerGot'] = [];
  peer.on('message', (topic, payload) => peerGot.push({ topic, payload }));
  await peer.subscribeAsync(`${opts.inPrefix ?? 'mygateway1-in'}/#`);
  const gw = new MqttGateway({ url: broker.url, clientId: 'myseal-test', backoff: FAST, ...opts });
  cleanups.push(() => gw.stop());
  const messages: MySensorsMessage[] = [];
  const invalid: MySealError[] = [];
  const events: string[] = [];
  gw.on('message', (m) => messages.push(m));
  gw.on('invalid', (e) => invalid.push(e));
  gw.on('connected', () => events.push('connected'));
  gw.on('disconnected', (r) => events.push(`disconnected: ${r}`));
  return { broker, gw, peer, peerGot, messages, invalid, events };
}

const set = (payload: string): MySensorsMessage => ({
  nodeId: 5,
  childId: 1,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_STATUS,
  payload,
});

test('messages the gateway publishes arrive; bad ones are invalid and the link stays up', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  s.gw.start();
  await until(() => s.gw.connected);
  await s.peer.publishAsync('mygateway1-out/5/1/1/0/2', '1');
  await s.peer.publishAsync('mygateway1-out/5/1/1/0/47', 'a;b'); // ';' is fine on MQTT
  await s.peer.publishAsync('mygateway1-out/5/1/9/0/2', '1');
  await s.peer.publishAsync('mygateway1-out/5/1/1/0/2', Buffer.from([0xff]));
  await s.peer.publishAsync('mygateway1-out/5/1/4/0/83', '0A0B');
  await until(() => s.messages.length === 3 && s.invalid.length === 2);
  assert.deepEqual(s.messages[0], set('1'));
  assert.equal(s.messages[1]!.payload, 'a;b');
  assert.equal(s.messages[2]!.payload, '0A0B');
  assert.deepEqual(
    s.invalid.map((e) => e.code),
    [ErrorCode.BAD_COMMAND, ErrorCode.PAYLOAD_NOT_TEXT],
  );
  assert.equal(s.gw.connected, true);
});

test('send publishes under the in prefix, stream hex with a terminating NUL; false while down; throws for bad messages', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  assert.equal(s.gw.send(set('1')), false);
  s.gw.start();
  await until(() => s.gw.connected);
  assert.equal(s.gw.send(set('1')), true);
  assert.equal(s.gw.send({ ...set('0aff'), command: Command.C_STREAM, type: 83 }), true);
  await until(() => s.peerGot.length === 2);
  assert.equal(s.peerGot[0]!.topic, 'mygateway1-in/5/1/1/0/2');
  assert.equal(s.peerGot[0]!.payload.toString(), '1');
  assert.equal(s.peerGot[1]!.topic, 'mygateway1-in/5/1/4/0/83');
  assert.deepEqual([...s.peerGot[1]!.payload], [...Buffer.from('0aff\0')]);
  assert.throws(() => s.gw.send(set('x'.repeat(26))), (e: MySealError) => e.code === ErrorCode.PAYLOAD_TOO_LONG);
  assert.throws(
    () => s.gw.send({ ...set('AB'.repeat(26)), command: Command.C_STREAM, type: 83 }),
    (e: MySealError) => e.code === ErrorCode.BAD_STREAM_HEX,
  );
  // ';' is allowed over MQTT.
  assert.equal(s.gw.send({ ...set('1;2'), type: SetReq.V_TEXT }), true);
});

test('reconnects after the broker restarts', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  s.gw.start();
  await until(() => s.gw.connected);
  await s.broker.pause();
  await until(() => !s.gw.connected);
  assert.equal(s.gw.send(set('1')), false);
  await new Promise((r) => setTimeout(r, 150));
  await s.broker.restart();
  await until(() => s.gw.connected, 'the gateway link', 5_000);
  // The subscription is back too.
  const peer = await connectAsync(s.broker.url, { clientId: 'peer2', reconnectPeriod: 0 });
  t.after(() => peer.endAsync(true));
  await peer.publishAsync('mygateway1-out/5/1/1/0/2', '0');
  await until(() => s.messages.length === 1);
  assert.equal(s.events[0], 'connected');
  assert.match(s.events[1]!, /^disconnected/);
  assert.equal(s.events.at(-1), 'connected');
});

test('own prefixes (Domoticz style); the password never shows', { timeout: 15_000 }, async (t) => {
  const s = await setup(t, {
    inPrefix: 'domoticz/in/MyMQTT',
    outPrefix: 'domoticz/out/MyMQTT',
    username: 'lock',
    password: 's3cret-pw',
  });
  if (!s) return;
  s.gw.start();
  await until(() => s.gw.connected);
  assert.equal(s.gw.description, `${s.broker.url} (in domoticz/in/MyMQTT, out domoticz/out/MyMQTT)`);
  assert.ok(!s.gw.description.includes('s3cret'));
  await s.peer.publishAsync('domoticz/out/MyMQTT/5/1/1/0/2', '1');
  await s.peer.publishAsync('mygateway1-out/5/1/1/0/2', '1'); // not ours: never seen
  await until(() => s.messages.length === 1);
  s.gw.send(set('0'));
  await until(() => s.peerGot.length === 1);
  assert.equal(s.peerGot[0]!.topic, 'domoticz/in/MyMQTT/5/1/1/0/2');
  await s.gw.stop();
  assert.ok(s.events.every((e) => !e.includes('s3cret')));
  assert.deepEqual(s.events, ['connected', 'disconnected: stopped']);
});

test('an unusable prefix is refused at construction', () => {
  assert.throws(
    () => new MqttGateway({ url: 'mqtt://127.0.0.1:1', clientId: 'x', inPrefix: 'a/#' }),
    (e: MySealError) => e.code === ErrorCode.BAD_TOPIC,
  );
});

test('with no broker: retries quietly with backoff, and stop() ends it promptly', { timeout: 10_000 }, async () => {
  const port = await freePort();
  const gw = new MqttGateway({ url: `mqtt://127.0.0.1:${port}`, clientId: 'nobody', backoff: FAST });
  const events: string[] = [];
  gw.on('connected', () => events.push('connected'));
  gw.on('disconnected', (r) => events.push(r));
  gw.start();
  await new Promise((r) => setTimeout(r, 300));
  const started = performance.now();
  await gw.stop();
  assert.ok(performance.now() - started < 1_000);
  assert.deepEqual(events, []);
  assert.equal(gw.send(set('1')), false);
});
