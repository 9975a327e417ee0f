/**
 * Sealed operations end to end over real sockets: ControllerChannel + runOperation, MySeal's
 * gateway transport and GatewayFrameLink, the simulated 2.3.2 gateway, and the node library (built to
 * WebAssembly) behind it.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PayloadType, SetReq } from '../core/mysensors/enums.ts';
import { GatewayFrameLink } from '../gateway/frame-link.ts';
import { MqttGateway } from '../gateway/mqtt.ts';
import { SerialGateway } from '../gateway/serial.ts';
import { TcpGateway } from '../gateway/tcp.ts';
import type { GatewayTransport } from '../gateway/transport.ts';
import { Op, Status } from '../core/protocol/body.ts';
import type { SensorValue } from '../core/protocol/body.ts';
import { ControllerChannel } from '../core/protocol/controller-channel.ts';
import { Eeprom } from './eeprom.ts';
import { runOperation } from '../core/protocol/operation.ts';
import { WasmNode } from './wasm-node.ts';
import { MemoryCounters, MemoryKeyStore } from '../core/protocol/stores.ts';
import { requireMosquitto, startMosquitto } from '../../test/support/mosquitto.ts';
import { createPtyPair } from '../../test/support/pty.ts';
import { requireTool } from '../../test/support/require-tool.ts';
import { SimGateway } from './gateway-core.ts';
import type { RadioFaults } from './radio.ts';
import { SealedVirtualNode } from './sealed-virtual-node.ts';
import { SimMqttFront } from './mqtt-front.ts';
import { SimSerialFront } from './serial-front.ts';
import { SimTcpFront } from './tcp-front.ts';
import { until } from '../../test/support/until.ts';

const NODE = 5;
const LOCK_CHILD = 1;
const KEY = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + 7) & 0xff);
const FAST = { initialMs: 20, maxMs: 200 };

function lockWorld(radio?: RadioFaults) {
  const node = new WasmNode({ nodeId: NODE, key: KEY, pin: '1234', eeprom: new Eeprom(), lockChild: LOCK_CHILD });
  const lock = new SealedVirtualNode({ node });
  const gw = new SimGateway({ nodes: [lock], radio });
  const channel = new ControllerChannel({ nodeId: NODE, keys: new MemoryKeyStore([[NODE, KEY]]), counters: new MemoryCounters() });
  return { node, lock, gw, channel };
}

/** Starts the transport, waits for it, and wraps it in a frame link; all undone by t.after. */
async function linkOver(t: TestContext, transport: GatewayTransport): Promise<GatewayFrameLink> {
  const link = new GatewayFrameLink(transport, NODE);
  t.after(async () => {
    link.close();
    await transport.stop();
  });
  transport.start();
  await until(() => transport.connected);
  return link;
}

async function unlockAndCheck(world: ReturnType<typeof lockWorld>, link: GatewayFrameLink): Promise<void> {
  assert.equal(world.node.locked, true);
  const outcome = await runOperation(world.channel, link, LOCK_CHILD, { op: Op.Unlock, pin: '1234' }, { timeoutMs: 2_000 });
  assert.equal(outcome.result.status, Status.Unlocked);
  assert.equal(outcome.messages, 4); // challenge request + challenge, unlock + result
  assert.equal(world.node.locked, false);
  assert.deepEqual(world.gw.faults, [], 'MySeal never sends what would corrupt a gateway');
  assert.deepEqual(
    world.lock.outcomes.map((o) => o.error),
    [undefined, undefined],
  );
}

test('TCP: unlock through TcpGateway -> simulated Ethernet gateway -> sealed node', { timeout: 20_000 }, async (t) => {
  const world = lockWorld();
  const front = new SimTcpFront(world.gw);
  const port = await front.listen();
  t.after(async () => {
    await front.close();
    world.gw.close();
  });
  const link = await linkOver(t, new TcpGateway({ host: '127.0.0.1', port, backoff: FAST }));
  await unlockAndCheck(world, link);

  // Turned by hand: the sealed report arrives with the next operation.
  world.lock.setLockedByHand(true);
  const reports: [number, SensorValue][] = [];
  const status = await runOperation(world.channel, link, LOCK_CHILD, { op: Op.Status }, { onReport: (c, v) => reports.push([c, v]) });
  assert.equal(status.result.status, Status.LockStatus);
  assert.deepEqual(reports, [
    [LOCK_CHILD, { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) }],
  ]);
});

test('TCP over a lossy, slow radio: retries get the unlock through', { timeout: 25_000 }, async (t) => {
  const world = lockWorld({ dropRate: 0.35, seed: 7, delayMs: 20, jitterMs: 20 });
  const front = new SimTcpFront(world.gw);
  const port = await front.listen();
  t.after(async () => {
    await front.close();
    world.gw.close();
  });
  const link = await linkOver(t, new TcpGateway({ host: '127.0.0.1', port, backoff: FAST }));
  const outcome = await runOperation(world.channel, link, LOCK_CHILD, { op: Op.Unlock, pin: '1234' }, { timeoutMs: 400, retries: 10 });
  assert.equal(outcome.result.status, Status.Unlocked);
  assert.equal(world.node.locked, false);
  assert.ok(world.gw.drops.some((d) => d.reason === 'radio-lost'), 'the radio lost something');
  assert.ok(outcome.messages > 4, `retries cost messages: ${outcome.messages}`);
  assert.deepEqual(world.gw.faults, []);
});

test('serial: unlock through SerialGateway -> pty (socat) -> simulated serial gateway -> sealed node', { timeout: 20_000 }, async (t) => {
  if (!requireTool(t, 'socat')) return;
  const world = lockWorld();
  const pair = await createPtyPair();
  const front = new SimSerialFront(world.gw, { path: pair.gatewayPath });
  t.after(async () => {
    await front.close();
    world.gw.close();
    await pair.stop();
  });
  await front.start();
  const link = await linkOver(t, new SerialGateway({ path: pair.daemonPath, backoff: FAST }));
  await unlockAndCheck(world, link);
});

test('MQTT: unlock through MqttGateway -> mosquitto -> simulated MQTT gateway (PubSubClient buffer modelled) -> sealed node', { timeout: 20_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  const world = lockWorld();
  const front = new SimMqttFront(world.gw, { url: broker.url });
  t.after(async () => {
    await front.close();
    world.gw.close();
    await broker.stop();
  });
  await front.start();
  const link = await linkOver(t, new MqttGateway({ url: broker.url, clientId: 'myseal-round-trip', backoff: FAST }));
  await unlockAndCheck(world, link);
  // A second operation: its frames are shorter than the results just published from the same
  // buffer, which is exactly when an unterminated payload would pick up stale bytes.
  const lock = await runOperation(world.channel, link, LOCK_CHILD, { op: Op.Lock }, { timeoutMs: 2_000 });
  assert.equal(lock.result.status, Status.Locked);
  assert.deepEqual(world.gw.faults, []);
});
