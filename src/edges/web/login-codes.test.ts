import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOGIN_CODE_TTL_MS, LoginCodeStore } from './login-codes.ts';

function clocked(start = 1_000_000): { now: { t: number }; store: LoginCodeStore } {
  const now = { t: start };
  return { now, store: new LoginCodeStore({ clock: () => now.t }) };
}

test('a login code works once', () => {
  const { store } = clocked();
  const { code } = store.create();
  assert.equal(store.redeem(code), true);
  assert.equal(store.redeem(code), false, 'the second use is refused');
  assert.equal(store.size, 0);
});

test('a code is at least 128 random bits, new each time, and expires after its lifetime', () => {
  const { now, store } = clocked();
  const a = store.create();
  const b = store.create();
  assert.notEqual(a.code, b.code);
  assert.ok(Buffer.from(a.code, 'base64url').length >= 16);
  assert.equal(a.expiresAt, now.t + LOGIN_CODE_TTL_MS);
  now.t += LOGIN_CODE_TTL_MS;
  assert.equal(store.redeem(a.code), true, 'still good at the last millisecond');
  now.t += 1;
  assert.equal(store.redeem(b.code), false, 'expired');
  assert.equal(store.redeem(b.code), false);
});

test('a wrong code, a near miss or a malformed one is refused and spends nothing', () => {
  const { store } = clocked();
  const { code } = store.create();
  const flipped = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
  for (const wrong of [flipped, '', 'x', `${code}x`, code.slice(1), '../../etc/passwd']) assert.equal(store.redeem(wrong), false, wrong);
  assert.equal(store.redeem(code), true, 'the real code still works');
});

test('at most `max` codes live: the oldest goes first', () => {
  const now = { t: 0 };
  const store = new LoginCodeStore({ max: 2, clock: () => now.t });
  const first = store.create();
  const second = store.create();
  const third = store.create();
  assert.equal(store.size, 2);
  assert.equal(store.redeem(first.code), false);
  assert.equal(store.redeem(second.code), true);
  assert.equal(store.redeem(third.code), true);
});
