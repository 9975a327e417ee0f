import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../audit/writer.ts';
import { formatEntry, run } from './log.ts';
import type { LogIo } from './log.ts';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-logcmd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  // XDG paths inside the temp dir: no test reads the user's own config.
  const env = { XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_STATE_HOME: join(dir, 'xdg-state') };
  const io: LogIo = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env };
  return { dir, io, env, out: () => out.join(''), err: () => err.join('') };
}

async function fill(dir: string, count: number): Promise<void> {
  let now = Date.UTC(2025, 0, 2, 3, 4, 5);
  const log = AuditLog.open(dir, { clock: () => now });
  for (let i = 0; i < count; i++) {
    now += 1000;
    log.append({ event: i % 2 === 0 ? 'unlock' : 'status', node: (i % 2) + 5, child: 1, source: 'http', result: `r${i}`, detail: { i } });
  }
  await log.close();
}

test('prints the last 50 entries as a table by default', async (t) => {
  const s = setup(t);
  await fill(s.dir, 60);
  assert.equal(await run(['--state-dir', s.dir], s.io), 0);
  const lines = s.out().trimEnd().split('\n');
  assert.equal(lines.length, 50);
  assert.equal(lines[0], '2025-01-02T03:04:16.000Z node 5/1     unlock      http           r10  i=10');
  assert.match(lines[49] ?? '', /node 6\/1 +status +http +r59 {2}i=59$/);
  assert.equal(s.err(), '');
});

test('--node, --lines and --json', async (t) => {
  const s = setup(t);
  await fill(s.dir, 20);
  assert.equal(await run(['--state-dir', s.dir, '--node', '6', '--lines', '3', '--json'], s.io), 0);
  const entries = s
    .out()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { node: number; result: string; ts: string });
  assert.deepEqual(entries.map((e) => [e.node, e.result]), [[6, 'r15'], [6, 'r17'], [6, 'r19']]);
});

test('--lines 0 prints everything; an empty or missing log prints nothing', async (t) => {
  const s = setup(t);
  assert.equal(await run(['--state-dir', join(s.dir, 'new')], s.io), 0);
  assert.equal(s.out(), '');
  await fill(s.dir, 70);
  assert.equal(await run(['--state-dir', s.dir, '--lines', '0'], s.io), 0);
  assert.equal(s.out().trimEnd().split('\n').length, 70);
});

test('the state dir comes from the environment or the config file when not given', async (t) => {
  const s = setup(t);
  await fill(s.dir, 2);
  const cfg = join(s.dir, 'c.yaml');
  writeFileSync(cfg, `stateDir: ${s.dir}\n`);
  assert.equal(await run(['--config', cfg, '--lines', '1'], s.io), 0);
  assert.match(s.out(), /r1/);
  const s2 = setup(t);
  s2.io.env = { ...s2.env, MYSEAL_STATE_DIR: s.dir };
  assert.equal(await run(['--lines', '1'], s2.io), 0);
  assert.match(s2.out(), /r1/);
});

test('corrupt lines are reported on stderr, the rest printed', async (t) => {
  const s = setup(t);
  await fill(s.dir, 2);
  appendFileSync(join(s.dir, 'audit.log'), 'garbage\n');
  assert.equal(await run(['--state-dir', s.dir], s.io), 0);
  assert.equal(s.out().trimEnd().split('\n').length, 2);
  assert.equal(s.err(), 'myseal log: skipped 1 corrupt line\n');
});

test('usage errors exit 2 without echoing what was typed; unreadable logs exit 1', async (t) => {
  for (const argv of [['--node', '255'], ['--node', 'abc'], ['--lines', '-1'], ['s3cr3t'], ['--bogus']]) {
    const s = setup(t);
    assert.equal(await run(argv, s.io), 2, argv.join(' '));
    assert.match(s.err(), /^myseal log: (?!USAGE)[^\n]* \(see myseal log --help\)\n$/);
    assert.doesNotMatch(s.err(), /s3cr3t/);
  }
  const s = setup(t);
  await fill(s.dir, 1);
  chmodSync(join(s.dir, 'audit.log'), 0o644);
  assert.equal(await run(['--state-dir', s.dir], s.io), 1);
  assert.match(s.err(), /KEY_STORE_PERMISSIONS/);
  const h = setup(t);
  assert.equal(await run(['--help'], h.io), 0);
  assert.match(h.out(), /Usage: myseal log/);
});

test('--follow prints new entries until the signal, across a rotation', async (t) => {
  const s = setup(t);
  await fill(s.dir, 3);
  const controller = new AbortController();
  s.io.signal = controller.signal;
  s.io.pollMs = 20;
  const running = run(['--state-dir', s.dir, '--follow', '--lines', '1'], s.io);
  await new Promise((r) => setTimeout(r, 60));
  const log = AuditLog.open(s.dir, { maxBytes: 4096, keep: 2 });
  for (let i = 0; i < 60; i++) log.append({ event: 'lock', node: 9, source: 'cli', result: `new${i}`, detail: { pad: 'x'.repeat(30) } });
  await log.close();
  await new Promise((r) => setTimeout(r, 100));
  controller.abort();
  assert.equal(await running, 0);
  const lines = s.out().trimEnd().split('\n');
  assert.match(lines[0] ?? '', /r2/);
  assert.deepEqual(
    lines.slice(1).map((l) => /(new\d+)/.exec(l)?.[1]),
    Array.from({ length: 60 }, (_, i) => `new${i}`),
  );
});

test('a readable line never carries control characters to the terminal', () => {
  const line = formatEntry({ ts: '2025-01-01T00:00:00.000Z', event: 'set', source: 'tcp', result: 'bad\u001b[31m', detail: { name: 'a\u0007b' } });
  assert.doesNotMatch(line, /\p{Cc}/u);
  assert.match(line, /bad\?\[31m/);
});
