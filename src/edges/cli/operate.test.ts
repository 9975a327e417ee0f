/**
 * The one-shot operations against a scripted daemon: every way an operation can end returns a code
 * its own help lists, unknown nodes and refused tokens are said as such, nothing asks for a PIN
 * when nothing could take it, and the progress line shows when asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/fixtures.ts';
import { listenOn } from '../../io/listen.ts';
import { ExitCode } from './exit-code.ts';
import { help, NEEDS_PIN } from './help/operate.ts';
import type { OperationName } from './help/operate.ts';
import { runOperationCommand } from './operate.ts';

const OPERATIONS: OperationName[] = ['unlock', 'lock', 'status', 'set-pin', 'rotate-key'];

/** The codes a command's help lists, read back from its text. */
function codesInHelp(name: OperationName): Set<number> {
  const text = help(name);
  const from = text.indexOf('Exit status:');
  assert.ok(from >= 0, `${name} help has an exit status`);
  return new Set([...text.slice(from).matchAll(/(?:^|[:,]\s+)(\d+) /gm)].map((m) => Number(m[1])));
}

interface Answer {
  status: number;
  body: object;
}

/** A daemon whose answers the test sets: to the probe (GET /api/nodes/N) and to the operation. */
async function scriptedDaemon(t: { after: (fn: () => Promise<void>) => void }): Promise<{ port: number; probe: Answer; operation: Answer; posts: number }> {
  const state = { port: 0, probe: { status: 200, body: { node: 5 } } as Answer, operation: { status: 200, body: {} } as Answer, posts: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = req.method === 'GET' ? state.probe : state.operation;
      if (req.method === 'POST') state.posts++;
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  state.port = (await listenOn(server, 0, '127.0.0.1')).port;
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return state;
}

/** Runs the command in this process, with what it writes kept apart from the test's own output. */
async function run(name: OperationName, argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runOperationCommand(name, argv, env, { stdout: (s) => void (out.stdout += s), stderr: { write: (s: string) => void (out.stderr += s) } });
  return { code, ...out };
}

function configFile(dir: string, port: number, extra: object = {}): string {
  const file = join(dir, `config-${port}.json`);
  writeFileSync(file, JSON.stringify({ stateDir: dir, http: { listen: `127.0.0.1:${port}` }, ...extra }));
  return file;
}

const PINS = { MYSEAL_PIN: '2468', MYSEAL_NEW_PIN: '1357', MYSEAL_PROGRESS: '0' };

test('every code an operation can end with is in its help, and only its own codes are', async (t) => {
  const dir = tempDir(t, 'myseal-operate-');
  const daemon = await scriptedDaemon(t);
  const config = configFile(dir, daemon.port);
  const results = ['unlocked', 'locked', 'done', 'status', 'sent_legacy', 'wrong_pin', 'locked_out', 'timeout', 'gateway_down', 'rate_limited', 'refused', 'refused_by_policy', 'unknown_node', 'bad_pin', 'error', 'stale_counter'];
  const errors = ['BAD_PIN', 'RATE_LIMITED', 'REFUSED_BY_POLICY', 'BAD_FIELD', 'NO_KEY'];
  for (const name of OPERATIONS) {
    const listed = codesInHelp(name);
    const seen = new Set<number>();
    const check = async (argv: string[], why: string, env: NodeJS.ProcessEnv = PINS): Promise<void> => {
      const r = await run(name, argv, env);
      seen.add(r.code);
      assert.ok(listed.has(r.code), `${name} ${why}: exit ${r.code} is not in its help`);
    };
    await check(['--gatway', 'x'], 'unknown flag');
    await check(['--node', '999', '--config', config], 'node out of range');
    await check(['--config', config], 'no node');
    await check(['--node', '5', '--config', join(dir, 'missing.yaml')], 'unreadable config');
    for (const result of results) {
      daemon.operation = { status: 200, body: { node: 5, result, ok: ['unlocked', 'locked', 'done', 'status', 'sent_legacy'].includes(result), text: result } };
      await check(['--node', '5', '--config', config], `result ${result}`);
    }
    for (const error of errors) {
      daemon.operation = { status: 400, body: { error, message: 'no' } };
      await check(['--node', '5', '--config', config], `daemon error ${error}`);
    }
    daemon.operation = { status: 401, body: { error: 'UNAUTHORIZED', message: 'a valid token is required' } };
    await check(['--node', '5', '--config', config], 'token refused');
    await check(['--node', '5', '--config', configFile(dir, 1)], 'no daemon, no gateway');
    // The command returned codes beyond success and usage: the check above saw real variety.
    assert.ok(seen.size >= 6, `${name}: ${[...seen].join(',')}`);
    // A PIN-less operation's help does not list the PIN's codes.
    if (NEEDS_PIN[name] === 0) for (const c of [ExitCode.WRONG_PIN, ExitCode.LOCKED_OUT, ExitCode.RATE_LIMITED]) assert.ok(!listed.has(c), `${name} lists ${c}`);
    else for (const c of [ExitCode.WRONG_PIN, ExitCode.LOCKED_OUT, ExitCode.RATE_LIMITED]) assert.ok(listed.has(c), `${name} misses ${c}`);
  }
});

test('help lists the command\'s own options', () => {
  assert.match(help('unlock'), /--legacy-ecb/);
  assert.match(help('unlock'), /--pin PIN/);
  assert.doesNotMatch(help('lock'), /--pin|--legacy-ecb/);
  assert.doesNotMatch(help('status'), /--pin|--legacy-ecb|wrong PIN/);
  assert.match(help('set-pin'), /--pin PIN/);
  assert.doesNotMatch(help('set-pin'), /--legacy-ecb/);
  assert.doesNotMatch(help('rotate-key'), /--pin|--legacy-ecb/);
});

test('an option the operation does not take is a usage error naming it, as its help says', async () => {
  for (const [name, flag] of [['lock', '--pin'], ['status', '--pin'], ['rotate-key', '--pin'], ['lock', '--legacy-ecb'], ['set-pin', '--legacy-ecb']] as const) {
    const argv = flag === '--pin' ? ['--node', '5', flag, '2468'] : ['--node', '5', flag];
    const r = await run(name, argv, PINS);
    assert.equal(r.code, ExitCode.USAGE, `${name} ${flag}`);
    assert.equal(r.stderr, `myseal ${name}: unknown option ${flag} (see myseal ${name} --help)\n`);
    assert.doesNotMatch(r.stderr, /2468/);
  }
});

test('an out-of-range node, an unknown node and a refused token are each said as such', async (t) => {
  const dir = tempDir(t, 'myseal-operate-');
  const daemon = await scriptedDaemon(t);
  const config = configFile(dir, daemon.port);

  const range = await run('status', ['--node', '999', '--config', config], PINS);
  assert.equal(range.code, ExitCode.USAGE);
  assert.match(range.stderr, /node ids are 0-254/);
  assert.doesNotMatch(range.stderr, /999/, 'the value is not echoed (it may be a PIN)');

  daemon.operation = { status: 404, body: { error: 'NO_KEY', message: 'no sealed lock on this node' } };
  const unknown = await run('status', ['--node', '9', '--config', config], PINS);
  assert.equal(unknown.code, ExitCode.BAD_CONFIG);
  assert.match(unknown.stderr, /node 9 is not a sealed lock here/);

  // The probe's 404 is no verdict (a legacy node has no sealed view): the operation's NO_KEY is.
  daemon.probe = { status: 404, body: { error: 'UNKNOWN_NODE', message: 'no sealed node with that id' } };
  const unknownUnlock = await run('unlock', ['--node', '9', '--config', config], PINS);
  assert.equal(unknownUnlock.code, ExitCode.BAD_CONFIG);
  assert.match(unknownUnlock.stderr, /node 9 is not a sealed lock here/);

  const posts = daemon.posts;
  daemon.probe = { status: 401, body: { error: 'UNAUTHORIZED', message: 'a valid token is required' } };
  daemon.operation = daemon.probe;
  for (const name of OPERATIONS) {
    const token = await run(name, ['--node', '5', '--config', config], PINS);
    assert.equal(token.code, ExitCode.TOKEN_REFUSED, name);
    assert.match(token.stderr, /refused the API token|wants an API token/, name);
    assert.match(token.stderr, /http\.tokenFile/, name);
  }
  const pinless = OPERATIONS.filter((name) => NEEDS_PIN[name] === 0).length;
  assert.equal(daemon.posts, posts + pinless, 'unlock and set-pin stopped at the probe, before asking for a PIN');
});

test('progress shows when forced, and not on a pipe by default', async (t) => {
  const dir = tempDir(t, 'myseal-operate-');
  const daemon = await scriptedDaemon(t);
  const config = configFile(dir, daemon.port);
  daemon.operation = { status: 200, body: { node: 5, result: 'locked', ok: true, text: 'locked' } };
  const forced = await run('lock', ['--node', '5', '--config', config], { MYSEAL_PROGRESS: '1' });
  assert.equal(forced.code, 0);
  assert.match(forced.stderr, /waiting for node 5\.\.\./);
  const plain = await run('lock', ['--node', '5', '--config', config], {});
  assert.equal(plain.code, 0);
  assert.doesNotMatch(plain.stderr, /waiting/);
});

test('unlock asks for no PIN when neither a daemon nor a gateway could take it', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t, 'myseal-operate-');
  const config = configFile(dir, 1);
  // No PIN anywhere but stdin, which stays open: a command that asked for it would wait and never end.
  const env = { ...process.env };
  for (const name of ['MYSEAL_PIN', 'MYSEAL_NEW_PIN', 'MYSEAL_GATEWAY', 'MYSEAL_HTTP', 'MYSEAL_STATE_DIR']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'unlock', '--node', '5', '--config', config], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.after(() => void child.kill());
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.destroy();
  assert.equal(code, ExitCode.GATEWAY_UNREACHABLE, stderr);
  assert.match(stderr, /no daemon answers at .* and no gateway is configured/);
  assert.doesNotMatch(stderr, /PIN:/);
});
