/**
 * Discovery payloads as data (their schema is checked on what the broker carries, in
 * ha-discovery.test.ts), and the strict reading of the lock's command topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LOCK_COMMAND_TEMPLATE, lockAttributes, lockStatePayload, nodeEntities, parseLockCommand, parseSwitchCommand } from './ha-discovery-payloads.ts';

const TOPICS = { prefix: 'homeassistant', inPrefix: 'myseal-in', outPrefix: 'myseal-out' };

test('a node with a lock, a relay and a contact: three entities on the documented topics, each within its schema', () => {
  const entities = nodeEntities(TOPICS, { node: 5, name: 'Front door', lock: true, children: [{ kind: 'contact', child: 3 }, { kind: 'relay', child: 2 }] });
  assert.deepEqual(
    entities.map((e) => e.configTopic),
    ['homeassistant/lock/myseal/node5_lock/config', 'homeassistant/switch/myseal/node5_child2/config', 'homeassistant/binary_sensor/myseal/node5_child3/config'],
  );
  const lock = entities[0]!.config;
  assert.equal(lock.command_topic, 'myseal-in/5/lock/set');
  assert.equal(lock.state_topic, 'myseal-out/5/lock/state');
  assert.equal(lock.retain, false, 'Home Assistant must not retain a command (it may carry a code)');
  assert.deepEqual(lock.device, { identifiers: ['myseal_node_5'], name: 'Front door', manufacturer: 'MySeal', model: 'sealed MySensors node' });
  // The template Home Assistant renders is exactly what the parser takes.
  const rendered = LOCK_COMMAND_TEMPLATE.replace('{{ value }}', 'UNLOCK').replace('{{ code }}', '2580');
  assert.deepEqual(parseLockCommand(Buffer.from(rendered)), { action: 'UNLOCK', pin: '2580' });
  assert.ok(new RegExp(String(lock.code_format)).test('2580'));
  assert.equal(new RegExp(String(lock.code_format)).test('25a0'), false);
});

test('a node without a lock and without sealed children announces nothing; a nameless node is named by its id', () => {
  assert.deepEqual(nodeEntities(TOPICS, { node: 9, name: null, lock: false, children: [] }), []);
  const [lock] = nodeEntities(TOPICS, { node: 9, name: null, lock: true, children: [] });
  assert.equal((lock!.config.device as { name: string }).name, 'MySeal node 9');
});

test('lock state and attributes come from what MySeal knows, nothing before it knows it', () => {
  const none = { locked: null, attemptsLeft: null, lockoutUntil: null, lastResult: null };
  assert.equal(lockStatePayload(none), undefined);
  assert.equal(lockStatePayload({ ...none, locked: false }), 'unlocked');
  assert.equal(lockStatePayload({ ...none, locked: true }), 'locked');
  assert.deepEqual(lockAttributes({ locked: true, attemptsLeft: 0, lockoutUntil: 61_000, lastResult: 'locked_out' }, 1_000), {
    attempts_left: 0,
    locked_out: true,
    lockout_until: new Date(61_000).toISOString(),
    last_result: 'locked_out',
  });
  assert.equal(lockAttributes({ locked: true, attemptsLeft: 5, lockoutUntil: 500, lastResult: 'status' }, 1_000).locked_out, false);
});

test('lock commands are read strictly', () => {
  const read = (s: string) => parseLockCommand(Buffer.from(s));
  assert.deepEqual(read('{"action":"LOCK","code":""}'), { action: 'LOCK' });
  assert.deepEqual(read('{"action":"LOCK","code":"None"}'), { action: 'LOCK' });
  for (const bad of [
    '',
    'UNLOCK',
    '{"action":"UNLOCK"}',
    '{"action":"UNLOCK","code":"123"}',
    '{"action":"UNLOCK","code":"123456789"}',
    '{"action":"UNLOCK","code":1234}',
    '{"action":"UNLOCK","code":"12 34"}',
    '{"action":"UNLOCK","code":"1234","extra":1}',
    '{"action":"OPEN","code":"1234"}',
    '["UNLOCK","1234"]',
    `{"action":"UNLOCK","code":"${'1'.repeat(200)}"}`,
  ]) {
    assert.equal(read(bad), undefined, bad);
  }
  assert.equal(parseLockCommand(Uint8Array.of(0xff, 0xfe)), undefined);
  assert.equal(parseSwitchCommand(Buffer.from('ON')), '1');
  assert.equal(parseSwitchCommand(Buffer.from('OFF')), '0');
  assert.equal(parseSwitchCommand(Buffer.from('on')), undefined);
});

test('property: an unlock is read only from a well-formed command with a 4-8 digit code, and yields that code', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.constantFrom('LOCK', 'UNLOCK', 'OPEN', 'unlock'), (code, action) => {
      const parsed = parseLockCommand(Buffer.from(JSON.stringify({ action, code })));
      if (parsed?.action === 'UNLOCK') return action === 'UNLOCK' && /^\d{4,8}$/.test(code) && parsed.pin === code;
      if (parsed?.action === 'LOCK') return action === 'LOCK';
      return !(action === 'LOCK' || (action === 'UNLOCK' && /^\d{4,8}$/.test(code)));
    }),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    const parsed = parseLockCommand(bytes);
    return parsed === undefined || parsed.action === 'LOCK' || /^\d{4,8}$/.test(parsed.pin);
  }));
});
