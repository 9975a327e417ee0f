import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RateLimiter } from './rate-limit.ts';

const MINUTE = 60_000;

/** The most of `times` that any 60-second window [s, s + 60 s) holds. */
function mostInAnyMinute(times: readonly number[]): number {
  return Math.max(0, ...times.map((s) => times.filter((t) => t >= s && t < s + MINUTE).length));
}

/** Tries at the given times (ascending) for one node, on a fake clock: which were taken. */
function tryAt(limiter: RateLimiter, setNow: (t: number) => void, node: number, times: readonly number[]): boolean[] {
  return times.map((t) => {
    setNow(t);
    return limiter.take(node);
  });
}

test('property: no 60 s window ever holds more than N taken tries, and a try is taken whenever its window has room', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40_000 }), node: fc.constantFrom(5, 6) }), { maxLength: 80 }),
      (perMinute, steps) => {
        let now = 0;
        const limiter = new RateLimiter(perMinute, () => now);
        const taken = new Map<number, number[]>([
          [5, []],
          [6, []],
        ]);
        for (const { gap, node } of steps) {
          now += gap;
          const mine = taken.get(node)!;
          const inWindow = mine.filter((t) => now - t < MINUTE).length;
          const ok = limiter.take(node);
          // Refused only when the minute before (this node's own tries) is full; taken otherwise.
          assert.equal(ok, inWindow < perMinute, `try at ${now} with ${inWindow} in the window`);
          if (ok) mine.push(now);
        }
        for (const times of taken.values()) assert.ok(mostInAnyMinute(times) <= perMinute);
      },
    ),
  );
});

test('after a quiet spell, 20 tries over 65 s at 10 a minute: never more than 10 in any minute', () => {
  let now = 0;
  const limiter = new RateLimiter(10, () => now);
  // Some use long before, then a quiet quarter of an hour (a token bucket is full again by then).
  assert.ok(tryAt(limiter, (t) => (now = t), 5, [0, 1000, 2000]).every(Boolean));
  const start = 15 * MINUTE;
  const times = Array.from({ length: 20 }, (_, i) => start + Math.round((i * 65_000) / 19));
  const results = tryAt(limiter, (t) => (now = t), 5, times);
  const taken = times.filter((_, i) => results[i]);
  assert.ok(mostInAnyMinute(taken) <= 10, `${mostInAnyMinute(taken)} tries taken within one minute`);
  assert.deepEqual(results.slice(0, 10), Array(10).fill(true), 'the first ten are taken');
});

test('per node: the allowance runs out, each node has its own, and retryAfter says when the oldest try leaves the window', () => {
  let now = 0;
  const limiter = new RateLimiter(3, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(5)), [true, true, true, false]);
  assert.equal(limiter.take(6), true);
  assert.equal(limiter.retryAfter(5), 60);
  assert.equal(limiter.retryAfter(6), 0);
  now += 20_000;
  assert.equal(limiter.take(5), false, 'nothing comes back before the minute is over');
  assert.equal(limiter.retryAfter(5), 40);
  now += 40_000;
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(5)), [true, true, true, false], 'never more than N at once');
});

test('keys past maxKeys: the stalest is forgotten, so the map stays bounded', () => {
  const now = 0;
  const limiter = new RateLimiter<string>(1, () => now, 2);
  assert.equal(limiter.take('a'), true);
  assert.equal(limiter.take('b'), true);
  assert.equal(limiter.take('a'), false);
  assert.equal(limiter.take('c'), true, 'b is now the stalest and goes');
  assert.equal(limiter.take('a'), false, 'a was used last and is still tracked');
  assert.equal(limiter.take('b'), true, 'b was forgotten');
});
