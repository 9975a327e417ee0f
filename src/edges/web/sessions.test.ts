import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptLimiter, SessionStore } from './sessions.ts';

test('sessions: random ids, idle expiry, logout, a bounded number', () => {
  let now = 1_000_000;
  const store = new SessionStore({ idleMs: 1000, max: 3, clock: () => now });
  const ended: string[] = [];
  store.onEnd((d) => ended.push(d));
  const a = store.create();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  assert.notEqual(store.create(), a);
  assert.equal(store.valid(a), true);
  assert.equal(store.valid(`${a.slice(0, -1)}${a.endsWith('A') ? 'B' : 'A'}`), false);
  assert.equal(store.valid('short'), false);

  // Each use renews the idle time; a longer pause ends it.
  now += 900;
  assert.equal(store.valid(a), true);
  now += 900;
  assert.equal(store.valid(a), true);
  assert.equal(store.aliveDigest(SessionStore.digest(a)), true);
  now += 1001;
  assert.equal(store.aliveDigest(SessionStore.digest(a)), false);
  assert.equal(store.valid(a), false);
  assert.ok(ended.includes(SessionStore.digest(a)));

  const b = store.create();
  store.end(b);
  assert.equal(store.valid(b), false);

  // At most `max`: the least recently used goes first.
  const [c, d, e] = [store.create(), store.create(), store.create()];
  assert.equal(store.valid(c), true);
  const f = store.create();
  assert.equal(store.size, 3);
  assert.equal(store.valid(d), false, 'the least recently used was evicted');
  assert.equal(store.valid(c) && store.valid(e) && store.valid(f), true);
});

test('login tries: 5 a minute per address, sliding', () => {
  let now = 0;
  const limiter = new AttemptLimiter(5, () => now, 2);
  for (let i = 0; i < 5; i++) assert.equal(limiter.take('1.2.3.4'), true);
  assert.equal(limiter.take('1.2.3.4'), false);
  assert.equal(limiter.retryAfter('1.2.3.4'), 60);
  assert.equal(limiter.take('5.6.7.8'), true, 'another address has its own tries');
  now += 30_000;
  assert.equal(limiter.take('1.2.3.4'), false);
  assert.equal(limiter.retryAfter('1.2.3.4'), 30);
  now += 30_001;
  assert.equal(limiter.take('1.2.3.4'), true);
  assert.equal(limiter.retryAfter('5.6.7.8'), 0);
});
