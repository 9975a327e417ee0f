import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ErrorCode, isMySealError } from '../errors.ts';
import { makePair } from '../protocol/memory-pair.ts';
import { FakeGateway } from '../test-helpers/fake-gateway.ts';
import { Daemon } from '../daemon/daemon.ts';
import { ApiServer, tokenMatches } from './api-server.ts';

async function start(token?: string) {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), timeoutMs: 300 });
  daemon.start();
  const api = new ApiServer(daemon, { host: '127.0.0.1', port: 0, token });
  const addr = await api.listen();
  const base = `http://127.0.0.1:${addr.port}`;
  return { p, api, base, daemon };
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
    ['/digit?node=0&d=1', undefined, 400, 'BAD_NODE_ID'],
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
