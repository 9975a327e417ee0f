import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { COUNTERS_DIR, FileCounters } from './counter-store.ts';
import { JOURNAL_FILE } from './received-journal.ts';
import { countingIo } from '../../test/support/counting-io.ts';
import { nodeAppendIo } from './append-io.ts';
import type { AppendIo } from './append-io.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';

function started(dir: string, nodes: number[], io = countingIo()): { counters: FileCounters; io: ReturnType<typeof countingIo> } {
  const setup = FileCounters.open(dir);
  for (const node of nodes) setup.resetNode(node);
  return { counters: FileCounters.open(dir, { io }), io };
}

const NODES = Array.from({ length: 50 }, (_, i) => i + 1);

test('50 locks answering at once: their counters share fsyncs, and each is durable before it is handed back', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters, io } = started(dir, NODES);
  const results = await Promise.all(
    NODES.map((node) =>
      counters.recordReceived(node, 1000 + node).then((accepted) => {
        // At this moment the line must already be behind an fsync that returned.
        assert.ok(io.durable(`${node} ${1000 + node}\n`), `node ${node}: handed back before its fsync`);
        return accepted;
      }),
    ),
  );
  assert.ok(results.every((r) => r === true));
  assert.ok(io.fsyncs < NODES.length, `${io.fsyncs} fsyncs for ${NODES.length} concurrent records`);
  const reopened = FileCounters.open(dir);
  for (const node of NODES) assert.equal(reopened.lastReceived(node), 1000 + node);
});

test('a counter is accepted at once: a copy recorded while the first is being written gets false', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters } = started(dir, [4]);
  const first = counters.recordReceived(4, 10);
  const copy = counters.recordReceived(4, 10);
  assert.equal(counters.lastReceived(4), 10);
  assert.deepEqual(await Promise.all([first, copy]), [true, false]);
});

test('a torn last line (a crash mid-append) is cut off; a damaged complete line fails closed', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters } = started(dir, [2, 3]);
  await counters.recordReceived(2, 7);
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  appendFileSync(path, '3 99');
  const reopened = FileCounters.open(dir);
  assert.equal(reopened.lastReceived(2), 7);
  assert.equal(reopened.lastReceived(3), 0, 'the torn line was never acted on');
  assert.equal(readFileSync(path, 'utf8'), '2 7\n');
  await reopened.recordReceived(3, 5);
  assert.equal(FileCounters.open(dir).lastReceived(3), 5, 'appends after the cut start on a line of their own');

  for (const bad of ['2 x\n', '255 4\n', '2 0\n', '2 4294967296\n', '2  4\n']) {
    writeFileSync(path, `2 7\n${bad}`, { mode: 0o600 });
    throwsCode(() => FileCounters.open(dir), ErrorCode.COUNTER_STORE_CORRUPT);
  }
});

test('a long journal is checkpointed to one line per node, keeping every node\'s highest counter', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters } = started(dir, [1, 2]);
  let next = 1;
  // Batches of concurrent records, so that the journal passes its checkpoint size in a few fsyncs.
  for (let batch = 0; batch < 12; batch += 1) {
    const records: Promise<boolean>[] = [];
    for (let i = 0; i < 800; i += 1, next += 1) records.push(counters.recordReceived(1 + (next % 2), 100_000 + next));
    await Promise.all(records);
  }
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  assert.ok(statSync(path).size < 64 * 1024, 'checkpointed');
  const reopened = FileCounters.open(dir);
  assert.equal(Math.max(reopened.lastReceived(1), reopened.lastReceived(2)), 100_000 + next - 1);
  assert.equal(Math.abs(reopened.lastReceived(1) - reopened.lastReceived(2)), 1);
});

test('a failed append rejects, and the counter stays accepted (its frame is never acted on)', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const failing = countingIo({ failWrites: true });
  const { counters } = started(dir, [6], failing);
  await assert.rejects(counters.recordReceived(6, 3), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  assert.equal(await counters.recordReceived(6, 3), false, 'the same counter again is a replay');
  assert.equal(FileCounters.open(dir).lastReceived(6), 0, 'nothing durable was claimed');
});

