/**
 * `myseal demo --keep` as a user runs it: a real process that prints the web page's URL and the demo
 * locks' PINs, serves the page, takes an unlock typed with that PIN over HTTP, and ends cleanly on
 * Ctrl-C (SIGINT). And the demo's promise to always report: a step that throws, or a demo that cannot
 * start, is a failed step in the JSON, and the exit status is 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { NOT_RUN, describeError } from './report.ts';
import type { DemoStep } from './report.ts';
import { runSocketDemo } from './socket-demo.ts';
import type { SocketDemo } from './socket-demo.ts';
import { until } from '../../test/support/until.ts';
import { run } from './command.ts';
import type { DemoIo } from './command.ts';

/** A DemoIo that keeps what the command writes. */
function capture(socketDemo: DemoIo['socketDemo']): DemoIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    socketDemo,
    out: () => out,
    err: () => err,
  };
}

test('myseal demo --keep: prints the URL and the demo PINs; the page loads, the printed PIN unlocks; SIGINT ends it cleanly', { timeout: 60_000 }, async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', '--keep'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  await until(() => /node 9\s.*PIN \d+\n/.test(stderr) || child.exitCode !== null, 'the --keep banner', 45_000);
  assert.equal(child.exitCode, null, `the demo stays up\n${stdout}\n${stderr}`);
  assert.match(stdout, /16 of 16 steps passed/);
  const url = /Web page:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
  assert.ok(url, `a web page URL in:\n${stderr}`);
  assert.match(stderr, /Controllers:\s+127\.0\.0\.1:\d+/);
  assert.match(stderr, /not secrets/, 'the PINs are said to be demo values');
  const pin = /node 5\s.*PIN (\d{4,8})/.exec(stderr)?.[1];
  assert.ok(pin, 'the front door lock PIN is printed');
  assert.match(stderr, /node 9\s.*PIN \d{4,8}/, "the original sketch's lock PIN too");

  // The page a user would open.
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await page.text(), /<script type="module" src="\/assets\/app.js">/);

  // Lock the door, then type the printed PIN as the keypad does: the demo lock opens.
  const api = `${url}api/nodes/5`;
  const lock = (await (await fetch(`${api}/lock`, { method: 'POST' })).json()) as { result: string };
  assert.equal(lock.result, 'locked');
  const typed = await fetch(`${api}/digits`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-myseal': '1' }, body: JSON.stringify({ digits: pin }) });
  assert.equal(typed.status, 200);
  assert.equal(((await typed.json()) as { result: string }).result, 'unlocked');
  const state = (await (await fetch(api)).json()) as { locked: boolean };
  assert.equal(state.locked, false);

  // Ctrl-C: the demo stops its parts and exits 0; nothing answers on its port any more.
  child.kill('SIGINT');
  const end = await exited;
  assert.deepEqual(end, { code: 0, signal: null }, stderr);
  assert.doesNotMatch(stderr, /Error|unhandled|EADDR/i);
  await assert.rejects(fetch(url), 'the web page is gone');
});

test('myseal demo --json: a step that throws is a failed step with its error; later steps are not run; exit 1; everything stopped', { timeout: 60_000 }, async () => {
  let started: SocketDemo | undefined;
  const io = capture(async (opts) => {
    started = await runSocketDemo({
      ...opts,
      beforeStep: (name) => {
        if (name.startsWith('tampered frame')) throw new MySealError(ErrorCode.STORAGE_IO, 'injected failure for the test', { file: 'x' });
      },
    });
    return started;
  });
  const code = await run(['--json'], io);
  assert.equal(code, 1);
  const { steps } = JSON.parse(io.out()) as { steps: DemoStep[] };
  const broken = steps.findIndex((s) => s.name.startsWith('tampered frame'));
  assert.ok(broken > 0);
  assert.deepEqual(steps[broken], {
    name: 'tampered frame rejected by the lock',
    expected: 'refused: AUTH_FAILED',
    actual: 'error STORAGE_IO: injected failure for the test',
    pass: false,
  });
  for (const s of steps.slice(0, broken)) assert.equal(s.pass, true, s.name);
  assert.ok(steps.length > broken + 1, 'the steps after it are listed');
  for (const s of steps.slice(broken + 1)) assert.deepEqual([s.actual, s.pass], [NOT_RUN, false], s.name);
  // The demo's daemon was stopped even so.
  assert.ok(started);
  await assert.rejects(fetch(started.url));
});

test('myseal demo: a demo that cannot start still prints its report (JSON and table) and exits 1', async () => {
  const failing: DemoIo['socketDemo'] = async () => {
    throw new MySealError(ErrorCode.STATE_LOCKED, 'the state directory is in use');
  };
  const json = capture(failing);
  assert.equal(await run(['--json', '--keep'], json), 1, '--keep does not wait when nothing runs');
  assert.deepEqual(JSON.parse(json.out()), {
    steps: [{ name: 'start the demo (gateway, lock node, daemon)', expected: 'running', actual: 'error STATE_LOCKED: the state directory is in use', pass: false }],
  });
  assert.equal(json.err(), '');
  const table = capture(failing);
  assert.equal(await run([], table), 1);
  assert.match(table.out(), /error STATE_LOCKED: the state directory is in use\s+FAIL/);
  assert.match(table.out(), /0 of 1 steps passed/);
});

test("describeError: MySeal's code name, Node's errno (also from a cause, as fetch reports it), or the message", () => {
  assert.equal(describeError(new MySealError(ErrorCode.TIMEOUT, 'no answer')), 'error TIMEOUT: no answer');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(describeError(refused), 'error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
  assert.equal(describeError(new TypeError('fetch failed', { cause: refused })), 'error ECONNREFUSED: fetch failed');
  assert.equal(describeError(new Error('the sealed unlock frame was not seen')), 'error: the sealed unlock frame was not seen');
  assert.equal(describeError('text'), 'error: text');
});
