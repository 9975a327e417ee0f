import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.ts';

/** A commit that finishes only when the test says so: batches stay in flight as long as needed. */
function heldCommits(): { commits: GroupCommit<string>; batches: string[][]; finish: (error?: Error) => void } {
  const batches: string[][] = [];
  const pending: ((error?: Error) => void)[] = [];
  const commits = new GroupCommit<string>(
    (batch) =>
      new Promise<void>((resolve, reject) => {
        batches.push([...batch]);
        pending.push((error) => (error ? reject(error) : resolve()));
      }),
  );
  const finish = (error?: Error): void => {
    const next = pending.shift();
    assert.ok(next, 'no batch in flight');
    next(error);
  };
  return { commits, batches, finish };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('what is added in one turn is one batch; what comes while it is in flight is the next', async () => {
  const { commits, batches, finish } = heldCommits();
  const first = ['a', 'b', 'c'].map((x) => commits.add(x));
  await turn();
  const second = ['d', 'e'].map((x) => commits.add(x));
  await turn();
  assert.deepEqual(batches, [['a', 'b', 'c']], 'one batch at a time');
  finish();
  await Promise.all(first);
  await turn();
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d', 'e']]);
  finish();
  await Promise.all(second);
});

test('settled() waits for what was added before it, not for what is added after', async () => {
  const { commits, finish } = heldCommits();
  void commits.add('a');
  const settled = commits.settled();
  let done = false;
  void settled.then(() => (done = true));
  await turn();
  // Added after the call: in the next batch, which settled() must not wait for.
  void commits.add('b');
  finish();
  await settled;
  assert.equal(done, true);
  const later = commits.settled();
  let laterDone = false;
  void later.then(() => (laterDone = true));
  await turn();
  assert.equal(laterDone, false, 'b is still in flight');
  finish();
  await later;
});

test('a failed batch rejects each of its items; settled() still resolves and later batches are tried', async () => {
  const { commits, batches, finish } = heldCommits();
  const failing = [commits.add('a'), commits.add('b')];
  await turn();
  const next = commits.add('c');
  finish(new Error('EIO'));
  for (const p of failing) await assert.rejects(p, /EIO/);
  const settled = commits.settled();
  await turn();
  assert.deepEqual(batches, [['a', 'b'], ['c']]);
  finish();
  await next;
  await settled;
});
