import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { acquireStateLock, LOCK_FILE } from './state-lock.ts';

test('one holder at a time; released locks and dead holders free the dir', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = acquireStateLock(dir, 'serve');
  // Another live process holds it: the parent of this test process is alive and not us.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, purpose: 'serve' }));
  assert.throws(() => acquireStateLock(dir, 'cli'), (e) => isMySealError(e, ErrorCode.STATE_LOCKED) && e.message.includes(String(process.ppid)));
  first.release(); // not ours any more: must not remove another's lock
  assert.throws(() => acquireStateLock(dir, 'cli'), (e) => isMySealError(e, ErrorCode.STATE_LOCKED));

  // A holder that died (its pid is gone) leaves a stale lock that is taken over.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), purpose: 'serve' }));
  const taken = acquireStateLock(dir, 'cli');
  taken.release();
  const again = acquireStateLock(dir, 'cli');
  again.release();
  writeFileSync(join(dir, LOCK_FILE), 'garbage');
  acquireStateLock(dir, 'cli').release();
});
