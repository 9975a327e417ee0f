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
import { MANIFEST_PATH, serveStatic, STATIC_FILES, VOCABULARY_MODULE, WEB_ICONS, WEB_MODULES } from './static-files.ts';

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

/** Width and height from a PNG's IHDR chunk, or undefined for something that is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('installable: the manifest is linked, says what a home screen needs, and every icon it names is served as declared', async (t) => {
  const server = createServer((req, res) => void serveStatic(res, req.url ?? '/', req.method ?? 'GET'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const page = await (await fetch(`${base}/`)).text();
  assert.match(page, new RegExp(`<link rel="manifest" href="${MANIFEST_PATH}">`));
  assert.match(page, /<meta name="theme-color" content="#[0-9a-f]{6}"/);
  assert.match(page, /<link rel="apple-touch-icon" href="\/assets\/apple-touch-icon.png">/);

  const r = await fetch(`${base}${MANIFEST_PATH}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/manifest+json');
  const manifest = (await r.json()) as Record<string, unknown> & { icons: { src: string; sizes: string; type: string; purpose: string }[] };
  assert.equal(manifest.name, 'MySeal');
  assert.equal(manifest.short_name, 'MySeal');
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  assert.match(String(manifest.theme_color), /^#[0-9a-f]{6}$/);
  assert.match(String(manifest.background_color), /^#[0-9a-f]{6}$/);
  assert.ok(page.includes(`<meta name="theme-color" content="${String(manifest.theme_color)}"`), 'the page and the manifest agree on the theme colour');

  const sizes = new Set<string>();
  for (const icon of [...manifest.icons, { src: '/assets/apple-touch-icon.png', sizes: '180x180', type: 'image/png', purpose: 'any' }]) {
    const got = await fetch(`${base}${icon.src}`);
    assert.equal(got.status, 200, icon.src);
    assert.equal(got.headers.get('content-type'), icon.type, icon.src);
    const bytes = Buffer.from(await got.arrayBuffer());
    if (icon.type === 'image/png') {
      const [w, h] = icon.sizes.split('x').map(Number);
      assert.deepEqual(pngSize(bytes), { width: w, height: h }, `${icon.src} is a real ${icon.sizes} PNG`);
      sizes.add(`${icon.sizes} ${icon.purpose}`);
    } else {
      assert.match(bytes.toString('utf8'), /^<svg /);
    }
  }
  assert.ok(sizes.has('192x192 any') && sizes.has('512x512 any'), 'PNG icons of 192 and 512');
  for (const name of WEB_ICONS) assert.ok(STATIC_FILES.has(`/assets/${name}`));
});
