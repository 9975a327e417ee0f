/**
 * Home Assistant discovery against a real mosquitto, as `myseal serve` runs it beside a TCP gateway
 * (controllers.mqtt): the exact config topics and payloads for a lock, a relay and a contact, each
 * checked against Home Assistant's documented schema; a code sent on the lock's command topic
 * unlocks the virtual lock; a wrong code counts and shows; the code is nowhere in logs or audit; a
 * retained command is ignored; Home Assistant's birth message brings everything again; a config
 * left on the broker for a node this run does not know is cleared.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connectAsync } from 'mqtt';
import { configFromDocument } from '../../config/config.ts';
import { createLogger } from '../../app/logger.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import { freePort, requireMosquitto, startMosquitto } from '../../../test/support/mosquitto.ts';
import { until } from '../../../test/support/until.ts';
import type { HaComponent } from './ha-discovery-payloads.ts';

/**
 * From Home Assistant's MQTT integration documentation (lock.mqtt, switch.mqtt, binary_sensor.mqtt,
 * and the keys every MQTT entity takes): the keys each entity requires, and every key it accepts
 * that MySeal uses. A key outside the table would be refused by Home Assistant's schema.
 */
const COMMON = ['name', 'unique_id', 'availability', 'device', 'qos', 'json_attributes_topic'];
const HA_SCHEMA: Record<HaComponent, { required: string[]; optional: string[] }> = {
  lock: {
    required: ['command_topic'],
    optional: [...COMMON, 'command_template', 'code_format', 'payload_lock', 'payload_unlock', 'payload_open', 'state_topic', 'state_locked', 'state_unlocked', 'optimistic', 'retain', 'value_template'],
  },
  switch: {
    required: ['command_topic'],
    optional: [...COMMON, 'payload_on', 'payload_off', 'state_topic', 'state_on', 'state_off', 'optimistic', 'retain', 'device_class', 'value_template'],
  },
  binary_sensor: {
    required: ['state_topic'],
    optional: [...COMMON, 'payload_on', 'payload_off', 'device_class', 'value_template', 'expire_after', 'off_delay'],
  },
};
const AVAILABILITY_KEYS = ['topic', 'payload_available', 'payload_not_available', 'value_template'];
const DEVICE_KEYS = ['identifiers', 'connections', 'name', 'manufacturer', 'model', 'sw_version', 'hw_version', 'via_device', 'suggested_area'];

/** Asserts a discovery config fits Home Assistant's schema for its component. */
function assertHaSchema(component: HaComponent, config: Record<string, unknown>): void {
  const { required, optional } = HA_SCHEMA[component];
  for (const key of required) assert.equal(typeof config[key], 'string', `${component}: ${key} is required`);
  for (const key of Object.keys(config)) assert.ok(required.includes(key) || optional.includes(key), `${component}: ${key} is not in Home Assistant's schema`);
  for (const a of config.availability as Record<string, unknown>[]) for (const k of Object.keys(a)) assert.ok(AVAILABILITY_KEYS.includes(k), `availability.${k}`);
  const device = config.device as Record<string, unknown>;
  for (const k of Object.keys(device)) assert.ok(DEVICE_KEYS.includes(k), `device.${k}`);
  assert.ok(Array.isArray(device.identifiers) && device.identifiers.length > 0, 'a device needs identifiers');
  // The entity registry keys on unique_id; discovery needs one for the device registry too.
  assert.match(String(config.unique_id), /^[a-z0-9_]+$/);
  if (component === 'lock') {
    // The keypad's code reaches MySeal through the template: it must render {{ code }}.
    assert.ok(String(config.command_template).includes('{{ code }}'));
    assert.doesNotThrow(() => new RegExp(String(config.code_format)));
  }
}

const PIN = '2580';
const WRONG = '7391';
const AVAILABILITY = [{ topic: 'myseal-out/status', payload_available: 'online', payload_not_available: 'offline' }];
const DEVICE = { identifiers: ['myseal_node_5'], name: 'Front door', manufacturer: 'MySeal', model: 'sealed MySensors node' };

