import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './legacy.ts';
import type { LegacyIo } from './legacy.ts';

const KEY = 'ABCDEFGHIJKLMNOP';

function setup(t: { after: (fn: () => void) => void }, secret = KEY) {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-legacycmd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: LegacyIo = {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    env: { XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_STATE_HOME: join(dir, 'xdg') },
    readSecret: (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(secret);
    },
  };
  return { dir, io, prompts, out: () => out.join(''), err: () => err.join(''), all: () => out.join('') + err.join('') + prompts.join('') };
}

test('set-key reads the key through readSecret and stores it 0600; the key is never printed', async (t) => {
  const s = setup(t);
  assert.equal(await run(['set-key', '--node', '5', '--state-dir', s.dir], s.io), 0);
  const path = join(s.dir, 'legacy', 'node-5.key');
  assert.equal(readFileSync(path, 'utf8'), `${KEY}\n`);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(s.prompts.length, 1);
  assert.match(s.prompts[0] ?? '', /Legacy key for node 5 \(16 characters, not shown\)/);
  assert.match(s.err(), /warning: legacy ECB mode: .*replay/);
  assert.match(s.out(), /stored in .*node-5\.key \(mode 0600\)/);
  assert.ok(!s.all().includes(KEY), 'the key appears in no output');
});

test('set-key refuses to replace a key without --force, and refuses malformed keys unquoted', async (t) => {
  const s = setup(t);
  assert.equal(await run(['set-key', '--node', '5', '--state-dir', s.dir], s.io), 0);
  const again = setup(t, 'PONMLKJIHGFEDCBA');
  assert.equal(await run(['set-key', '--node', '5', '--state-dir', s.dir], again.io), 1);
  assert.match(again.err(), /FILE_EXISTS/);
  assert.equal(await run(['set-key', '--node', '5', '--state-dir', s.dir, '--force'], again.io), 0);
  assert.equal(readFileSync(join(s.dir, 'legacy', 'node-5.key'), 'utf8'), 'PONMLKJIHGFEDCBA\n');

  const bad = setup(t, 'my-secret-too-long-key');
  assert.equal(await run(['set-key', '--node', '6', '--state-dir', bad.dir], bad.io), 1);
  assert.match(bad.err(), /LEGACY_BAD_KEY/);
  assert.ok(!bad.all().includes('my-secret'), 'a wrong key is not echoed either');
  assert.equal(existsSync(join(bad.dir, 'legacy', 'node-6.key')), false);
});

test('the key cannot be given on the command line, and such attempts are not echoed', async (t) => {
  for (const argv of [
    ['set-key', '--node', '5', 'ABCDEFGHIJKLMNOP'],
    ['set-key', '--node', '5', '--key', 'ABCDEFGHIJKLMNOP'],
    ['set-key', '--node', '5', '--key=ABCDEFGHIJKLMNOP'],
    ['ABCDEFGHIJKLMNOP'],
  ]) {
    const s = setup(t);
    assert.equal(await run(argv, s.io), 2);
    assert.match(s.err(), /^myseal legacy: (?!USAGE)[^\n]* \(see myseal legacy --help\)\n$/);
    assert.ok(!s.all().includes(KEY));
    assert.equal(s.prompts.length, 0);
  }
});

test('usage: action, node id range, help', async (t) => {
  for (const argv of [[], ['set-key'], ['set-key', '--node', '256'], ['set-key', '--node', '255'], ['remove-key', '--node', '5', '--force'], ['frob', '--node', '5']]) {
    const s = setup(t);
    assert.equal(await run(argv, s.io), 2, argv.join(' '));
  }
  const h = setup(t);
  assert.equal(await run(['--help'], h.io), 0);
  assert.match(h.out(), /myseal legacy set-key --node N/);
});

test('remove-key deletes the file, and says so when there was none', async (t) => {
  const s = setup(t);
  await run(['set-key', '--node', '9', '--state-dir', s.dir], s.io);
  assert.equal(await run(['remove-key', '--node', '9', '--state-dir', s.dir], s.io), 0);
  assert.equal(existsSync(join(s.dir, 'legacy', 'node-9.key')), false);
  assert.match(s.out(), /legacy key removed/);
  assert.equal(await run(['remove-key', '--node', '9', '--state-dir', s.dir], s.io), 0);
  assert.match(s.out(), /had no legacy key file/);
});

test('without --state-dir the key goes where the daemon looks: $MYSEAL_STATE_DIR', async (t) => {
  const s = setup(t);
  s.io.env = { ...s.io.env, MYSEAL_STATE_DIR: join(s.dir, 'state') };
  assert.equal(await run(['set-key', '--node', '3'], s.io), 0);
  assert.equal(statSync(join(s.dir, 'state', 'legacy', 'node-3.key')).mode & 0o777, 0o600);
});

test('the real stdin: a piped key is read from its first line', (t) => {
  const s = setup(t);
  // cli.ts is not this module's: run() is called through a one-line ESM program instead.
  const program = "const m = await import('./src/edges/cli/legacy.ts'); process.exitCode = await m.run(['set-key', '--node', '4', '--state-dir', process.argv[1]]);";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program, s.dir], {
    input: `${KEY}\nnot read\n`,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, 'exit status');
  assert.equal(readFileSync(join(s.dir, 'legacy', 'node-4.key'), 'utf8'), `${KEY}\n`);
  assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY), 'the key appears in no output');
});
