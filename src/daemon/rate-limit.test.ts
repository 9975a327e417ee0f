import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

test('per node: the allowance runs out, refills evenly, and nodes do not share it', () => {
  let now = 0;
  const limiter = new RateLimiter(3, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(5)), [true, true, true, false]);
  assert.equal(limiter.take(6), true);
  now += 20_000; // one try back per 20 s at 3 a minute
  assert.equal(limiter.take(5), true);
  assert.equal(limiter.take(5), false);
  now += 10 * 60_000;
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(5)), [true, true, true, false], 'never more than the burst');
});
