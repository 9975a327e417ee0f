import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../core/errors.ts';
import { COUNTERS_DIR, FileCounters } from './counter-store.ts';
import { FileKeyStore, KEY_STORE_FILE } from './key-store.ts';
import { provisionNodeKey } from './provision.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';

test('a new node gets a key and counters from 1; its counters are usable at once', async (t) => {
  const dir = tempDir(t, 'myseal-provision-');
  const key = provisionNodeKey(dir, 5);
  assert.deepEqual(FileKeyStore.open(dir).get(5)?.key, key);
  const counters = FileCounters.open(dir);
  assert.equal(await counters.nextSend(5), 1);
  assert.equal(counters.lastReceived(5), 0);
});

test('without force an existing key is refused and nothing changes; with force the key and counters start over', async (t) => {
  const dir = tempDir(t, 'myseal-provision-');
  const first = provisionNodeKey(dir, 5);
  const used = FileCounters.open(dir);
  for (let i = 0; i < 3; i += 1) await used.nextSend(5);
  await used.recordReceived(5, 40);
  const keysBefore = readFileSync(join(dir, KEY_STORE_FILE));
  const countersBefore = readFileSync(join(dir, COUNTERS_DIR, '5.json'));
  throwsCode(() => provisionNodeKey(dir, 5), ErrorCode.KEY_EXISTS);
  assert.deepEqual(readFileSync(join(dir, KEY_STORE_FILE)), keysBefore);
  assert.deepEqual(readFileSync(join(dir, COUNTERS_DIR, '5.json')), countersBefore);

  const second = provisionNodeKey(dir, 5, { force: true });
  assert.notDeepEqual(second, first);
  assert.deepEqual(FileKeyStore.open(dir).get(5)?.key, second);
  const fresh = FileCounters.open(dir);
  assert.equal(await fresh.nextSend(5), 1, 'a new key starts its counters at 1');
  assert.equal(fresh.lastReceived(5), 0);
});
