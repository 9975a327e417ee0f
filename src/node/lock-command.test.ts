/**
 * The --on-change runner: the state reaches the command in its environment and the PIN never does;
 * runs keep the order of the changes and never overlap; a failed, missing or killed command is
 * reported and the next change still runs; a hung one is killed (with what it started) at the timeout.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockCommand, lockChangeEnv } from './lock-command.ts';
import type { LockChange, LockCommandOptions } from './lock-command.ts';
import { until } from '../../test/support/until.ts';

const PIN = '8642';

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-on-change-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function runner(command: string, extra: Partial<LockCommandOptions> = {}): { runs: LockCommand; reports: string[] } {
  const reports: string[] = [];
  return { runs: new LockCommand({ command, nodeId: 5, report: (line) => reports.push(line), ...extra }), reports };
}

/** Ended: no such process, or a zombie left for whoever adopted it to reap (not every PID 1 does). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

test('the command gets the new state, the node and the cause in its environment; no MYSEAL_* of its own, so never the PIN', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'env');
  const base = { PATH: process.env.PATH, HOME: '/home/pi', MYSEAL_NODE_PIN: PIN, MYSEAL_STATE_DIR: '/var/lib/myseal' };
  const { runs, reports } = runner(`env > '${out}'`, { baseEnv: base });
  assert.deepEqual(await runs.run({ locked: false, cause: 'command' }), { ok: true });
  const env = lines(out);
  for (const expected of ['MYSEAL_LOCKED=0', 'MYSEAL_STATE=unlocked', 'MYSEAL_NODE=5', 'MYSEAL_CAUSE=command', 'HOME=/home/pi']) {
    assert.ok(env.includes(expected), `${expected} in the command's environment`);
  }
  assert.deepEqual(env.filter((l) => l.startsWith('MYSEAL_')).sort(), ['MYSEAL_CAUSE=command', 'MYSEAL_LOCKED=0', 'MYSEAL_NODE=5', 'MYSEAL_STATE=unlocked']);
  assert.equal(env.some((l) => l.includes(PIN)), false, 'the PIN is nowhere in the environment');
  assert.deepEqual(reports, []);

  const locked = lockChangeEnv({ locked: true, cause: 'boot' }, 7, {});
  assert.deepEqual(locked, { MYSEAL_LOCKED: '1', MYSEAL_STATE: 'locked', MYSEAL_NODE: '7', MYSEAL_CAUSE: 'boot' });
});

test('runs keep the order of the changes and never overlap', async (t) => {
  const dir = scratch(t);
  const log = join(dir, 'log');
  // A run that takes a while, so that runs started together would interleave their lines; mkdir
  // is atomic, so a second run inside the first says so.
  const busy = join(dir, 'busy');
  const { runs, reports } = runner(
    `mkdir '${busy}' 2>/dev/null || echo OVERLAP >> '${log}'; echo "start $MYSEAL_STATE" >> '${log}'; sleep 0.05; echo "end $MYSEAL_STATE" >> '${log}'; rmdir '${busy}'`,
  );
  const changes: LockChange[] = [false, true, false, true, false, true].map((locked) => ({ locked, cause: 'command' }));
  const outcomes = changes.map((c) => runs.run(c));
  await runs.idle();
  assert.ok((await Promise.all(outcomes)).every((o) => o.ok));
  const expected = changes.flatMap((c) => [`start ${c.locked ? 'locked' : 'unlocked'}`, `end ${c.locked ? 'locked' : 'unlocked'}`]);
  assert.deepEqual(lines(log), expected);
  assert.deepEqual(reports, []);
});

test('a failing, missing or killed command is reported with its status, and the next change still runs', async (t) => {
  const dir = scratch(t);
  const log = join(dir, 'log');
  const { runs, reports } = runner(
    `case "$MYSEAL_CAUSE" in boot) exit 3;; hand) no-such-command-for-myseal-test 2>/dev/null;; command) [ "$MYSEAL_STATE" = unlocked ] && kill -9 $$;; esac; echo "$MYSEAL_STATE" >> '${log}'`,
  );
  const failed = await runs.run({ locked: true, cause: 'boot' });
  assert.deepEqual(failed, { ok: false, exitCode: 3, signal: null, timedOut: false });
  void runs.run({ locked: true, cause: 'hand' });
  void runs.run({ locked: false, cause: 'command' });
  const last = runs.run({ locked: true, cause: 'command' });
  assert.deepEqual(await last, { ok: true });
  // "not found" makes sh exit 127, but the echo after it still ran: the command's own business.
  assert.deepEqual(lines(log), ['locked', 'locked']);
  assert.deepEqual(reports, [
    'myseal node: --on-change for locked (boot) failed: exit status 3',
    'myseal node: --on-change for unlocked (command) failed: killed by SIGKILL',
  ]);

  const missing = runner('no-such-command-for-myseal-test 2>/dev/null');
  await missing.runs.run({ locked: false, cause: 'command' });
  assert.deepEqual(missing.reports, ['myseal node: --on-change for unlocked (command) failed: exit status 127 (command not found)']);
});

test('a hung command is killed at the timeout, with what it started, and the next change runs', async (t) => {
  const dir = scratch(t);
  const log = join(dir, 'log');
  const pidFile = join(dir, 'pid');
  // Hangs on unlock, in a grandchild the shell waits for: the whole group must go, not only sh.
  const { runs, reports } = runner(
    `if [ "$MYSEAL_STATE" = unlocked ]; then sleep 300 & echo $! > '${pidFile}'; wait; fi; echo "$MYSEAL_STATE" >> '${log}'`,
    { timeoutMs: 1000 }, // long enough for the next, quick run on a busy machine
  );
  void runs.run({ locked: false, cause: 'command' });
  const next = runs.run({ locked: true, cause: 'command' });
  assert.deepEqual(await next, { ok: true });
  assert.deepEqual(lines(log), ['locked'], 'the hung run never got to its echo; the next one did');
  assert.deepEqual(reports, ['myseal node: --on-change for unlocked (command) failed: still running after 1000 ms: killed']);
  const sleeper = Number(readFileSync(pidFile, 'utf8'));
  await until(() => gone(sleeper), 'the sleep the command started to be killed too');
  assert.ok(gone(sleeper));
});
