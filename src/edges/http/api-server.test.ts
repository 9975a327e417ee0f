import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { sleep, until } from '../../../test/support/until.ts';
import { Daemon } from '../../service/daemon.ts';
import { WebRoutes } from '../web/web-routes.ts';
import { ApiServer } from './api-server.ts';
import { tokenMatches } from './auth.ts';
import type { ApiServerOptions } from './api-server.ts';

/** The API in front of a fake gateway with a sealed lock on node 5 (PIN 1234); `silent`: the lock never answers. */
async function start(token?: string, extra: Partial<ApiServerOptions> = {}, opts: { silent?: boolean; retries?: number } = {}) {
  const p = makePair();
  const gateway = new FakeGateway();
  if (!opts.silent) gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), timeoutMs: 300, retries: opts.retries });
  daemon.start();
  const api = new ApiServer(daemon, { host: '127.0.0.1', port: 0, token, ...extra });
  const addr = await api.listen();
  const base = `http://127.0.0.1:${addr.port}`;
  return { p, api, base, daemon, port: addr.port };
}

test('GET /digit: digits answer at once, the last one with the sealed result', async (t) => {
  const { api, base, p } = await start();
  t.after(() => api.close());
  for (const d of '123') {
    const r = await fetch(`${base}/digit?node=5&d=${d}`);
    assert.equal(r.status, 202);
    assert.equal(((await r.json()) as { state: string }).state, 'buffered');
  }
  const r = await fetch(`${base}/digit?node=5&d=4`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as { result: string; ok: boolean };
  assert.equal(body.result, 'unlocked');
  assert.equal(p.node.locked, false);
});

test('POST /api/nodes/N/digits and the node state as JSON', async (t) => {
  const { api, base } = await start();
  t.after(() => api.close());
  const wrong = await fetch(`${base}/api/nodes/5/digits`, { method: 'POST', body: JSON.stringify({ digits: '9999' }) });
  const body = (await wrong.json()) as { result: string; attemptsLeft: number };
  assert.equal(body.result, 'wrong_pin');
  assert.equal(body.attemptsLeft, 4);
  const state = (await (await fetch(`${base}/api/nodes/5`)).json()) as { node: number; locked: boolean | null; attemptsLeft: number };
  assert.equal(state.node, 5);
  assert.equal(state.attemptsLeft, 4);
  const status = await fetch(`${base}/api/nodes/5/status`, { method: 'POST' });
  assert.equal(((await status.json()) as { locked: boolean }).locked, true);
});

test('bad input gets a clear error with a code; the server keeps serving', async (t) => {
  const { api, base } = await start();
  t.after(() => api.close());
  const cases: [string, RequestInit | undefined, number, string][] = [
    ['/digit?node=255&d=1', undefined, 400, 'BAD_NODE_ID'],
    ['/digit?node=0&d=1', undefined, 404, 'NO_KEY'],
    ['/digit?node=5&d=x', undefined, 400, 'BAD_PIN'],
    ['/digit?node=9&d=1', undefined, 404, 'NO_KEY'],
    ['/api/nodes/5/unlock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' }, 400, 'BAD_JSON'],
    ['/api/nodes/5/unlock', { method: 'POST', body: '{nope' }, 400, 'BAD_FIELD'],
    ['/api/nodes/5/unlock', { method: 'POST', body: '{"pin":12}' }, 400, 'BAD_FIELD'],
    ['/api/nodes/5/unlock', { method: 'POST', body: 'x'.repeat(5000) }, 413, 'BODY_TOO_LARGE'],
    ['/api/nodes/5/frobnicate', { method: 'POST', body: '{}' }, 404, 'NOT_FOUND'],
    ['/nothing', undefined, 404, 'NOT_FOUND'],
  ];
  for (const [path, init, status, code] of cases) {
    const r = await fetch(`${base}${path}`, init);
    assert.equal(r.status, status, path);
    assert.equal(((await r.json()) as { error: string }).error, code, path);
  }
  assert.equal((await fetch(`${base}/api/health`)).status, 200);
});

