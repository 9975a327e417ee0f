import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { COUNTERS_DIR, FileCounters, RESERVE_BLOCK, parseCounterFile } from './counter-store.ts';
import { MAX_COUNTER } from '../core/protocol/constants.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';

/** A store whose nodes were given keys (keygen starts each one's counters), opened afresh. */
function started(dir: string, nodes: number[], options: { reserveBlock?: number } = {}): FileCounters {
  const setup = FileCounters.open(dir, options);
  for (const node of nodes) setup.resetNode(node);
  return FileCounters.open(dir, options);
}

function onDisk(dir: string, node: number): unknown {
  return JSON.parse(readFileSync(join(dir, COUNTERS_DIR, `${node}.json`), 'utf8'));
}

test('RESERVE_BLOCK is 4096', () => {
  assert.equal(RESERVE_BLOCK, 4096);
});

test('a fresh store counts from 1; the counters dir is 0700 and the files 0600', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [5, 6]);
  assert.equal(statSync(join(dir, COUNTERS_DIR)).mode & 0o777, 0o700);
  assert.equal(counters.lastReceived(5), 0);
  assert.deepEqual([await counters.nextSend(5), await counters.nextSend(5), await counters.nextSend(5)], [1, 2, 3]);
  assert.equal(await counters.nextSend(6), 1, 'nodes count independently');
  assert.deepEqual(onDisk(dir, 5), { version: 1, sendReserved: 1 + RESERVE_BLOCK, lastReceived: 0 });
  assert.equal(statSync(join(dir, COUNTERS_DIR, '5.json')).mode & 0o777, 0o600);
});

test('reservations are written only when the mark is reached, one block ahead', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [1], { reserveBlock: 4 });
  const marks: unknown[] = [];
  for (let i = 1; i <= 10; i += 1) {
    assert.equal(await counters.nextSend(1), i);
    marks.push((onDisk(dir, 1) as { sendReserved: number }).sendReserved);
  }
  // Counter 1 reserves up to 4 (mark 5), counter 5 up to 8 (mark 9), counter 9 up to 12 (mark 13).
  assert.deepEqual(marks, [5, 5, 5, 5, 9, 9, 9, 9, 13, 13]);
});

test('counters survive reopening and strictly increase, skipping the unused reservation', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  let counters = started(dir, [9]);
  let last = 0;
  for (let round = 0; round < 5; round += 1) {
    for (let i = 0; i < 10; i += 1) {
      const c = await counters.nextSend(9);
      assert.ok(c > last);
      last = c;
    }
    counters = FileCounters.open(dir); // a restart (or a crash: nothing is flushed on close)
  }
  // Each restart resumes at the mark: 1..10, then 4097.., 8193.., ...
  assert.equal(last, 4 * RESERVE_BLOCK + 10);
});

test('raiseSendAbove: later counters exceed the floor, durably; a lower floor changes nothing', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [2, 3]);
  assert.equal(await counters.nextSend(2), 1);
  await counters.raiseSendAbove(2, 100);
  assert.equal(await counters.nextSend(2), 101);
  await counters.raiseSendAbove(2, 50);
  assert.equal(await counters.nextSend(2), 102);
  // Far beyond the reservation: must be on disk before returning.
  await counters.raiseSendAbove(2, 1_000_000);
  assert.ok((onDisk(dir, 2) as { sendReserved: number }).sendReserved > 1_000_000);
  assert.ok(await FileCounters.open(dir).nextSend(2) > 1_000_000);
  assert.equal(await counters.nextSend(2), 1_000_001);
  // On a node never used before, too.
  await counters.raiseSendAbove(3, 7);
  assert.ok(await FileCounters.open(dir).nextSend(3) > 7);
  assert.equal(await counters.nextSend(3), 8);
  for (const bad of [-1, 1.5, MAX_COUNTER + 1, Number.NaN]) throwsCode(() => counters.raiseSendAbove(2, bad), ErrorCode.USAGE);
});

test('exhaustion: counters end at 2^32-1, then COUNTER_EXHAUSTED, also after a restart', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [4, 5]);
  await counters.raiseSendAbove(4, MAX_COUNTER - 2);
  assert.equal(await counters.nextSend(4), MAX_COUNTER - 1);
  assert.equal(await counters.nextSend(4), MAX_COUNTER);
  const e = throwsCode(() => counters.nextSend(4), ErrorCode.COUNTER_EXHAUSTED);
  assert.match(e.message, /new key/);
  throwsCode(() => FileCounters.open(dir).nextSend(4), ErrorCode.COUNTER_EXHAUSTED);
  const fresh = FileCounters.open(dir);
  await fresh.raiseSendAbove(5, MAX_COUNTER);
  throwsCode(() => fresh.nextSend(5), ErrorCode.COUNTER_EXHAUSTED);
});