/** What Home Assistant is told, exactly. */
const EXPECTED: Record<string, { component: HaComponent; config: Record<string, unknown> }> = {
  'homeassistant/lock/myseal/node5_lock/config': {
    component: 'lock',
    config: {
      name: 'Lock',
      unique_id: 'myseal_node5_lock',
      availability: AVAILABILITY,
      device: DEVICE,
      command_topic: 'myseal-in/5/lock/set',
      command_template: '{"action":"{{ value }}","code":"{{ code }}"}',
      code_format: '^\\d{4,8}$',
      payload_lock: 'LOCK',
      payload_unlock: 'UNLOCK',
      state_topic: 'myseal-out/5/lock/state',
      state_locked: 'locked',
      state_unlocked: 'unlocked',
      json_attributes_topic: 'myseal-out/5/lock/attributes',
      optimistic: false,
      retain: false,
      qos: 1,
    },
  },
  'homeassistant/switch/myseal/node5_child2/config': {
    component: 'switch',
    config: {
      name: 'Relay 2',
      unique_id: 'myseal_node5_child2',
      availability: AVAILABILITY,
      device: DEVICE,
      command_topic: 'myseal-in/5/2/set',
      payload_on: 'ON',
      payload_off: 'OFF',
      state_topic: 'myseal-out/5/2/state',
      state_on: 'ON',
      state_off: 'OFF',
      optimistic: false,
      retain: false,
      qos: 1,
    },
  },
  'homeassistant/binary_sensor/myseal/node5_child3/config': {
    component: 'binary_sensor',
    config: {
      name: 'Contact 3',
      unique_id: 'myseal_node5_child3',
      availability: AVAILABILITY,
      device: DEVICE,
      state_topic: 'myseal-out/5/3/state',
      payload_on: 'ON',
      payload_off: 'OFF',
      device_class: 'door',
      qos: 1,
    },
  },
};

