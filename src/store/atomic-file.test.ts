import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.ts';
import { tempDir } from '../../test/support/fixtures.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;
/** A pid above Linux's largest pid_max (2^22): no process can have it. */
const DEAD_PID = 2 ** 30;

test('writes the data with exactly the mode asked, whatever the umask', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const old = process.umask(0o000);
  try {
    writeFileAtomic(join(dir, 'a'), 'text', 0o600);
    writeFileAtomic(join(dir, 'b'), new Uint8Array([1, 2, 3]), 0o640);
  } finally {
    process.umask(old);
  }
  const narrow = process.umask(0o777);
  try {
    writeFileAtomic(join(dir, 'c'), 'x', 0o600);
  } finally {
    process.umask(narrow);
  }
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'text');
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'b'))), new Uint8Array([1, 2, 3]));
  assert.equal(mode(join(dir, 'a')), 0o600);
  assert.equal(mode(join(dir, 'b')), 0o640);
  assert.equal(mode(join(dir, 'c')), 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b', 'c'], 'no temp file is left behind');
});

test('replaces an existing file, and its mode, in one step', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const file = join(dir, 'f');
  writeFileSync(file, 'old old old', { mode: 0o644 });
  writeFileAtomic(file, 'new', 0o600);
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(mode(file), 0o600);
  assert.deepEqual(readdirSync(dir), ['f']);
});

test('replaces a symlink itself, never the file it points to', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious');
  const link = join(dir, 'link');
  symlinkSync(victim, link);
  writeFileAtomic(link, 'new', 0o600);
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
  assert.ok(lstatSync(link).isFile());
  assert.throws(() => readlinkSync(link));
});

test('overwrite: false refuses an existing target with FILE_EXISTS and leaves it alone', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const file = join(dir, 'f');
  writeFileAtomic(file, 'first', 0o600, { overwrite: false });
  assert.throws(
    () => writeFileAtomic(file, 'second', 0o600, { overwrite: false }),
    (e) => isMySealError(e, ErrorCode.FILE_EXISTS),
  );
  assert.equal(readFileSync(file, 'utf8'), 'first');
  assert.deepEqual(readdirSync(dir), ['f'], 'the temp file is removed after a refusal');
  // A dangling symlink is an existing name too: link(2) does not follow it.
  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nowhere'), dangling);
  assert.throws(() => writeFileAtomic(dangling, 'x', 0o600, { overwrite: false }), (e) => isMySealError(e, ErrorCode.FILE_EXISTS));
  assert.throws(() => readFileSync(join(dir, 'nowhere')));
});

test('failures are STORAGE_IO, name the path, and never carry the data', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const secret = 'c0ffee'.repeat(5);
  try {
    writeFileAtomic(join(dir, 'missing-dir', 'f'), secret, 0o600);
    assert.fail('expected a failure');
  } catch (e) {
    assert.ok(isMySealError(e, ErrorCode.STORAGE_IO));
    assert.match(e.message, /missing-dir/);
    assert.match(e.message, /ENOENT/);
    assert.ok(!e.message.includes(secret));
    assert.equal(e.cause, undefined);
  }
  // A target that is a directory cannot be replaced: the temp file must not stay behind.
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  writeFileSync(join(sub, 'inside'), 'x');
  assert.throws(() => writeFileAtomic(sub, secret, 0o600), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  assert.deepEqual(readdirSync(dir), ['sub'], 'no temp file is left behind');
});

test('removeStaleTempFiles removes dead writers\' temp files only', (t) => {
  const dir = tempDir(t, 'myseal-atomic-');
  const target = join(dir, 'keys.json');
  const dead = join(dir, `.keys.json.${DEAD_PID}.abcdef.tmp`);
  const live = join(dir, `.keys.json.${process.pid}.abcdef.tmp`);
  const other = join(dir, `.other.json.${DEAD_PID}.abcdef.tmp`);
  for (const f of [dead, live, other]) writeFileSync(f, 'x');
  assert.equal(removeStaleTempFiles(target), 1);
  assert.deepEqual(readdirSync(dir).sort(), [`.keys.json.${process.pid}.abcdef.tmp`, `.other.json.${DEAD_PID}.abcdef.tmp`].sort());
  assert.equal(removeStaleTempFiles(join(dir, 'no-such-dir', 'x')), 0);
});