test('with a token every request needs it: Bearer, or token= for /digit', async (t) => {
  const token = 'a-long-random-token-value';
  const { api, base, daemon } = await start(token);
  t.after(() => api.close());
  assert.equal((await fetch(`${base}/api/nodes/5`)).status, 401);
  assert.equal((await fetch(`${base}/digit?node=5&d=1&token=wrong`)).status, 401);
  assert.equal((await fetch(`${base}/digit?node=5&d=1&token=${token}`)).status, 202);
  assert.equal((await fetch(`${base}/api/nodes/5`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  const r = await fetch(`${base}/api/nodes/5`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(JSON.stringify(await r.json()).includes(token), false);
  // token= works on GET /digit alone (Domoticz sends no headers); anywhere else, even the right
  // token in a URL is refused with its own code, so the caller learns to send a header instead.
  for (const [path, init] of [
    [`/api/nodes/5?token=${token}`, undefined],
    [`/api/health?token=${token}`, undefined],
    [`/api/nodes/5/lock?token=${token}`, { method: 'POST' }],
    [`/digit?node=5&d=1&token=${token}`, { method: 'POST' }],
  ] as const) {
    const refused = await fetch(`${base}${path}`, init);
    assert.equal(refused.status, 401, path);
    const body = (await refused.json()) as { error: string; message: string };
    assert.equal(body.error, 'TOKEN_IN_QUERY', path);
    assert.equal(body.message.includes(token), false);
  }
  assert.equal(daemon.counters.get('http:TOKEN_IN_QUERY'), 4);
  assert.equal((await fetch(`${base}/digit/?node=5&d=2&token=${token}`)).status, 202, 'a trailing slash is the same route');
});

test('a non-loopback address without a token is refused at start', () => {
  const p = makePair();
  const daemon = new Daemon({ gateway: new FakeGateway(), keys: p.keys, counters: p.counters, nodes: new Map() });
  assert.throws(() => new ApiServer(daemon, { host: '0.0.0.0', port: 0 }), (e) => isMySealError(e, ErrorCode.BAD_CONFIG));
  assert.ok(tokenMatches('abc', 'abc') && !tokenMatches('abc', 'abd') && !tokenMatches('abc', undefined));
});

test('digits in every shape controllers send: string, number, several, text/plain', async (t) => {
  const { api, base, p } = await start();
  t.after(() => api.close());
  const post = (body: string, type = 'application/json') =>
    fetch(`${base}/api/nodes/5/digits`, { method: 'POST', headers: { 'content-type': type }, body });
  assert.equal((await post('{"digit":1}')).status, 202);
  assert.equal((await post('{"digits":"2"}')).status, 202);
  assert.equal((await post('3', 'text/plain')).status, 202);
  const last = await post('{"digit":"4"}');
  assert.equal(((await last.json()) as { result: string }).result, 'unlocked');
  assert.equal(p.node.locked, false);
  assert.equal((await post('{"digit":true}')).status, 400);
});

test('browsers on other sites are refused; without a token only loopback host names are served', async (t) => {
  const { api, base, p } = await start();
  t.after(() => api.close());
  const cross = await fetch(`${base}/digit?node=5&d=1`, { headers: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(cross.status, 403);
  assert.equal(((await cross.json()) as { error: string }).error, 'CROSS_SITE');
  const foreignOrigin = await fetch(`${base}/api/nodes/5/lock`, { method: 'POST', headers: { origin: 'http://evil.example' } });
  assert.equal(foreignOrigin.status, 403);
  // fetch will not send a foreign Host header; a raw request can, as a browser fooled by DNS rebinding does.
  const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${base}/api/nodes`, { headers: { host: 'evil.example:8080' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(rebound.status, 403);
  assert.equal((JSON.parse(rebound.body) as { error: string }).error, 'BAD_HOST');
  const own = await fetch(`${base}/api/nodes/5/status`, { method: 'POST', headers: { origin: base, 'sec-fetch-site': 'same-origin' } });
  assert.equal(own.status, 200);
  assert.equal(p.node.locked, true);
});

test('a browser request naming another site only in Referer is refused on every route; a Referer naming this server is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-api-referer-'));
  const { api, base, p, daemon } = await start();
  // The web page's routes, as `myseal serve` plugs them in, on a second server over the same daemon.
  const web = new WebRoutes(daemon, { stateDir: dir });
  const page = new ApiServer(daemon, { host: '127.0.0.1', port: 0, ...web.apiOptions() });
  const pageBase = `http://127.0.0.1:${(await page.listen()).port}`;
  t.after(async () => {
    web.close();
    await page.close();
    await api.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // What an older browser sends for an <img src> or a form on another site: Referer, no Origin, no Sec-Fetch-Site.
  const foreign = { referer: 'http://evil.example/page.html' };
  const refused: [string, string, RequestInit][] = [
    ['GET /digit', `${base}/digit?node=5&d=1&wait=0`, { headers: foreign }],
    ['POST digits', `${base}/api/nodes/5/digits`, { method: 'POST', headers: foreign, body: '{"digits":"1234"}' }],
    ['the web page', `${pageBase}/`, { headers: foreign }],
    ['a web page route', `${pageBase}/api/overview`, { headers: foreign }],
    ['same host, another port', `${base}/digit?node=5&d=1`, { headers: { referer: 'http://127.0.0.1:1/' } }],
    ['an unparsable Referer', `${base}/digit?node=5&d=1`, { headers: { referer: 'not a url' } }],
  ];
  for (const [what, url, init] of refused) {
    const r = await fetch(url, init);
    assert.equal(r.status, 403, what);
    assert.equal(((await r.json()) as { error: string }).error, 'CROSS_SITE', what);
  }
  assert.equal(daemon.bufferedDigits(5), 0, 'no digit was buffered');
  assert.equal(p.node.locked, true, 'the PIN never reached the lock');
  assert.equal(daemon.counters.get('http:CROSS_SITE'), refused.length, 'each refusal counted as refused input');

  // A Referer naming this server itself (its own host:port) is the page's own request.
  const own = await fetch(`${base}/digit?node=5&d=1`, { headers: { referer: `${base}/` } });
  assert.equal(own.status, 202);
  assert.equal(daemon.bufferedDigits(5), 1);
  const ownPost = await fetch(`${base}/api/nodes/5/digits`, { method: 'POST', headers: { referer: `${base}/x` }, body: '{"digits":"234"}' });
  assert.equal(((await ownPost.json()) as { result: string }).result, 'unlocked');
  assert.equal((await fetch(`${pageBase}/`, { headers: { referer: `${pageBase}/` } })).status, 200);
});

/**
 * Raw connections that send `head` and then a byte of `drip` at a time, for as long as the server
 * lets them, as a slow or stuck client does. Half-open like such a client: closed only when the
 * server closes the connection for good.
 */
function dribblers(t: { after(fn: () => void): void }, port: number, clients: { head: string; drip: string }[]): { closed(): number } {
  let closed = 0;
  const sockets = clients.map(({ head }) => {
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    s.on('error', () => undefined); // EPIPE or ECONNRESET once the server has closed it
    s.on('close', () => closed++);
    s.write(head);
    return s;
  });
  let i = 0;
  const timer = setInterval(() => {
    sockets.forEach((s, n) => {
      const { drip } = clients[n]!;
      if (!s.destroyed) s.write(drip[i % drip.length]!);
    });
    i++;
  }, 50);
  t.after(() => {
    clearInterval(timer);
    for (const s of sockets) s.destroy();
  });
  return { closed: () => closed };
}

test('slow and stuck clients: connections dribbling headers or a body are closed, while others are served', async (t) => {
  const limits = { headersTimeoutMs: 500, requestTimeoutMs: 1_000 };
  const { api, base, port, daemon } = await start(undefined, { limits });
  t.after(() => api.close());
  const slowHeaders = { head: 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', drip: 'X-Slow: a\r\n' };
  const slowBody = { head: 'POST /api/nodes/5/unlock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n', drip: ' ' };
  const slow = dribblers(t, port, [...Array<typeof slowHeaders>(24).fill(slowHeaders), ...Array<typeof slowBody>(6).fill(slowBody)]);
  const health = await fetch(`${base}/api/health`);
  assert.equal(health.status, 200, 'a normal request is served meanwhile');
  await until(() => slow.closed() === 30, 'the server to close every slow connection', 20_000);
  assert.ok((daemon.counters.get('http:REQUEST_TIMEOUT') ?? 0) > 0, 'counted');
  assert.equal(daemon.counters.get('http:INTERNAL'), undefined, 'a body cut off is not an internal error');
  assert.equal((await fetch(`${base}/api/health`)).status, 200);
});

/** A keep-alive connection that asks GET /api/health on demand and counts the answers. */
function keepAliveClient(port: number): { socket: Socket; answers(): number; closed(): boolean; ask(): void } {
  const socket = connect({ port, host: '127.0.0.1' });
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return {
    socket,
    answers: () => received.split('HTTP/1.1 200 ').length - 1,
    closed: () => closed,
    ask: () => void socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
  };
}

test('past the connection cap a new connection is closed, counted and logged, while the open ones stay served', async (t) => {
  const { api, port, daemon } = await start(undefined, { limits: { maxConnections: 4, keepAliveTimeoutMs: 60_000 } });
  const clients: ReturnType<typeof keepAliveClient>[] = [];
  t.after(async () => {
    for (const c of clients) c.socket.destroy();
    await api.close();
  });
  for (let i = 0; i < 4; i++) clients.push(keepAliveClient(port));
  for (const c of clients) c.ask();
  await until(() => clients.every((c) => c.answers() === 1), 'the first answers');

  const extra = keepAliveClient(port);
  clients.push(extra);
  extra.ask();
  await until(() => extra.closed(), 'the connection over the cap to be closed');
  assert.equal(extra.answers(), 0);
  await until(() => (daemon.counters.get('http:TOO_MANY_CONNECTIONS') ?? 0) > 0, 'the refusal to be counted');

  const open = clients.slice(0, 4);
  for (const c of open) c.ask();
  await until(() => open.every((c) => c.answers() === 2), 'the open connections to be served again');
  assert.ok(open.every((c) => !c.closed()));

  // A slot frees when a connection goes (the server learns of it a moment later: try until it has).
  open[0]!.socket.destroy();
  let served = false;
  for (let tries = 0; tries < 50 && !served; tries++) {
    const next = keepAliveClient(port);
    clients.push(next);
    next.ask();
    await until(() => next.answers() > 0 || next.closed(), 'an answer or a close');
    served = next.answers() > 0;
    if (!served) await sleep(100);
  }
  assert.ok(served, 'a new connection is served once one has gone');
});

test('the timeouts bound receiving a request, not answering it: a last digit waiting for the lock gets its answer', async (t) => {
  // The lock never answers: the last digit's answer comes after the operation's timeout and its
  // retry (300 ms each), longer than the request timeout here.
  const { api, base, daemon } = await start(undefined, { limits: { headersTimeoutMs: 100, requestTimeoutMs: 200 } }, { silent: true, retries: 1 });
  t.after(async () => {
    await api.close();
    await daemon.stop();
  });
  const r = await fetch(`${base}/api/nodes/5/digits`, { method: 'POST', body: '{"digits":"1234"}' });
  assert.equal(r.status, 504);
  assert.equal(((await r.json()) as { result: string }).result, 'timeout');
});
