/**
 * The web page's files, from the top-level web/ folder, served from a fixed table: a request path
 * is looked up, never joined to a directory, so no spelling of `..` (plain, percent-encoded,
 * doubled, backslashed) can reach another file. Everything else under /assets/ is a 404.
 *
 * One module of the page is not a file: /assets/modules/vocabulary.js is written here from
 * vocabulary.ts, so the page and the daemon use the same event names, refusal reasons and labels
 * without a copy in web/ or a build step.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security-headers.ts';
import * as vocabulary from './vocabulary.ts';

/** src/edges/web/*.ts and dist/edges/web/*.js are both three levels below the repository (or package) root. */
export const WEB_DIR = new URL('../../../web/', import.meta.url);

/** A file of web/, or content made here. */
type StaticFile = { type: string } & ({ file: string } | { body: Buffer });

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const PNG = 'image/png';

/**
 * The PNG icons of web/ (drawn from icon.svg by scripts/make-icons.ts): the manifest's, for "add to
 * home screen", and iOS's apple-touch-icon, which reads no manifest.
 */
export const WEB_ICONS: readonly string[] = ['icon-192.png', 'icon-512.png', 'icon-maskable-512.png', 'apple-touch-icon.png'];

/** Where the web app manifest is served: at the top, where "add to home screen" finds it linked. */
export const MANIFEST_PATH = '/manifest.webmanifest';

/** The page's ES modules in web/modules/, one job each; web/app.js imports them. */
export const WEB_MODULES: readonly string[] = [
  'api.js',
  'audit-list.js',
  'audit-rows.js',
  'clock.js',
  'dom.js',
  'event-stream.js',
  'keypad.js',
  'node-list.js',
  'result-panel.js',
  'security-rows.js',
  'sign-in.js',
  'site.js',
  'words.js',
];

/** An ES module that exports each of `values` as a constant, written as JSON. */
export function constantsModule(values: Readonly<Record<string, unknown>>): string {
  return Object.entries(values)
    .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};\n`)
    .join('');
}

/** The shared vocabulary as the page imports it: every value vocabulary.ts exports. */
export const VOCABULARY_MODULE = constantsModule(vocabulary);

/** The only files served, by request path. */
export const STATIC_FILES: ReadonlyMap<string, StaticFile> = new Map<string, StaticFile>([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/assets/app.js', { file: 'app.js', type: JAVASCRIPT }],
  ...WEB_MODULES.map((name): [string, StaticFile] => [`/assets/modules/${name}`, { file: `modules/${name}`, type: JAVASCRIPT }]),
  ['/assets/modules/vocabulary.js', { body: Buffer.from(VOCABULARY_MODULE), type: JAVASCRIPT }],
  ['/assets/style.css', { file: 'style.css', type: 'text/css; charset=utf-8' }],
  ['/assets/icon.svg', { file: 'icon.svg', type: 'image/svg+xml' }],
  ...WEB_ICONS.map((name): [string, StaticFile] => [`/assets/${name}`, { file: name, type: PNG }]),
  [MANIFEST_PATH, { file: 'manifest.webmanifest', type: 'application/manifest+json' }],
]);

export function isStaticPath(path: string): boolean {
  return STATIC_FILES.has(path) || path.startsWith('/assets/');
}

function sendText(res: ServerResponse, status: number, text: string, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(head ? undefined : text);
}

/** Serves `path` if it is one of the files (GET or HEAD); a 404 for anything else under /assets/. */
export async function serveStatic(res: ServerResponse, path: string, method: string): Promise<void> {
  const entry = STATIC_FILES.get(path);
  if (!entry) {
    sendText(res, 404, 'not found\n', method === 'HEAD');
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendText(res, 405, 'method not allowed\n', false);
    return;
  }
  let body: Buffer;
  try {
    body = 'body' in entry ? entry.body : await readFile(new URL(entry.file, WEB_DIR));
  } catch {
    sendText(res, 500, 'the web page files are missing from this installation\n', method === 'HEAD');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': entry.type,
    'content-length': String(body.length),
    // The page and its data are never cached: an old keypad script must not outlive an update, and
    // nothing about the doors should linger in a shared browser's cache.
    'cache-control': 'no-store',
  });
  res.end(method === 'HEAD' ? undefined : body);
}
