/**
 * The page's modules as the browser fetches them: each with its type, the security headers and
 * no caching; the vocabulary written from the server's constants; the page's sources and type
 * declarations never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { raw } from '../../../test/support/raw-http.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { serveStatic, VOCABULARY_MODULE, WEB_MODULES } from './static-files.ts';

test('the page modules are served as JavaScript with the security headers; the vocabulary is the server\'s own', async (t) => {
  const server = createServer((req, res) => void serveStatic(res, req.url ?? '/', req.method ?? 'GET'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  for (const path of ['/assets/app.js', ...WEB_MODULES.map((m) => `/assets/modules/${m}`), '/assets/modules/vocabulary.js']) {
    const r = await raw(port, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8', path);
    assert.equal(r.headers['cache-control'], 'no-store', path);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[name], value, `${path} ${name}`);
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.body)), path);
  }
  const vocabulary = await raw(port, '/assets/modules/vocabulary.js');
  assert.equal(vocabulary.body, VOCABULARY_MODULE);
  const head = await raw(port, '/assets/modules/vocabulary.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');

  for (const path of [
    '/assets/modules/',
    '/assets/modules/vocabulary.d.ts',
    '/assets/tsconfig.json',
    '/assets/modules/../app.js',
    '/assets/modules/%2e%2e/app.js',
    '/assets/modules/../../src/edges/web/vocabulary.ts',
    '/src/edges/web/vocabulary.ts',
    '/modules/api.js',
  ]) {
    assert.equal((await raw(port, path)).status, 404, path);
  }
});