test('recordReceived persists before returning and keeps the maximum', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [8]);
  await counters.recordReceived(8, 5);
  assert.equal(FileCounters.open(dir).lastReceived(8), 5);
  await counters.recordReceived(8, 3);
  await counters.recordReceived(8, 5);
  assert.equal(counters.lastReceived(8), 5);
  await counters.recordReceived(8, MAX_COUNTER);
  assert.equal(FileCounters.open(dir).lastReceived(8), MAX_COUNTER);
  for (const bad of [0, -1, 1.5, MAX_COUNTER + 1, Number.POSITIVE_INFINITY]) {
    throwsCode(() => counters.recordReceived(8, bad), ErrorCode.USAGE);
  }
  // Receiving does not disturb sending, and the other way round.
  assert.equal(await counters.nextSend(8), 1);
  assert.equal(FileCounters.open(dir).lastReceived(8), MAX_COUNTER);
});

test('resetNode starts a node afresh, durably, and touches no other node', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [1, 2]);
  for (let i = 0; i < 5; i += 1) await counters.nextSend(1);
  await counters.nextSend(2);
  await counters.recordReceived(1, 77);
  counters.resetNode(1);
  assert.equal(counters.lastReceived(1), 0);
  assert.equal(await counters.nextSend(1), 1);
  const reopened = FileCounters.open(dir);
  assert.equal(reopened.lastReceived(1), 0);
  assert.ok(await reopened.nextSend(1) > 1, 'the counter issued after the reset stays reserved');
  assert.equal(await reopened.nextSend(2), RESERVE_BLOCK + 1);
});

test('a node without a counter file is refused, never started afresh (a nonce could repeat)', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [1]);
  for (let i = 0; i < 3; i += 1) await counters.nextSend(1);
  await counters.recordReceived(1, 9);
  const untouched = readdirSync(join(dir, COUNTERS_DIR)).sort();
  // Never given a key, and a file deleted (or keys restored from a backup without their counters).
  for (const [node, why] of [[2, 'never started'], [1, 'file deleted']] as const) {
    if (node === 1) rmSync(join(dir, COUNTERS_DIR, '1.json'));
    const reopened = FileCounters.open(dir);
    for (const use of [() => reopened.nextSend(node), () => reopened.lastReceived(node), () => reopened.recordReceived(node, 10), () => reopened.raiseSendAbove(node, 5)]) {
      const e = throwsCode(use, ErrorCode.COUNTER_STORE_MISSING);
      assert.match(e.message, /keygen --node \d+ --force/, why);
    }
  }
  assert.deepEqual(readdirSync(join(dir, COUNTERS_DIR)).sort(), untouched.filter((n) => n !== '1.json'), 'nothing written for a refused node');
});

test('node ids outside 0-254 are USAGE errors', async (t) => {
  const counters = FileCounters.open(tempDir(t, 'myseal-counters-'));
  counters.resetNode(0); // as keygen does for a new key
  assert.equal(await counters.nextSend(0), 1, 'node 0, a lock in the gateway\'s sketch, has counters');
  for (const bad of [255, -1, 2.5]) {
    throwsCode(() => counters.nextSend(bad), ErrorCode.USAGE);
    throwsCode(() => counters.resetNode(bad), ErrorCode.USAGE);
  }
});

test('a failed reservation hands out no counter', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [1], { reserveBlock: 2 });
  assert.equal(await counters.nextSend(1), 1);
  assert.equal(await counters.nextSend(1), 2);
  rmSync(join(dir, COUNTERS_DIR), { recursive: true });
  // An I/O failure rejects (what needs no disk throws at once, as above).
  await assert.rejects(counters.nextSend(1), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  await assert.rejects(counters.nextSend(1), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
});

test('a damaged counter file stops its node only (fail closed, never treated as fresh)', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  const counters = started(dir, [3, 4]);
  await counters.nextSend(3);
  await counters.nextSend(4);
  writeFileSync(join(dir, COUNTERS_DIR, '3.json'), '{"version":1,"sendReserved":', { mode: 0o600 });
  const reopened = FileCounters.open(dir);
  throwsCode(() => reopened.nextSend(3), ErrorCode.COUNTER_STORE_CORRUPT);
  throwsCode(() => reopened.lastReceived(3), ErrorCode.COUNTER_STORE_CORRUPT);
  assert.equal(await reopened.nextSend(4), RESERVE_BLOCK + 1);
});

test('a counter file others can read or write is refused', async (t) => {
  const dir = tempDir(t, 'myseal-counters-');
  await started(dir, [3]).nextSend(3);
  const file = join(dir, COUNTERS_DIR, '3.json');
  for (const bad of [0o644, 0o640, 0o606]) {
    chmodSync(file, bad);
    throwsCode(() => FileCounters.open(dir).nextSend(3), ErrorCode.KEY_STORE_PERMISSIONS);
  }
  chmodSync(file, 0o600);
  assert.equal(await FileCounters.open(dir).nextSend(3), RESERVE_BLOCK + 1);
});