test('a damaged journal is refused with its file, the line, and a way out that reopens no replay window', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters } = started(dir, [2, 9]);
  await counters.recordReceived(2, 7);
  await counters.recordReceived(9, 40);
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  writeFileSync(path, '2 7\n9 4x\n2 8\n', { mode: 0o600 });
  const e = throwsCode(() => FileCounters.open(dir), ErrorCode.COUNTER_STORE_CORRUPT);
  assert.match(e.message, /^COUNTER_STORE_CORRUPT: /);
  assert.ok(e.message.includes(`${path}: line 2 is not`), e.message);
  assert.deepEqual(e.detail, { file: path, line: 2 });
  // The way out: the service stays stopped, the journal goes aside, every node gets a new key.
  assert.ok(e.message.includes(`mv ${path} ${path}.damaged`), e.message);
  assert.match(e.message, /every node that has a key/);
  assert.match(e.message, /myseal keygen --node N --force/);
  assert.match(e.message, /myseal serve stopped and not started until the end/);

  // The steps work: once the journal is aside the store opens, and keygen can start the nodes afresh.
  renameSync(path, `${path}.damaged`);
  const moved = FileCounters.open(dir);
  for (const node of [2, 9]) moved.resetNode(node);
  assert.equal(FileCounters.open(dir).lastReceived(9), 0);
});

test('a journal too large to be one is refused the same way', (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  started(dir, [1]);
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  writeFileSync(path, '1 5\n'.repeat(4 * 1024 * 1024 + 1), { mode: 0o600 });
  const e = throwsCode(() => FileCounters.open(dir), ErrorCode.COUNTER_STORE_CORRUPT);
  assert.ok(e.message.includes(`${path}: the file is too large`), e.message);
  assert.ok(e.message.includes(`mv ${path} ${path}.damaged`), e.message);
});

test('what a failed append left is cut before the next one: no line is glued to a fragment', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  let failNext = false;
  // A disk that fails in the middle of a write (ENOSPC after some bytes went out).
  const io: AppendIo = {
    async write(fd, bytes) {
      if (!failNext) return nodeAppendIo.write(fd, bytes);
      failNext = false;
      await nodeAppendIo.write(fd, bytes.subarray(0, 3));
      throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    },
    fsync: nodeAppendIo.fsync,
  };
  const { counters } = started(dir, [1, 2], countingIo());
  await counters.recordReceived(1, 5);
  const failing = FileCounters.open(dir, { io });
  failNext = true;
  await assert.rejects(failing.recordReceived(2, 123456), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  assert.equal(await failing.recordReceived(1, 6), true);
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  assert.equal(readFileSync(path, 'latin1'), '1 5\n1 6\n');
  const reopened = FileCounters.open(dir);
  assert.equal(reopened.lastReceived(1), 6);
  assert.equal(reopened.lastReceived(2), 0, 'the failed record was never durable');
});

/** The fds this process holds open on `path` (Linux: /proc/self/fd); undefined elsewhere. */
function fdsOn(path: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count += 1;
    } catch {
      // closed meanwhile (the readdir's own fd)
    }
  }
  return count;
}

test('the journal stays open from batch to batch, follows a checkpoint to the new file, and close() lets it go', async (t) => {
  const dir = tempDir(t, 'myseal-journal-');
  const { counters } = started(dir, [1, 2]);
  const path = join(dir, COUNTERS_DIR, JOURNAL_FILE);
  await counters.recordReceived(1, 10);
  await counters.recordReceived(2, 20);
  if (fdsOn(path) !== undefined) assert.equal(fdsOn(path), 1, 'one fd, kept between batches');
  // Past the checkpoint size: the file is replaced, and the next appends must land in the new one.
  let next = 100;
  let highestOf2 = 20;
  for (let batch = 0; batch < 10; batch += 1) {
    const records: Promise<boolean>[] = [];
    for (let i = 0; i < 800; i += 1, next += 1) {
      const node = 1 + (next % 2);
      if (node === 2) highestOf2 = next;
      records.push(counters.recordReceived(node, next));
    }
    await Promise.all(records);
  }
  assert.ok(statSync(path).size < 64 * 1024, 'checkpointed');
  await counters.recordReceived(1, 1_000_000);
  assert.equal(FileCounters.open(dir).lastReceived(1), 1_000_000, 'appended to the file that replaced the old one');
  await counters.close();
  if (fdsOn(path) !== undefined) assert.equal(fdsOn(path), 0, 'closed');
  await assert.rejects(counters.recordReceived(2, 2_000_000), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  assert.equal(FileCounters.open(dir).lastReceived(2), highestOf2, 'nothing written after close()');
});
