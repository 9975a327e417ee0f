import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { join } from 'node:path';
import { AuditLog } from './writer.ts';
import { readAuditLog } from './reader.ts';
import { stateDir, unlock } from '../../test/support/audit-entries.ts';


test('corrupt lines are skipped and counted, not fatal', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  log.append(unlock(5));
  await log.close();
  const path = join(dir, 'audit.log');
  appendFileSync(path, 'not json\n{"ts":"x","event":"unlock","source":"a","result":"b"}\n[1,2]\n\n');
  appendFileSync(path, Buffer.from([0xff, 0xfe, 0x0a]));
  writeFileSync(join(dir, 'audit.log.1'), '{"ts":"2024-01-01T00:00:00.000Z","event":"lock","node":5,"source":"cli","result":"locked"}\n{"ts":', { mode: 0o600 });
  const reopened = AuditLog.open(dir);
  reopened.append(unlock(6, 'wrong_pin'));
  await reopened.close();
  const read = await readAuditLog(dir);
  assert.equal(read.corrupt, 5);
  assert.deepEqual(
    read.entries.map((e) => [e.event, e.node, e.result]),
    [
      ['lock', 5, 'locked'],
      ['unlock', 5, 'unlocked'],
      ['unlock', 6, 'wrong_pin'],
    ],
  );
  // No log at all: nothing, not an error.
  assert.deepEqual(await readAuditLog(join(dir, 'missing')), { entries: [], corrupt: 0 });
});


test('the reader refuses what the writer would: a symbolic link, a log others can read', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  log.append(unlock(5));
  await log.close();
  const other = stateDir(t);
  symlinkSync(join(dir, 'audit.log'), join(other, 'audit.log'));
  await assert.rejects(readAuditLog(other), (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));
  chmodSync(join(dir, 'audit.log'), 0o640);
  await assert.rejects(readAuditLog(dir), (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));
});