test('corrupt counter files are COUNTER_STORE_CORRUPT', () => {
  const ok = { version: 1, sendReserved: 1, lastReceived: 0 };
  assert.deepEqual(parseCounterFile(JSON.stringify(ok)), { sendReserved: 1, lastReceived: 0 });
  assert.deepEqual(parseCounterFile(JSON.stringify({ ...ok, sendReserved: 2 ** 32, lastReceived: MAX_COUNTER })), {
    sendReserved: 2 ** 32,
    lastReceived: MAX_COUNTER,
  });
  const bad: (string | Uint8Array)[] = [
    '',
    'null',
    '[]',
    '{}',
    new Uint8Array([0xff]),
    JSON.stringify({ ...ok, version: 2 }),
    JSON.stringify({ ...ok, extra: 1 }),
    JSON.stringify({ sendReserved: 1, lastReceived: 0 }),
    JSON.stringify({ ...ok, sendReserved: 0 }),
    JSON.stringify({ ...ok, sendReserved: 2 ** 32 + 1 }),
    JSON.stringify({ ...ok, sendReserved: 1.5 }),
    JSON.stringify({ ...ok, sendReserved: '5' }),
    JSON.stringify({ ...ok, lastReceived: -1 }),
    JSON.stringify({ ...ok, lastReceived: 2 ** 32 }),
    JSON.stringify({ ...ok, lastReceived: null }),
    '{"version":1,"sendReserved":1e400,"lastReceived":0}',
    ' '.repeat(5000),
  ];
  for (const contents of bad) {
    assert.throws(() => parseCounterFile(contents), (e) => isMySealError(e, ErrorCode.COUNTER_STORE_CORRUPT), String(contents));
  }
});

test('property: arbitrary counter file contents parse or throw COUNTER_STORE_CORRUPT, nothing else', async (t) => {
  const near = fc.record(
    {
      version: fc.oneof(fc.constant(1), fc.anything()),
      sendReserved: fc.oneof(fc.integer({ min: -2, max: 2 ** 32 + 2 }), fc.double(), fc.anything()),
      lastReceived: fc.oneof(fc.integer({ min: -2, max: 2 ** 32 + 2 }), fc.double(), fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const contents = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 100 }), fc.json(), near.map((d) => JSON.stringify(d)));
  const check = async (run: () => unknown): Promise<void> => {
    try {
      await run();
    } catch (e) {
      assert.ok(isMySealError(e, ErrorCode.COUNTER_STORE_CORRUPT), `threw ${e instanceof Error ? e.name : typeof e}`);
    }
  };
  await fc.assert(fc.asyncProperty(contents, (c) => check(() => parseCounterFile(c))), { numRuns: 2000 });
  const dir = tempDir(t, 'myseal-counters-');
  FileCounters.open(dir);
  const file = join(dir, COUNTERS_DIR, '1.json');
  await fc.assert(
    fc.asyncProperty(contents, async (c) => {
      writeFileSync(file, c, { mode: 0o600 });
      await check(() => FileCounters.open(dir).nextSend(1));
    }),
    { numRuns: 200 },
  );
});

test('property: any sequence of operations and restarts never issues a counter twice', async () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('send' as const), node: fc.integer({ min: 1, max: 3 }), times: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ kind: fc.constant('raise' as const), node: fc.integer({ min: 1, max: 3 }), floor: fc.integer({ min: 0, max: 5000 }) }),
    fc.record({ kind: fc.constant('receive' as const), node: fc.integer({ min: 1, max: 3 }), counter: fc.integer({ min: 1, max: 5000 }) }),
    fc.record({ kind: fc.constant('restart' as const) }),
  );
  // Each run's directory inside one of this test's own, so that the check below that every run
  // cleaned up sees no other process's directories (another suite may be running at the same time).
  const parent = mkdtempSync(join(tmpdir(), 'myseal-counters-prop-'));
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 16 }), fc.array(op, { maxLength: 40 }), async (block, ops) => {
      const dir = mkdtempSync(join(parent, 'run-'));
      try {
        let counters = started(dir, [1, 2, 3], { reserveBlock: block });
        const last = new Map<number, number>();
        const floor = new Map<number, number>();
        const received = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'restart') {
            counters = FileCounters.open(dir, { reserveBlock: block });
          } else if (o.kind === 'send') {
            for (let i = 0; i < o.times; i += 1) {
              const c = await counters.nextSend(o.node);
              assert.ok(c > (last.get(o.node) ?? 0), 'counters strictly increase');
              assert.ok(c > (floor.get(o.node) ?? 0), 'counters exceed the raised floor');
              last.set(o.node, c);
            }
          } else if (o.kind === 'raise') {
            await counters.raiseSendAbove(o.node, o.floor);
            floor.set(o.node, Math.max(floor.get(o.node) ?? 0, o.floor));
          } else {
            await counters.recordReceived(o.node, o.counter);
            received.set(o.node, Math.max(received.get(o.node) ?? 0, o.counter));
          }
          for (const node of [1, 2, 3]) assert.equal(counters.lastReceived(node), received.get(node) ?? 0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 150 },
  );
  assert.deepEqual(readdirSync(parent), []);
  rmSync(parent, { recursive: true, force: true });
});
