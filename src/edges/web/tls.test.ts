/**
 * HTTPS for the daemon's HTTP API and web page (http.tls), against `myseal serve` over real sockets
 * with certificates openssl makes for the test: the page, the login and the API over TLS, the
 * session cookie Secure and every answer with HSTS; plain HTTP and untrusting clients turned away
 * at the handshake (and counted); key files checked like every secret; the warning for an API
 * reachable from the network in clear text. (`myseal digit` over HTTPS: src/commands/digit.test.ts.)
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../core/errors.ts';
import { clearTextWarning, HSTS_HEADER, readTlsFiles } from '../http/tls.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import { configFromDocument } from '../../config/config.ts';
import { freePort } from '../../demo/free-port.ts';
import { cleanupStack, tempDir, throwsCode } from '../../../test/support/fixtures.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { makeTestCertificates } from '../../../test/support/test-cert.ts';
import type { TestCertificates } from '../../../test/support/test-cert.ts';
import { raw } from '../../../test/support/raw-http.ts';
import { PIN, startWorld, until } from '../../../test/support/web-world.ts';
import type { World } from '../../../test/support/web-world.ts';

const TOKEN = 'tls-test-token-0123456789abcdef';

function certificates(t: TestContext): TestCertificates | undefined {
  if (!requireTool(t, 'openssl')) return undefined;
  return makeTestCertificates(tempDir(t, 'myseal-tls-'));
}

async function tlsWorld(t: TestContext, certs: TestCertificates): Promise<World> {
  return startWorld(t, { token: TOKEN, tls: { cert: certs.certPath, key: certs.keyPath } });
}

test('HTTPS: page, login and API over TLS; the session cookie is Secure; every answer carries HSTS', async (t) => {
  const certs = certificates(t);
  if (!certs) return;
  const w = await tlsWorld(t, certs);
  assert.match(w.base, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(w.running.httpUrl, `${w.base}/`);
  const ca = certs.caPem;

  const page = await raw(w.port, '/', { ca });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['strict-transport-security'], HSTS_HEADER);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  const unauthorized = await raw(w.port, '/api/overview', { ca });
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.headers['strict-transport-security'], HSTS_HEADER, 'refusals too');

  const login = await raw(w.port, '/login', {
    ca,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-myseal': '1' },
    body: JSON.stringify({ token: TOKEN }),
  });
  assert.equal(login.status, 200);
  assert.equal(login.headers['strict-transport-security'], HSTS_HEADER);
  const setCookie = String(login.headers['set-cookie']);
  assert.match(setCookie, /^myseal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
  const cookie = setCookie.split(';')[0]!;

  // The cookie opens the page's data and the keypad's POSTs, over TLS.
  const overview = await raw(w.port, '/api/overview', { ca, headers: { cookie } });
  assert.equal(overview.status, 200);
  assert.equal(overview.headers['strict-transport-security'], HSTS_HEADER);
  let last: { status: number; body: string } | undefined;
  for (const digit of PIN) {
    last = await raw(w.port, '/api/nodes/5/digits', {
      ca,
      method: 'POST',
      headers: { cookie, 'x-myseal': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ digit }),
    });
  }
  assert.equal(last!.status, 200);
  assert.equal((JSON.parse(last!.body) as { result: string }).result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);

  // Logging out clears the cookie with the same attributes.
  const logout = await raw(w.port, '/logout', { ca, method: 'POST', headers: { cookie, 'x-myseal': '1' } });
  assert.match(String(logout.headers['set-cookie']), /^myseal_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0; Secure$/);
  assert.equal(w.logs.join('').includes(TOKEN), false, 'no token in the log');
});

test('HTTPS: plain HTTP and clients that do not trust the certificate fail at the handshake, counted; no HSTS without TLS', async (t) => {
  const certs = certificates(t);
  if (!certs) return;
  const w = await tlsWorld(t, certs);
  // Plain HTTP to the HTTPS port: no HTTP answer at all, and the token in it never reaches a route.
  await assert.rejects(raw(w.port, `/digit?node=5&d=1&token=${TOKEN}`));
  // A client that trusts only some other CA refuses the server.
  await assert.rejects(raw(w.port, '/', { ca: readFileSync(certs.impostorCertPath, 'utf8') }), /self.signed|unable to verify|certificate/i);
  assert.equal(w.running.daemon.bufferedDigits(5), 0);
  await until(() => (w.running.daemon.counters.get('http:TLS_HANDSHAKE_FAILED') ?? 0) >= 1, 'the failed handshake to be counted');
  const health = await raw(w.port, '/api/health', { ca: certs.caPem, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.ok((JSON.parse(health.body) as { counters: Record<string, number> }).counters['http:TLS_HANDSHAKE_FAILED']! >= 1);

  const plain = await startWorld(t);
  const r = await raw(plain.port, '/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['strict-transport-security'], undefined, 'HSTS only over HTTPS');
  assert.equal(plain.running.httpUrl, `${plain.base}/`);
});

test('the TLS key is a secret: refused when group or others can read it, when missing, or when it is not the certificate\'s', (t) => {
  const certs = certificates(t);
  if (!certs) return;
  const files = { cert: certs.certPath, key: certs.keyPath };
  const ok = readTlsFiles(files);
  assert.equal(ok.cert, certs.certPem);
  assert.equal(ok.expired, false);
  assert.equal(readTlsFiles(files, new Date(Date.now() + 3 * 86_400_000)).expired, true, 'made for 2 days');

  for (const mode of [0o640, 0o604, 0o644]) {
    chmodSync(certs.keyPath, mode);
    const e = throwsCode(() => readTlsFiles(files), ErrorCode.KEY_STORE_PERMISSIONS);
    assert.match(e.message, /chmod 600/);
  }
  chmodSync(certs.keyPath, 0o600);

  const dir = tempDir(t, 'myseal-tls-bad-');
  const missing = throwsCode(() => readTlsFiles({ ...files, key: join(dir, 'none.key') }), ErrorCode.BAD_CONFIG);
  assert.match(missing.message, /http\.tls\.key: the key file .* does not exist/);
  assert.match(throwsCode(() => readTlsFiles({ ...files, cert: join(dir, 'none.pem') }), ErrorCode.BAD_CONFIG).message, /http\.tls\.cert: the certificate file/);

  const other = throwsCode(() => readTlsFiles({ cert: certs.certPath, key: certs.impostorKeyPath }), ErrorCode.BAD_CONFIG);
  assert.match(other.message, /is not the private key of the certificate/);

  const garbage = join(dir, 'garbage.key');
  writeFileSync(garbage, 'not a key\n', { mode: 0o600 });
  const e = throwsCode(() => readTlsFiles({ ...files, key: garbage }), ErrorCode.BAD_CONFIG);
  assert.match(e.message, /does not hold a private key/);
  const keyText = readFileSync(certs.keyPath, 'utf8');
  const swapped = throwsCode(() => readTlsFiles({ cert: certs.keyPath, key: certs.keyPath }), ErrorCode.BAD_CONFIG);
  assert.equal(swapped.message.includes(keyText.split('\n')[1]!), false, 'no key material in messages');
});

test('myseal serve does not start with a TLS key that others can read', async (t) => {
  const certs = certificates(t);
  if (!certs) return;
  const defer = cleanupStack(t);
  const dir = tempDir(t, 'myseal-tls-serve-');
  const key = join(dir, 'server.key');
  copyFileSync(certs.keyPath, key);
  chmodSync(key, 0o644);
  const config = configFromDocument({
    gateway: `tcp://127.0.0.1:${await freePort()}`,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}`, tls: { cert: certs.certPath, key } },
    stateDir: join(dir, 'state'),
  });
  await assert.rejects(
    startDaemon(config).then(async (running) => {
      defer(() => running.stop());
    }),
    (e: unknown) => e instanceof Error && /KEY_STORE_PERMISSIONS/.test(e.message),
  );
});

test('the clear-text warning: off loopback without TLS only', () => {
  const tls = { cert: '/c.pem', key: '/k.pem' };
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(clearTextWarning({ host, port: 8080 }, undefined), undefined, host);
  for (const host of ['0.0.0.0', '192.168.1.10', '::', 'myseal.lan']) {
    const text = clearTextWarning({ host, port: 8080 }, undefined);
    assert.ok(text, host);
    assert.match(text, /clear text/);
    assert.match(text, /token/);
    assert.match(text, /PIN digit/);
    assert.match(text, /http\.tls/);
    assert.equal(clearTextWarning({ host, port: 8080 }, tls), undefined, `${host} with TLS`);
  }
});