test('Home Assistant discovery on a real broker: exact entities within the schema, the keypad code unlocks, a wrong code counts, retained commands ignored, birth re-sends, stale configs cleared', { timeout: 60_000 }, async (t: TestContext) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.stop());
  const dir = mkdtempSync(join(tmpdir(), 'myseal-ha-discovery-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN });
  t.after(() => site.close());

  // Home Assistant, as far as MQTT goes; a config a removed node left retained; an unlock left retained.
  const ha = await connectAsync(broker.url, { reconnectPeriod: 0 });
  t.after(() => ha.endAsync(true));
  await ha.publishAsync('homeassistant/lock/myseal/node9_lock/config', '{"name":"gone"}', { retain: true, qos: 1 });
  await ha.publishAsync('myseal-in/5/lock/set', JSON.stringify({ action: 'UNLOCK', code: PIN }), { retain: true, qos: 1 });
  const seen: { topic: string; payload: string; retain: boolean }[] = [];
  ha.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
  await ha.subscribeAsync(['homeassistant/#', 'myseal-out/#'], { qos: 1 });
  const last = (topic: string): string | undefined => seen.filter((m) => m.topic === topic).at(-1)?.payload;
  const attributes = (): { attempts_left: number | null; last_result: string | null; locked_out: boolean } => JSON.parse(last('myseal-out/5/lock/attributes') ?? '{}');

  const logs: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString('utf8')), done()) });
  const config = configFromDocument({
    gateway: site.gatewayUrl,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}` },
    stateDir: dir,
    controllers: { mqtt: broker.url },
    nodes: { 5: { name: 'Front door', children: { 1: { kind: 'lock', pinLength: 4 }, 2: { kind: 'relay', policy: 'seal' }, 3: { kind: 'contact' } } } },
  });
  const s = await startDaemon(config, createLogger('debug', sink));
  t.after(() => s.stop());
  await until(() => s.daemon.health().gatewayConnected, 'the daemon to reach the gateway', 10_000);

  // Exactly the three entities, retained where a late subscriber finds them, within HA's schema.
  await until(() => Object.keys(EXPECTED).every((topic) => last(topic) !== undefined), 'the discovery configs', 10_000);
  for (const [topic, { component, config: expected }] of Object.entries(EXPECTED)) {
    const got = JSON.parse(last(topic)!) as Record<string, unknown>;
    assert.deepEqual(got, expected, topic);
    assertHaSchema(component, got);
  }
  assert.equal(last('myseal-out/status'), 'online');
  await until(() => last('homeassistant/lock/myseal/node9_lock/config') === '', 'the stale config cleared');
  const late = await connectAsync(broker.url, { reconnectPeriod: 0 });
  const retained: string[] = [];
  late.on('message', (topic, _p, packet) => packet.retain && retained.push(topic));
  await late.subscribeAsync('homeassistant/#', { qos: 1 });
  await until(() => retained.length >= 3, 'the retained configs');
  await late.endAsync(true);
  assert.deepEqual(retained.sort(), Object.keys(EXPECTED).sort(), 'the configs are retained; the stale one is gone');

  // A command left retained on the broker reaches MySeal at every subscribe: it is never carried out.
  await until(() => s.daemon.counters.get('controller:RETAINED_MESSAGE') === 1, 'the retained command refused');
  await ha.publishAsync('myseal-in/5/lock/set', '', { retain: true, qos: 1 });
  assert.equal(site.lock.node.locked, true);

  // Wrong codes count: attempts left drop, the audit says wrong_pin.
  const command = (action: string, code: string) => ha.publishAsync('myseal-in/5/lock/set', JSON.stringify({ action, code }), { qos: 1 });
  await command('UNLOCK', WRONG);
  await until(() => attributes().last_result === 'wrong_pin', 'the wrong code reported', 10_000);
  const first = attributes().attempts_left;
  assert.equal(typeof first, 'number');
  await command('UNLOCK', WRONG.split('').reverse().join(''));
  await until(() => attributes().attempts_left === first! - 1, 'attempts left to drop', 10_000);
  assert.equal(last('myseal-out/5/lock/state'), undefined, 'no bolt state before the lock itself has said one');

  // A malformed command is refused and counted.
  await ha.publishAsync('myseal-in/5/lock/set', '{"action":"UNLOCK","code":"12a4"}', { qos: 1 });
  await until(() => s.daemon.counters.get('controller:BAD_COMMAND') === 1, 'the bad command counted');

  // The right code, as Home Assistant's keypad sends it, unlocks; LOCK locks.
  await command('UNLOCK', PIN);
  await until(() => last('myseal-out/5/lock/state') === 'unlocked', 'the lock unlocked', 10_000);
  assert.equal(site.lock.node.locked, false);
  // The state and the attributes are two messages: the attributes may arrive after the state.
  await until(() => attributes().last_result === 'unlocked', 'the attributes to say unlocked', 10_000);
  await command('LOCK', '');
  await until(() => last('myseal-out/5/lock/state') === 'locked', 'the lock locked', 10_000);
  assert.equal(site.lock.node.locked, true);

  // Home Assistant restarts: its birth message brings every config and state again.
  const before = seen.length;
  await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await until(() => Object.keys(EXPECTED).every((topic) => seen.slice(before).some((m) => m.topic === topic)), 'the configs re-sent');
  assert.ok(seen.slice(before).some((m) => m.topic === 'myseal-out/5/lock/state' && m.payload === 'locked'));

  // The codes are in no log line and no audit entry; the audit has the wrong PINs.
  await s.daemon.auditWritten();
  const audit = readFileSync(join(dir, 'audit.log'), 'utf8');
  assert.ok(audit.includes('wrong_pin'));
  const everything = logs.join('') + audit;
  for (const code of [PIN, WRONG, '1937', '12a4']) assert.equal(everything.includes(code), false, 'a code is in a log or the audit');
});
