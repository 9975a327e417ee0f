import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditLog } from './writer.ts';
import { AuditFollower } from './follower.ts';
import { stateDir, unlock } from '../../test/support/audit-entries.ts';


test('follower: new lines as they come, across a rotation, partial lines held back', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir, { maxBytes: 4096, keep: 5 });
  log.append(unlock(1, 'before'));
  await log.flush();
  const follower = await AuditFollower.start(dir);
  t.after(() => follower.close());
  assert.deepEqual((await follower.poll()).entries, [], 'starts at the end');

  log.append(unlock(1, 'a'));
  log.append(unlock(2, 'b'));
  await log.flush();
  assert.deepEqual((await follower.poll()).entries.map((e) => e.result), ['a', 'b']);

  // Enough to rotate several times between two polls; the follower must see every line, in order.
  const results: string[] = [];
  for (let i = 0; i < 100; i++) {
    results.push(`r${i}`);
    log.append({ event: 'status', node: 3, source: 'http', result: `r${i}`, detail: { pad: 'x'.repeat(40) } });
  }
  await log.flush();
  assert.ok(existsSync(join(dir, 'audit.log.3')));
  assert.deepEqual((await follower.poll()).entries.map((e) => e.result), results);

  // A torn write: half a line now, the rest later.
  const path = join(dir, 'audit.log');
  appendFileSync(path, '{"ts":"2025-01-01T00:00:00.000Z","event":"lock",');
  assert.deepEqual((await follower.poll()).entries, []);
  appendFileSync(path, '"node":4,"source":"cli","result":"locked"}\n');
  assert.deepEqual((await follower.poll()).entries.map((e) => e.node), [4]);
  await log.close();

  const onlyNode2 = await AuditFollower.start(dir, { node: 2 });
  t.after(() => onlyNode2.close());
  const again = AuditLog.open(dir);
  again.append(unlock(1));
  again.append(unlock(2));
  await again.close();
  assert.deepEqual((await onlyNode2.poll()).entries.map((e) => e.node), [2]);
});

test('follower: no log yet, then one appears', async (t) => {
  const dir = stateDir(t);
  const follower = await AuditFollower.start(dir);
  t.after(() => follower.close());
  assert.deepEqual((await follower.poll()), { entries: [], corrupt: 0 });
  const log = AuditLog.open(dir);
  log.append(unlock(7));
  await log.close();
  assert.deepEqual((await follower.poll()).entries.map((e) => e.node), [7]);
});

/**
 * A writer in another thread that appends and rotates as fast as the disk allows, keeping every
 * rotated file (renumbering them all, as the real writer does), so that a line can only go missing
 * through a race in the follower, however the two threads interleave.
 */
const RACING_WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { dir, rotations, linesPerFile } = workerData;
const log = dir + '/audit.log';
let n = 0;
for (let r = 0; r < rotations; r++) {
  for (let i = 0; i < linesPerFile; i++) {
    const line = JSON.stringify({ ts: '2025-01-01T00:00:00.000Z', event: 'status', node: 3, source: 'http', result: 'w' + n++ });
    fs.appendFileSync(log, line + '\\n', { mode: 0o600 });
  }
  for (let k = r; k >= 1; k--) fs.renameSync(log + '.' + k, log + '.' + (k + 1));
  fs.renameSync(log, log + '.1');
  fs.writeFileSync(log, '', { mode: 0o600 });
}
parentPort.postMessage(n);
`;

test('follower: polling while another thread rotates the log under it loses and repeats nothing', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  await log.close();
  const follower = await AuditFollower.start(dir);
  t.after(() => follower.close());
  const worker = new Worker(RACING_WRITER, { eval: true, workerData: { dir, rotations: 300, linesPerFile: 3 } });
  const written = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let done = false;
  void written.finally(() => {
    done = true;
  });
  const seen: string[] = [];
  let polls = 0;
  while (!done) {
    seen.push(...(await follower.poll()).entries.map((e) => e.result ?? ''));
    polls++;
  }
  const total = await written;
  seen.push(...(await follower.poll()).entries.map((e) => e.result ?? ''));
  assert.ok(polls > 1, 'polled while the writer ran');
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => `w${i}`));
});
