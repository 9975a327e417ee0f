/** `homeAssistant:`: MQTT discovery on by default under the prefix Home Assistant uses; it can be turned off or moved. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMySealError } from '../core/errors.ts';
import { configFromDocument } from './config.ts';

const base = { stateDir: '/tmp/myseal-test-state' };

test('homeAssistant: discovery on under "homeassistant" by default; off or another prefix when set', () => {
  assert.deepEqual(configFromDocument(base).homeAssistant, { discovery: true, prefix: 'homeassistant' });
  assert.deepEqual(configFromDocument({ ...base, homeAssistant: { discovery: false, prefix: 'ha/disco' } }).homeAssistant, { discovery: false, prefix: 'ha/disco' });
});

test('homeAssistant: a wildcard or empty level in the prefix, a non-boolean switch, an unknown key are refused, naming the field', () => {
  for (const [doc, field] of [
    [{ prefix: 'home/#' }, 'homeAssistant.prefix'],
    [{ prefix: 'home//x' }, 'homeAssistant.prefix'],
    [{ prefix: '' }, 'homeAssistant.prefix'],
    [{ discovery: 'yes' }, 'homeAssistant.discovery'],
    [{ prefx: 'x' }, 'homeAssistant.prefx'],
  ] as const) {
    assert.throws(() => configFromDocument({ ...base, homeAssistant: doc }), (e: unknown) => isMySealError(e) && e.detail.field === field, JSON.stringify(doc));
  }
});
