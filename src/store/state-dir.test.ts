import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { ensurePrivateDir, ensureStateDir, readPrivateFile, resolveStateDir } from './state-dir.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';

function withUmask<T>(mask: number, fn: () => T): T {
  const old = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

const mode = (path: string): number => statSync(path).mode & 0o777;

test('resolveStateDir: flag, then MYSEAL_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
  const env = { MYSEAL_STATE_DIR: '/env/dir', XDG_STATE_HOME: '/xdg' };
  assert.equal(resolveStateDir('/flag/dir', env, '/home/u'), '/flag/dir');
  assert.equal(resolveStateDir(undefined, env, '/home/u'), '/env/dir');
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: '/xdg' }, '/home/u'), '/xdg/myseal');
  assert.equal(resolveStateDir(undefined, {}, '/home/u'), '/home/u/.local/state/myseal');
  // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored; empty values count as unset.
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: 'rel' }, '/home/u'), '/home/u/.local/state/myseal');
  assert.equal(resolveStateDir('', { MYSEAL_STATE_DIR: '' }, '/home/u'), '/home/u/.local/state/myseal');
  // Relative paths come back absolute, so messages name the directory fully.
  assert.equal(resolveStateDir('rel/dir', {}, '/home/u'), join(process.cwd(), 'rel/dir'));
});

test('ensureStateDir creates the directory 0700 whatever the umask', (t) => {
  const root = tempDir(t, 'myseal-statedir-');
  for (const mask of [0o000, 0o022, 0o077]) {
    const dir = join(root, `umask${mask.toString(8)}`, 'state', 'myseal');
    withUmask(mask, () => ensureStateDir(dir));
    assert.equal(mode(dir), 0o700, `umask ${mask.toString(8)}`);
  }
  // A umask that would leave it 0500 (one level only: a non-root user could not create a child
  // inside a 0500 parent, which is the umask's doing, not ours).
  const narrow = join(root, 'umask277');
  withUmask(0o277, () => ensureStateDir(narrow));
  assert.equal(mode(narrow), 0o700);
});

test('ensureStateDir accepts a private or world-readable dir, refuses one others can write', (t) => {
  const root = tempDir(t, 'myseal-statedir-');
  const dir = join(root, 'state');
  mkdirSync(dir);
  for (const ok of [0o700, 0o750, 0o755]) {
    chmodSync(dir, ok);
    assert.equal(ensureStateDir(dir), dir);
    assert.equal(mode(dir), ok, 'an existing dir is checked, never re-moded');
  }
  for (const bad of [0o770, 0o777, 0o722, 0o702]) {
    chmodSync(dir, bad);
    const e = throwsCode(() => ensureStateDir(dir), ErrorCode.KEY_STORE_PERMISSIONS);
    assert.match(e.message, /writable by group or others/);
  }
  chmodSync(dir, 0o1777); // sticky like /tmp: still others can create files in it
  throwsCode(() => ensureStateDir(dir), ErrorCode.KEY_STORE_PERMISSIONS);
});

test('ensurePrivateDir refuses a path that is a file', (t) => {
  const root = tempDir(t, 'myseal-statedir-');
  const file = join(root, 'file');
  writeFileSync(file, 'x');
  assert.throws(() => ensurePrivateDir(file), (e) => isMySealError(e, ErrorCode.STORAGE_IO) || isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));
});

test('ensurePrivateDir refuses a directory owned by another user', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to chown');
    return;
  }
  const dir = join(tempDir(t, 'myseal-statedir-'), 'theirs');
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, 4242, 4242);
  assert.match(throwsCode(() => ensurePrivateDir(dir), ErrorCode.KEY_STORE_PERMISSIONS).message, /owned by uid 4242/);
});

test('readPrivateFile: missing is undefined, 0600 and 0400 load, any group/other bit is refused', (t) => {
  const root = tempDir(t, 'myseal-statedir-');
  const file = join(root, 'secret');
  assert.equal(readPrivateFile(file, 100), undefined);
  writeFileSync(file, 'hello', { mode: 0o600 });
  for (const ok of [0o600, 0o400, 0o700]) {
    chmodSync(file, ok);
    assert.equal(Buffer.from(readPrivateFile(file, 100) ?? []).toString(), 'hello');
  }
  for (const bad of [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601]) {
    chmodSync(file, bad);
    const e = throwsCode(() => readPrivateFile(file, 100), ErrorCode.KEY_STORE_PERMISSIONS);
    assert.match(e.message, /group or others/);
    assert.equal(e.detail.mode, bad);
  }
});

test('readPrivateFile refuses symlinks, directories, FIFOs and files of other users', (t) => {
  const root = tempDir(t, 'myseal-statedir-');
  const target = join(root, 'target');
  writeFileSync(target, 'x', { mode: 0o600 });
  const link = join(root, 'link');
  symlinkSync(target, link);
  assert.match(throwsCode(() => readPrivateFile(link, 100), ErrorCode.KEY_STORE_PERMISSIONS).message, /symbolic link/);

  const dir = join(root, 'dir');
  mkdirSync(dir, { mode: 0o700 });
  assert.match(throwsCode(() => readPrivateFile(dir, 100), ErrorCode.KEY_STORE_PERMISSIONS).message, /not a regular file/);

  const fifo = join(root, 'fifo');
  if (spawnSync('mkfifo', ['-m', '600', fifo]).status === 0) {
    // Must not hang waiting for a writer (O_NONBLOCK), and must be refused.
    assert.match(throwsCode(() => readPrivateFile(fifo, 100), ErrorCode.KEY_STORE_PERMISSIONS).message, /not a regular file/);
  }

  if (process.getuid?.() === 0) {
    chownSync(target, 4242, 4242);
    assert.match(throwsCode(() => readPrivateFile(target, 100), ErrorCode.KEY_STORE_PERMISSIONS).message, /owned by uid 4242/);
  }
});

test('readPrivateFile reads at most maxBytes + 1 bytes', (t) => {
  const file = join(tempDir(t, 'myseal-statedir-'), 'big');
  writeFileSync(file, 'x'.repeat(1000), { mode: 0o600 });
  assert.equal(readPrivateFile(file, 10)?.length, 11);
  assert.equal(readPrivateFile(file, 5000)?.length, 1000);
});
