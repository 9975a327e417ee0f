/**
 * The page's side of the shared vocabulary: the module the browser imports holds exactly the
 * server's constants, every module the page imports is one the server serves, and every outcome the
 * keypad has words for is one the daemon reports. The page's type-check reads the vocabulary without
 * the routes that serve it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { Status } from '../../core/protocol/body.ts';
import type { ResultBody } from '../../core/protocol/body.ts';
import { describeOutcome, sentLegacy } from '../../service/lock/outcome.ts';
import { constantsModule, STATIC_FILES, VOCABULARY_MODULE, WEB_DIR, WEB_MODULES } from './static-files.ts';
import * as vocabulary from './vocabulary.ts';

/** Imports module source text as the browser would, as an ES module. */
async function importText(text: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as Record<string, unknown>;
}

test('the served vocabulary module exports exactly the values of vocabulary.ts', async () => {
  const served = await importText(VOCABULARY_MODULE);
  assert.deepEqual({ ...served }, { ...vocabulary });
  assert.ok(Object.keys(served).includes('EVENT_LABELS') && Object.keys(served).includes('SECURITY_REASONS'));
  const entry = STATIC_FILES.get('/assets/modules/vocabulary.js');
  assert.ok(entry && 'body' in entry, 'served from memory, not from a file in web/');
  assert.equal(entry.body.toString('utf8'), VOCABULARY_MODULE);
});

test('a constants module carries any JSON value intact: quotes, backslashes, line separators, markup', async () => {
  const values = { A: { 'raw sealed frame refused': 'x\u2028y</script>', n: [1, null, true] }, B: 'quote " and \\ backslash' };
  assert.deepEqual({ ...(await importText(constantsModule(values))) }, values);
});

test('every module of web/ is served, and every import of the page resolves to a served module', () => {
  const onDisk = readdirSync(new URL('modules/', WEB_DIR)).filter((f) => f.endsWith('.js'));
  assert.deepEqual([...onDisk].sort(), [...WEB_MODULES].sort());
  const files: [string, string][] = [['/assets/app.js', 'app.js'], ...WEB_MODULES.map((m): [string, string] => [`/assets/modules/${m}`, `modules/${m}`])];
  const unserved: string[] = [];
  for (const [path, file] of files) {
    const text = readFileSync(new URL(file, WEB_DIR), 'utf8');
    assert.match(text, /^\/\/ @ts-check\n/, `${file} is type-checked in editors too`);
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s*'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = m[1] ?? m[2]!;
      const target = new URL(spec, `http://page${path}`);
      if (!spec.startsWith('.') || target.host !== 'page' || !STATIC_FILES.has(target.pathname)) unserved.push(`${file}: ${spec}`);
    }
  }
  assert.deepEqual(unserved, []);
});

test('every outcome the keypad has words for is one the daemon reports', () => {
  const reported = new Set<string>([sentLegacy(5).result]);
  const body = { commandCounter: 1, attemptsLeft: 3, secondsLeft: 60, locked: true, lockoutSeconds: 0, reason: 0, lastAccepted: 0, challenge: new Uint8Array(8) };
  for (const status of Object.values(Status).filter((v) => typeof v === 'number')) {
    reported.add(describeOutcome(5, { ...body, status } as ResultBody).result);
  }
  for (const code of Object.values(ErrorCode).filter((v) => typeof v === 'number')) {
    reported.add(describeOutcome(5, new MySealError(code, 'refused')).result);
  }
  const unknown = Object.keys(vocabulary.OUTCOME_LABELS).filter((r) => !reported.has(r));
  assert.deepEqual(unknown, []);
  // The keypad needs these to tell a PIN's fate; the rest may fall back to the daemon's text.
  for (const r of ['unlocked', 'wrong_pin', 'locked_out', 'timeout']) assert.ok(Object.hasOwn(vocabulary.OUTCOME_LABELS, r), r);
});

/** Every module `start` imports, directly or not (relative imports, types included: tsc reads them all). */
function importClosure(start: URL): Set<string> {
  const seen = new Set<string>();
  const visit = (file: URL): void => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s*'(\.[^']+)'/gm)) visit(new URL(m[1]!, file));
  };
  visit(start);
  return new Set([...seen].map((href) => fileURLToPath(href)));
}

test('the page\'s type-check reaches the vocabulary and the answer shapes, not the routes or the daemon', () => {
  const closure = importClosure(new URL('./vocabulary.ts', import.meta.url));
  const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
  assert.ok(closure.has(here('./api-shapes.ts')), 'the walk follows type imports');
  for (const name of ['./web-routes.ts', './event-streams.ts', './static-files.ts', '../http/api-server.ts', '../../service/daemon.ts', '../../app/start-daemon.ts']) {
    assert.ok(!closure.has(here(name)), `${name} is not read by the page's type-check`);
  }
  const shapes = readFileSync(new URL('./api-shapes.ts', import.meta.url), 'utf8');
  assert.deepEqual(shapes.match(/^(?:import|export) (?!type )[^\n]*from/gm) ?? [], [], 'api-shapes.ts imports and exports types only');
});
