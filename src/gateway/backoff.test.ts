import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from './backoff.ts';

test('doubles from 250 ms to the 30 s cap (no jitter when random is 0.5)', () => {
  const b = new Backoff({ random: () => 0.5 });
  const delays = Array.from({ length: 10 }, () => b.next());
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(b.attempts, 10);
});

test('jitter stays within ±20%', () => {
  const low = new Backoff({ random: () => 0 });
  const high = new Backoff({ random: () => 0.999999 });
  assert.equal(low.next(), BACKOFF_INITIAL_MS * 0.8);
  assert.equal(high.next(), BACKOFF_INITIAL_MS * 1.2);
  for (let i = 0; i < 20; i++) {
    low.next();
    high.next();
  }
  assert.equal(low.next(), BACKOFF_MAX_MS * 0.8);
  assert.equal(high.next(), BACKOFF_MAX_MS * 1.2);
  const real = new Backoff();
  for (let i = 0; i < 200; i++) {
    const d = real.next();
    assert.ok(d >= 200 && d <= 36_000, String(d));
  }
});

test('resets only after a connection stayed up 10 s', () => {
  let now = 0;
  const b = new Backoff({ random: () => 0.5, now: () => now });
  b.next();
  b.next();
  b.next();
  b.connected();
  now += 9_999;
  b.disconnected();
  assert.equal(b.next(), 2000, 'a short-lived connection keeps backing off');
  b.connected();
  now += 10_000;
  b.disconnected();
  assert.equal(b.next(), 250);
  // disconnected() without connected() changes nothing.
  b.disconnected();
  assert.equal(b.next(), 500);
});

test('bad settings are refused', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ factor: 0.5 }), RangeError);
  assert.throws(() => new Backoff({ maxMs: 10, initialMs: 20 }), RangeError);
  assert.throws(() => new Backoff({ jitter: 1 }), RangeError);
});
