/**
 * The simulated MQTT gateway against a real mosquitto, including the PubSubClient buffer quirk.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { MqttGateway } from '../gateway/mqtt.ts';
import { requireMosquitto, startMosquitto } from '../../test/support/mosquitto.ts';
import { SimGateway } from './gateway-core.ts';
import { SimMqttFront } from './mqtt-front.ts';
import type { SimMqttFrontOptions } from './mqtt-front.ts';
import { PubSubBuffer } from './pubsub-buffer.ts';
import { PlainVirtualNode } from './virtual-node.ts';
import type { VirtualNode } from './virtual-node.ts';
import { until } from '../../test/support/until.ts';

/** A node that answers a stream message with as many 0xEE bytes as its first byte says (1-25). */
const talker: VirtualNode = {
  nodeId: 6,
  receive: (m) =>
    m.command === Command.C_STREAM
      ? [
          {
            nodeId: 6,
            childId: m.childId,
            command: Command.C_STREAM,
            echo: false,
            type: m.type,
            payload: 'EE'.repeat(Math.min(25, Math.max(1, m.data[0] ?? 1))),
          },
        ]
      : [],
};

async function setup(t: TestContext, front: Partial<SimMqttFrontOptions> = {}) {
  if (!requireMosquitto(t)) return null;
  const broker = await startMosquitto();
  const cleanups: (() => Promise<unknown>)[] = [() => broker.stop()];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const relay = new PlainVirtualNode({ nodeId: 5, confirmSets: true });
  const gw = new SimGateway({ nodes: [relay, talker] });
  cleanups.push(async () => gw.close());
  // A raw controller on the broker: sees everything, sends anything.
  const raw: MqttClient = await connectAsync(broker.url, { clientId: 'raw-controller', reconnectPeriod: 0 });
  cleanups.push(() => raw.endAsync(true));
  const out: string[] = [];
  raw.on('message', (topic, payload) => out.push(`${topic} ${payload.toString()}`));
  await raw.subscribeAsync('mygateway1-out/#');
  const sim = new SimMqttFront(gw, { url: broker.url, ...front });
  cleanups.push(() => sim.close());
  await sim.start();
  return { broker, gw, relay, raw, out, sim };
}

test('connects as mysensors-1, announces itself, answers I_VERSION', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  assert.equal(s.sim.clientId, 'mysensors-1');
  await until(() => s.out.length === 2);
  assert.deepEqual(s.out, ['mygateway1-out/0/255/3/0/14 Gateway startup complete.', 'mygateway1-out/0/255/0/0/18 2.3.2']);
  await s.raw.publishAsync('mygateway1-in/0/255/3/0/2', '');
  await until(() => s.out.length === 3);
  assert.equal(s.out[2], 'mygateway1-out/0/255/3/0/2 2.3.2');
});

test('; passes on MQTT; strings are cut to 25 bytes', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.raw.publishAsync(`mygateway1-in/5/1/1/0/${SetReq.V_TEXT}`, 'a;b');
  await until(() => s.out.some((l) => l.endsWith(' a;b')));
  await s.raw.publishAsync(`mygateway1-in/5/1/1/0/${SetReq.V_TEXT}`, 'c'.repeat(26));
  await until(() => s.out.some((l) => l.endsWith(` ${'c'.repeat(25)}`)));
  assert.equal(s.relay.value(1, SetReq.V_TEXT), 'c'.repeat(25));
});

test('PubSubClient buffer: an unterminated short stream after a longer publish picks up stale bytes', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  // The node's 25-byte answer is published by the gateway from the same buffer: its hex ends
  // far past where the next, shorter command's payload ends.
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', '1900');
  await until(() => s.out.includes(`mygateway1-out/6/1/4/0/83 ${'EE'.repeat(25)}`));
  assert.deepEqual(s.gw.faults, []);
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', '0102');
  await until(() => s.gw.faults.length === 1);
  // 4 hex digits of its own, then the stale 50 of the answer: a stack overflow on a real gateway.
  assert.deepEqual(s.gw.faults[0], { kind: 'stream-overflow', via: 'mqtt', hexLength: 54, nodeId: 6 });
  assert.equal(s.gw.received(6).length, 1);
  // The in topic is one character shorter than the out topic and sits 3 bytes earlier in the
  // buffer, so no stream command (50 hex digits at most) ends past that answer: every
  // unterminated one overflows from now on.
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', `02${'00'.repeat(24)}`);
  await until(() => s.gw.faults.length === 2);
  assert.deepEqual(s.gw.faults[1], { kind: 'stream-overflow', via: 'mqtt', hexLength: 54, nodeId: 6 });
  // With a NUL after the hex, the decoder stops where it should.
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', Buffer.from('01\0'));
  await until(() => s.gw.received(6).length === 2);
  assert.deepEqual([...s.gw.received(6)[1]!.data], [1]);
  assert.equal(s.gw.faults.length, 2);
});

test('MqttGateway terminates stream payloads, so a real gateway reads them exactly', { timeout: 15_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  const daemon = new MqttGateway({ url: s.broker.url, clientId: 'myseal' });
  t.after(() => daemon.stop());
  const got: MySensorsMessage[] = [];
  daemon.on('message', (m) => got.push(m));
  daemon.start();
  await until(() => daemon.connected);
  const stream = (payload: string): MySensorsMessage => ({ nodeId: 6, childId: 1, command: Command.C_STREAM, echo: false, type: 83, payload });
  daemon.send(stream('19020304'));
  await until(() => got.length === 1);
  assert.equal(got[0]!.payload, 'EE'.repeat(25));
  daemon.send(stream('0A0B'));
  await until(() => s.gw.received(6).length === 2);
  assert.deepEqual([...s.gw.received(6)[1]!.data], [10, 11]);
  assert.deepEqual(s.gw.faults, []);
});

test('without the buffer model, stream payloads are read as sent', { timeout: 15_000 }, async (t) => {
  const s = await setup(t, { pubSubBuffer: false });
  if (!s) return;
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', '1902');
  await until(() => s.out.some((l) => l.startsWith('mygateway1-out/6/')));
  await s.raw.publishAsync('mygateway1-in/6/1/4/0/83', '0304');
  await until(() => s.gw.received(6).length === 2);
  assert.deepEqual([...s.gw.received(6)[1]!.data], [3, 4]);
  assert.deepEqual(s.gw.faults, []);
});

test('PubSubBuffer lays packets out as the library does', () => {
  const b = new PubSubBuffer();
  const enc = (x: string): Uint8Array => new TextEncoder().encode(x);
  assert.equal(b.publish(enc('o/6/1/4/0/83'), enc('EEEEEEEE')), true);
  // Header at 3, length at 4, topic length at 5-6, topic from 7, payload after.
  assert.equal(b.bytes[3], 0x30);
  assert.equal(new TextDecoder().decode(b.bytes.subarray(7, 19)), 'o/6/1/4/0/83');
  const at = b.receivePublish(enc('i/6/1/4/0/83'), enc('01'));
  assert.deepEqual(at, { payloadAt: 16, end: 18 });
  // Stale: the last byte of the published topic, then its payload.
  assert.equal(new TextDecoder().decode(b.runFrom(16)), '013EEEEEEEE');
  b.terminate(18);
  assert.equal(new TextDecoder().decode(b.runFrom(16)), '01');
  assert.equal(b.receivePublish(enc('t'), new Uint8Array(200)), null);
  assert.equal(b.publish(enc('t'), new Uint8Array(200)), false);
});
