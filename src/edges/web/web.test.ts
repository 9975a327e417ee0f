/**
 * The web page's routes over real sockets, against `myseal serve` in front of a simulated gateway:
 * the page and its files with their security headers, the live event stream, the login with a
 * token (cookie, CSRF header, rate limit, audit), and path traversal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../service/daemon.ts';
import { ApiServer } from '../http/api-server.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { showsPin } from '../../../test/support/fixtures.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { WebRoutes } from './web-routes.ts';
import type { NodeSummary } from './api-shapes.ts';
import { fromLock, genuineLockReport, injectForgedFrame, openEventStream, PIN, pressKey, startWorld, until } from '../../../test/support/web-world.ts';
import { raw } from '../../../test/support/raw-http.ts';
import type { EventStream } from '../../../test/support/web-world.ts';

const TOKEN = 'web-test-token-0123456789abcdef';

function assertSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  const csp = String(headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/, what);
  assert.match(csp, /script-src 'self'(;|$)/, what);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, what);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
  assert.equal(headers['cache-control'], 'no-store', what);
}

function events(stream: EventStream, name: string): Record<string, unknown>[] {
  return stream.events.filter((e) => e.event === name).map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

test('the page and its files: content types, security headers, no inline script', async (t) => {
  const w = await startWorld(t);
  const page = await raw(w.port, '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assertSecurityHeaders(page.headers, '/');
  assert.match(page.body, /<script type="module" src="\/assets\/app.js"><\/script>/);
  // Every script is a file: the CSP would block an inline one, and none is there to block.
  for (const tag of page.body.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc="\/assets\//, tag);
  assert.doesNotMatch(page.body, /\son[a-z]+="/, 'no inline event handlers');
  assert.doesNotMatch(page.body, /https?:\/\//, 'nothing from elsewhere (no CDN)');

  const assets: [string, string][] = [
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/style.css', 'text/css; charset=utf-8'],
    ['/assets/icon.svg', 'image/svg+xml'],
  ];
  for (const [path, type] of assets) {
    const r = await raw(w.port, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assertSecurityHeaders(r.headers, path);
    assert.ok(r.body.length > 100, path);
  }
  const head = await raw(w.port, '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await raw(w.port, '/', { method: 'POST' })).status, 405);

  // The data endpoints carry the same headers and are never cached.
  const overview = await raw(w.port, '/api/overview');
  assert.equal(overview.status, 200);
  assertSecurityHeaders(overview.headers, '/api/overview');
  const body = JSON.parse(overview.body) as { nodes: NodeSummary[]; gateway: { connected: boolean } };
  assert.equal(body.gateway.connected, true);
  const door = body.nodes.find((n) => n.node === 5)!;
  assert.equal(door.name, 'Front door');
  assert.equal(door.lock, true);
  assert.equal(door.sealed, true);
  assert.equal(door.pinLength, 4);
  const light = body.nodes.find((n) => n.node === 7)!;
  assert.equal(light.lock, false);
  assert.equal(light.sealed, false);

  // Without a token the page is open, but only to loopback host names (DNS rebinding).
  assert.equal((await raw(w.port, '/', { headers: { host: `localhost:${w.port}` } })).status, 200);
  assert.equal((await raw(w.port, '/', { headers: { host: `[::1]:${w.port}` } })).status, 200);
  for (const host of ['evil.example', `evil.example:${w.port}`, `192.168.1.5:${w.port}`, 'localhost.evil.example']) {
    const r = await raw(w.port, '/api/audit', { headers: { host } });
    assert.equal(r.status, 403, host);
    assert.equal((JSON.parse(r.body) as { error: string }).error, 'BAD_HOST');
  }
  const session = (await (await fetch(`${w.base}/api/session`)).json()) as { loginRequired: boolean; authenticated: boolean; via: string };
  assert.deepEqual(session, { loginRequired: false, authenticated: true, via: 'open' });
});

test('path traversal: only the listed files are served; every other spelling is a 404', async (t) => {
  const w = await startWorld(t);
  const attempts = [
    '/assets/../package.json',
    '/assets/../../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/%2E%2E/%2E%2E/package.json',
    '/assets/..%2fpackage.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%252e%252e/package.json',
    '/assets/..\\package.json',
    '/assets/..%5cpackage.json',
    '/assets/.%2e/package.json',
    '/assets/app.js/../../package.json',
    '/assets/app.js%00.css',
    '/assets//etc/passwd',
    '/assets/%2fetc%2fpasswd',
    '/assets/',
    '/assets/index.html',
    '/assets/../web/app.js/../../package.json',
    '/..%2fpackage.json',
    '/%2e%2e/package.json',
    '/package.json',
    '/web/app.js',
    '/src/edges/web/web-routes.ts',
    '/index.html/../../package.json',
  ];
  for (const path of attempts) {
    const r = await raw(w.port, path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /"name": "myseal"|root:x:0/, path);
  }
});

test('/api/events streams an audit entry and the node\'s fresh state after a digit unlock; listeners go with the client', async (t) => {
  const w = await startWorld(t);
  const events$ = w.running.daemon.events;
  assert.equal(events$.listenerCount('audit'), 0);
  const stream = await openEventStream(w.port);
  t.after(() => stream.close());
  assert.equal(stream.status, 200);
  assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(stream.headers['cache-control'], 'no-store');
  await until(() => stream.comments.includes('connected'), 'the stream to open');
  assert.equal(events$.listenerCount('audit'), 1);
  assert.equal(events$.listenerCount('node'), 1);

  let last: { status: number; body: Record<string, unknown> } | undefined;
  for (const d of PIN) last = await pressKey(w.base, 5, d);
  assert.equal(last!.status, 200);
  assert.equal(last!.body.result, 'unlocked');

  await until(() => events(stream, 'audit').some((e) => e.event === 'unlock' && e.result === 'unlocked'), 'the unlock audit entry');
  await until(() => events(stream, 'node').some((n) => n.node === 5 && n.locked === false), 'node 5 unlocked');
  const unlock = events(stream, 'audit').find((e) => e.event === 'unlock')!;
  assert.equal(unlock.node, 5);
  assert.equal(typeof unlock.ts, 'string');
  const node = events(stream, 'node').filter((n) => n.node === 5).at(-1)!;
  assert.equal(node.name, 'Front door');
  assert.equal(node.online, true, 'heard through the gateway just now');
  assert.equal((node.counts as { commands: number }).commands >= 1, true);
  // Digits are audited as counts, never as the keys pressed.
  for (const e of events(stream, 'audit')) assert.equal(showsPin(JSON.stringify(e), PIN), false);

  // A replayed report and a forged one from the node side: security events, with their reason.
  const genuine = genuineLockReport(w.site);
  fromLock(w.site, genuine);
  fromLock(w.site, genuine);
  injectForgedFrame(w.site);
  await until(() => events(stream, 'audit').filter((e) => e.event === 'security').length >= 2, 'two security events');
  const reasons = events(stream, 'audit').filter((e) => e.event === 'security').map((e) => e.result);
  assert.deepEqual(reasons, ['REPLAYED_COUNTER', 'AUTH_FAILED']);
  const overview = (await (await fetch(`${w.base}/api/overview`)).json()) as { counters: Record<string, number>; nodes: NodeSummary[] };
  assert.equal(overview.counters['node:AUTH_FAILED'], 1);
  assert.equal(overview.counters['node:REPLAYED_COUNTER'], 1);
  assert.equal(overview.nodes.find((n) => n.node === 5)!.counts!.rejected, 2);

  // History: the audit log as written, newest last; filtered to security events.
  const audit = (await (await fetch(`${w.base}/api/audit?limit=50`)).json()) as { entries: { event: string; result: string }[] };
  assert.ok(audit.entries.some((e) => e.event === 'unlock' && e.result === 'unlocked'));
  assert.ok(audit.entries.length <= 50);
  const sec = (await (await fetch(`${w.base}/api/audit?limit=5&event=security`)).json()) as { entries: { event: string; result: string }[] };
  assert.deepEqual(sec.entries.map((e) => e.result), ['REPLAYED_COUNTER', 'AUTH_FAILED']);
  assert.equal((await fetch(`${w.base}/api/audit?limit=0`)).status, 400);
  assert.equal((await fetch(`${w.base}/api/audit?limit=abc`)).status, 400);
  assert.equal((await fetch(`${w.base}/api/audit?event=../x`)).status, 400);

  stream.close();
  await until(() => events$.listenerCount('audit') === 0 && events$.listenerCount('node') === 0, 'the listeners to go');
});

test('the event stream sends a heartbeat comment, and every client its own copy of each event', async (t) => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), timeoutMs: 300 });
  daemon.start();
  const dir = mkdtempSync(join(tmpdir(), 'myseal-web-hb-'));
  const web = new WebRoutes(daemon, { stateDir: dir, heartbeatMs: 40 });
  const api = new ApiServer(daemon, { host: '127.0.0.1', port: 0, ...web.apiOptions() });
  const { port } = await api.listen();
  t.after(async () => {
    web.close();
    await api.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const a = await openEventStream(port);
  const b = await openEventStream(port);
  await until(() => a.comments.filter((c) => c.startsWith('heartbeat')).length >= 2, 'two heartbeats');
  assert.equal(web.streamCount, 2);
  assert.equal(daemon.events.listenerCount('audit'), 1, 'one listener for all clients');
  await pressKey(`http://127.0.0.1:${port}`, 5, '1');
  await until(() => events(a, 'node').length === 1 && events(b, 'node').length === 1, 'the node event on both');
  assert.equal(events(a, 'node')[0]!.bufferedDigits, 1);
  a.close();
  await until(() => web.streamCount === 1, 'the first client to be dropped');
  b.close();
  await until(() => web.streamCount === 0 && daemon.events.listenerCount('audit') === 0, 'all listeners gone');
});

test('login with a token: wrong -> 401, counted and audited; right -> cookie; cookie GETs; cookie POSTs need X-MySeal', async (t) => {
  const w = await startWorld(t, { token: TOKEN });
  const bearer = { authorization: `Bearer ${TOKEN}` };

  // The page and its files load without a token (to show the login form); the data does not.
  assert.equal((await raw(w.port, '/')).status, 200);
  assert.equal((await raw(w.port, '/assets/app.js')).status, 200);
  assert.deepEqual(await (await fetch(`${w.base}/api/session`)).json(), { loginRequired: true, authenticated: false, via: 'none' });
  for (const path of ['/api/overview', '/api/audit', '/api/events', '/api/nodes', '/api/health', '/api/nodes/5']) {
    assert.equal((await raw(w.port, path)).status, 401, path);
  }
  // Public means public to the page's routes only: a public spelling does not open the API.
  assert.equal((await raw(w.port, '/api/nodes/5/status', { method: 'POST' })).status, 401);

  const login = (token: string, headers: Record<string, string> = { 'x-myseal': '1' }) =>
    fetch(`${w.base}/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token }) });

  // Without the page's header (a cross-site form): refused before the token is looked at.
  assert.equal((await login(TOKEN, {})).status, 403);

  const wrong = await login('not-the-token-at-all');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const health = (await (await fetch(`${w.base}/api/health`, { headers: bearer })).json()) as { counters: Record<string, number> };
  assert.equal(health.counters['http:LOGIN_FAILED'], 1);
  const auditText = readFileSync(join(w.dir, 'audit.log'), 'utf8');
  assert.match(auditText, /"event":"security","source":"http:[^"]+","result":"LOGIN_FAILED"/);
  assert.equal(auditText.includes('not-the-token-at-all') || auditText.includes(TOKEN), false, 'no token in the audit log');
  assert.equal(w.logs.join('').includes(TOKEN), false, 'no token in the log');

  const right = await login(TOKEN);
  assert.equal(right.status, 200);
  const setCookie = right.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^myseal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: the cookie cannot be Secure');
  const cookie = setCookie.split(';')[0]!;

  // The cookie authorizes GETs like the token: the page's data and the API's.
  assert.deepEqual(await (await fetch(`${w.base}/api/session`, { headers: { cookie } })).json(), { loginRequired: true, authenticated: true, via: 'session' });
  assert.equal((await fetch(`${w.base}/api/overview`, { headers: { cookie } })).status, 200);
  assert.equal((await fetch(`${w.base}/api/nodes/5`, { headers: { cookie } })).status, 200);
  assert.equal((await fetch(`${w.base}/api/overview`, { headers: { cookie: 'myseal_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status, 401);

  // A POST with only the cookie must carry X-MySeal: 1 (CSRF); with it, it works.
  const noHeader = await fetch(`${w.base}/api/nodes/5/status`, { method: 'POST', headers: { cookie } });
  assert.equal(noHeader.status, 403);
  assert.equal(((await noHeader.json()) as { error: string }).error, 'CSRF');
  const noHeaderDigit = await fetch(`${w.base}/api/nodes/5/digits`, { method: 'POST', headers: { cookie }, body: JSON.stringify({ digit: '1' }) });
  assert.equal(noHeaderDigit.status, 403);
  assert.equal(w.running.daemon.bufferedDigits(5), 0, 'the refused digit never reached PIN entry');
  const withHeader = await fetch(`${w.base}/api/nodes/5/status`, { method: 'POST', headers: { cookie, 'x-myseal': '1' } });
  assert.equal(withHeader.status, 200);
  assert.equal(((await withHeader.json()) as { locked: boolean }).locked, true);
  let last: { status: number; body: Record<string, unknown> } | undefined;
  for (const d of PIN) last = await pressKey(w.base, 5, d, { cookie });
  assert.equal(last!.body.result, 'unlocked');

  // The bearer token needs no such header: curl and Home Assistant keep working.
  assert.equal((await fetch(`${w.base}/api/nodes/5/status`, { method: 'POST', headers: bearer })).status, 200);

  // The event stream, opened with the cookie, ends with the session.
  const stream = await openEventStream(w.port, { cookie });
  t.after(() => stream.close());
  assert.equal(stream.status, 200);
  const logoutNoHeader = await fetch(`${w.base}/logout`, { method: 'POST', headers: { cookie } });
  assert.equal(logoutNoHeader.status, 403);
  const logout = await fetch(`${w.base}/logout`, { method: 'POST', headers: { cookie, 'x-myseal': '1' } });
  assert.equal(logout.status, 200);
  assert.match(logout.headers.get('set-cookie') ?? '', /^myseal_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
  await until(() => stream.ended, 'the stream to end with the session');
  assert.equal((await fetch(`${w.base}/api/overview`, { headers: { cookie } })).status, 401);
  assert.equal((await fetch(`${w.base}/api/nodes/5/status`, { method: 'POST', headers: { cookie, 'x-myseal': '1' } })).status, 401);

  // 5 tries a minute per address, right or wrong: 2 used above, 3 more, then 429.
  for (let i = 0; i < 3; i++) assert.equal((await login(`wrong-${i}`)).status, 401);
  const limited = await login(TOKEN);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal(((await limited.json()) as { error: string }).error, 'RATE_LIMITED');
  const after = (await (await fetch(`${w.base}/api/health`, { headers: bearer })).json()) as { counters: Record<string, number> };
  assert.equal(after.counters['http:LOGIN_FAILED'], 4);
  assert.equal(after.counters['http:LOGIN_RATE_LIMITED'], 1);
  const failures = (await (await fetch(`${w.base}/api/audit?event=security`, { headers: bearer })).json()) as { entries: { result: string }[] };
  assert.equal(failures.entries.filter((e) => e.result === 'LOGIN_FAILED').length, 4);
});

test('without a token there is nothing to log in to', async (t) => {
  const w = await startWorld(t);
  const r = await fetch(`${w.base}/login`, { method: 'POST', headers: { 'x-myseal': '1' }, body: JSON.stringify({ token: 'x' }) });
  assert.equal(r.status, 400);
  assert.equal(((await r.json()) as { error: string }).error, 'NO_LOGIN_NEEDED');
  assert.equal((await fetch(`${w.base}/login`)).status, 405);
});
