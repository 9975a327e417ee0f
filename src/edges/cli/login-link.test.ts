/**
 * `myseal login-link` against the real daemon: the link it prints signs a browser in once (the
 * session cookie the token login sets), the second use is refused and audited, the code sits in no
 * log; without a token, with a wrong one, or with no daemon, it says so with its own exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { configFromDocument } from '../../config/config.ts';
import { freePort } from '../../demo/free-port.ts';
import { tempDir } from '../../../test/support/fixtures.ts';
import { startWorld } from '../../../test/support/web-world.ts';
import { COMMAND_EXITS, ExitCode } from './exit-code.ts';
import { HELP } from './help/login-link.ts';
import { linkHost, run } from './login-link.ts';

const TOKEN = 'login-link-test-token-0123456789';

async function loginLink(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {}, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function configFile(dir: string, http: Record<string, unknown>): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, JSON.stringify({ stateDir: dir, http }));
  return file;
}

async function signIn(base: string, body: Record<string, string>): Promise<{ status: number; cookie: string | null; body: Record<string, unknown> }> {
  const r = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-myseal': '1' }, body: JSON.stringify(body) });
  return { status: r.status, cookie: r.headers.get('set-cookie'), body: (await r.json()) as Record<string, unknown> };
}

test('the printed link signs a browser in once; used again it is refused and audited; the code is in no log', async (t) => {
  const w = await startWorld(t, { token: TOKEN });
  const config = configFile(tempDir(t), { listen: `127.0.0.1:${w.port}`, tokenFile: join(w.dir, 'api-token') });

  const made = await loginLink(['--config', config]);
  assert.equal(made.code, ExitCode.OK, made.err);
  const m = new RegExp(`^http://127\\.0\\.0\\.1:${w.port}/#login=([A-Za-z0-9_-]{43})\\n$`).exec(made.out);
  assert.ok(m, `a link on stdout: ${made.out}`);
  const code = m[1]!;
  assert.match(made.err, /within 10 min: it signs in once/);
  assert.match(made.err, /127\.0\.0\.1 is this machine/, 'a loopback address is pointed out');

  const first = await signIn(w.base, { code });
  assert.equal(first.status, 200);
  const cookie = /^(myseal_session=[^;]+);/.exec(first.cookie ?? '')?.[1];
  assert.ok(cookie, 'the session cookie is set');
  assert.match(first.cookie!, /HttpOnly; SameSite=Strict/);
  const overview = await fetch(`${w.base}/api/overview`, { headers: { cookie } });
  assert.equal(overview.status, 200, 'the cookie opens the page like a token login');

  const again = await signIn(w.base, { code });
  assert.equal(again.status, 401);
  assert.equal(again.body.error, 'LINK_REFUSED');
  assert.equal(again.cookie, null);
  const audit = (await (await fetch(`${w.base}/api/audit?event=security`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { entries: { result: string }[] };
  assert.deepEqual(
    audit.entries.map((e) => e.result),
    ['LOGIN_LINK_REFUSED'],
  );
  assert.ok(!w.logs.join('').includes(code), 'the code is in no log line');
  assert.ok(w.logs.join('').includes('login link'), 'the link and its use are logged, without the code');
});

test('a login link is made with the token only: not by a session, not without a token configured', async (t) => {
  const w = await startWorld(t, { token: TOKEN });
  const session = await signIn(w.base, { token: TOKEN });
  const cookie = /^(myseal_session=[^;]+);/.exec(session.cookie ?? '')?.[1] ?? '';
  const bySession = await fetch(`${w.base}/api/login-link`, { method: 'POST', headers: { cookie, 'x-myseal': '1', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(bySession.status, 403);
  const byToken = await fetch(`${w.base}/api/login-link`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(byToken.status, 200);
  const anonymous = await fetch(`${w.base}/api/login-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(anonymous.status, 401);
  // A made-up code is refused like a used one.
  assert.equal((await signIn(w.base, { code: 'A'.repeat(43) })).status, 401);

  const open = await startWorld(t);
  const none = await fetch(`${open.base}/api/login-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(none.status, 400);
  assert.equal(((await none.json()) as { error: string }).error, 'NO_LOGIN_NEEDED');
});

test('myseal login-link says what is wrong: no token configured, a wrong token, no daemon, a bad flag', async (t) => {
  const w = await startWorld(t, { token: TOKEN });
  const dir = tempDir(t);
  const noToken = await loginLink(['--config', configFile(dir, { listen: `127.0.0.1:${w.port}` })]);
  assert.equal(noToken.code, ExitCode.BAD_CONFIG);
  assert.match(noToken.err, /no API token is configured \(http\.tokenFile\)/);

  const wrongFile = join(dir, 'wrong-token');
  writeFileSync(wrongFile, 'not-the-token-of-this-daemon-0000\n', { mode: 0o600 });
  const wrong = await loginLink(['--config', configFile(dir, { listen: `127.0.0.1:${w.port}`, tokenFile: wrongFile })]);
  assert.equal(wrong.code, ExitCode.TOKEN_REFUSED);
  assert.match(wrong.err, /refused the API token in .*wrong-token/);

  const gone = await loginLink(['--config', configFile(dir, { listen: `127.0.0.1:${await freePort()}`, tokenFile: wrongFile })]);
  assert.equal(gone.code, ExitCode.GATEWAY_UNREACHABLE);
  assert.match(gone.err, /no daemon answers at http:\/\/127\.0\.0\.1:\d+\/ \(is myseal serve running\?\)/);

  const bad = await loginLink(['--hots', 'x']);
  assert.equal(bad.code, ExitCode.USAGE);
  assert.match(bad.err, /unknown option --hots \(see myseal login-link --help\)/);
  assert.equal((await loginLink(['--host', 'a b'])).code, ExitCode.USAGE);
});

test('the link names --host, else the listen address, else (listening on all) a network address of this machine', () => {
  const config = (listen: string) => configFromDocument({ http: { listen, tokenFile: '/nonexistent' }, stateDir: '/tmp' });
  const nic = (address: string, internal: boolean): NetworkInterfaceInfo => ({ address, internal, family: 'IPv4', netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: null });
  const interfaces = () => ({ lo: [nic('127.0.0.1', true)], eth0: [nic('192.168.1.20', false)] });
  assert.equal(linkHost(config('0.0.0.0:8471'), undefined, interfaces), '192.168.1.20');
  assert.equal(linkHost(config('0.0.0.0:8471'), 'door.local', interfaces), 'door.local');
  assert.equal(linkHost(config('10.0.0.5:8471'), undefined, interfaces), '10.0.0.5');
  assert.equal(linkHost(config('0.0.0.0:8471'), undefined, () => ({ lo: [nic('127.0.0.1', true)] })), 'localhost');
});

test('myseal login-link --help: its options and exactly its exit codes', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'login-link', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trimEnd(), HELP.trimEnd());
  for (const flag of ['--host NAME', '--config FILE', '--http HOST:PORT', '--state-dir DIR']) assert.ok(HELP.includes(flag), flag);
  const codes = [...(/Exit status:([\s\S]*)$/.exec(HELP)?.[1] ?? '').matchAll(/(\d+) [a-z]/g)].map((m) => Number(m[1]));
  assert.deepEqual(codes, COMMAND_EXITS['login-link'].map((n) => ExitCode[n]).sort((a, b) => a - b));
});
