import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Waiter } from './waiter.ts';

test('an offer goes to the oldest wait that accepts it, and only to one', async () => {
  const w = new Waiter<number>();
  const even = w.wait((n) => n % 2 === 0, 1000);
  const any1 = w.wait(() => true, 1000);
  const any2 = w.wait(() => true, 1000);
  assert.equal(w.offer(3), true); // the even wait does not take it; the oldest wait that does is any1
  assert.equal(w.offer(4), true);
  assert.equal(w.offer(5), true);
  assert.deepEqual(await Promise.all([even, any1, any2]), [4, 3, 5]);
  assert.equal(w.offer(6), false, 'nobody waits: the caller keeps the item');
  assert.equal(w.size, 0);
});

test('offerAll settles every accepting wait; close ends the rest with null, and later waits at once', async () => {
  const w = new Waiter<string>();
  const a = w.wait((s) => s === 'up', 1000);
  const b = w.wait((s) => s === 'up', 1000);
  const c = w.wait((s) => s === 'other', 1000);
  assert.equal(w.offerAll('up'), 2);
  w.close();
  assert.deepEqual(await Promise.all([a, b, c]), ['up', 'up', null]);
  assert.equal(await w.wait(), null);
  assert.equal(w.offer('up'), false);
});

test('a deadline ends the wait with null and the item offered later is not taken', async () => {
  const w = new Waiter<number>();
  assert.equal(await w.wait(() => true, 5), null);
  assert.equal(w.offer(1), false);
  assert.equal(await w.wait(() => true, 0), null, 'no time at all: null at once');
});

test('property: every wait ends exactly once, with an item offered to it or null; no item goes to two waits', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.record({ wait: fc.integer({ min: 0, max: 3 }) }), fc.record({ offer: fc.integer({ min: 0, max: 20 }) }), fc.constant({ all: true })), { maxLength: 40 }),
      async (steps) => {
        const w = new Waiter<number>();
        const waits: Promise<number | null>[] = [];
        const offered = new Set<number>();
        let next = 100;
        for (const s of steps) {
          if ('wait' in s) waits.push(w.wait((n) => n % 4 === s.wait || n >= 100, 10_000));
          else if ('offer' in s) {
            offered.add(s.offer);
            w.offer(s.offer);
          } else {
            offered.add(next);
            w.offerAll(next++);
          }
        }
        w.close();
        const results = await Promise.all(waits);
        const singles = results.filter((r): r is number => r !== null && r < 100);
        assert.equal(new Set(singles).size <= singles.length, true);
        for (const r of results) if (r !== null) assert.ok(offered.has(r));
        // A single offer is taken by one wait at most.
        const counts = new Map<number, number>();
        for (const r of singles) counts.set(r, (counts.get(r) ?? 0) + 1);
        const offersPerValue = new Map<number, number>();
        for (const s of steps) if ('offer' in s) offersPerValue.set(s.offer, (offersPerValue.get(s.offer) ?? 0) + 1);
        for (const [v, n] of counts) assert.ok(n <= (offersPerValue.get(v) ?? 0));
      },
    ),
    { numRuns: 300 },
  );
});
