/**
 * The demo the way `npm start` runs it: the start script's command (`node dist/cli.js demo`) on the
 * compiled JavaScript, with no tsx in the way. The CLI is built by this test, with the project's own
 * build script and config, into a fresh directory laid out like the installed package (dist/, web/,
 * arduino/wasm, package.json, node_modules): a stale or missing dist/ in the worktree can neither
 * make it pass nor make it fail.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_SCRIPT, ROOT, buildInto, layOut, npmPack } from '../test/support/packed-package.ts';
import { runNode } from '../test/support/run-node.ts';

/** The build the first test makes, laid out as the installed package; the package tests reuse it. */
let built: string | undefined;
after(() => {
  if (built !== undefined) rmSync(built, { recursive: true, force: true });
});

test('npm start on a fresh build: node dist/cli.js demo --json passes every step', { timeout: 240_000 }, async () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  // The commands this test stands in for; if they change, so must the test.
  assert.equal(scripts.build, BUILD_SCRIPT);
  assert.equal(scripts.start, 'node dist/cli.js demo');

  const pkg = mkdtempSync(join(tmpdir(), 'myseal-build-'));
  const started = Date.now();
  const build = await buildInto(pkg);
  assert.equal(build.code, 0, `the build failed:\n${build.stdout}${build.stderr}`);
  assert.ok(statSync(join(pkg, 'dist', 'cli.js')).mtimeMs >= started - 1000, 'dist/cli.js comes from this build');
  assert.equal(existsSync(join(pkg, 'dist', 'demo', 'command.test.js')), false, 'tests are not part of the build');
  built = pkg;

  // The package as npm installs it: package.json ("type": "module"), the web page's files, its dependencies.
  layOut(pkg, { dependencies: true });

  const [command, ...args] = scripts.start.split(' ');
  assert.equal(command, 'node');
  const demo = await runNode([...args, '--json'], { cwd: pkg });
  assert.equal(demo.code, 0, `exit status\n${demo.stdout}\n${demo.stderr}`);
  assert.equal(demo.stderr, '');
  const { steps } = JSON.parse(demo.stdout) as { steps: { name: string; expected: string; actual: string; pass: boolean }[] };
  assert.ok(steps.length >= 10, `${steps.length} steps`);
  for (const s of steps) assert.equal(s.pass, true, `${s.name}: expected ${s.expected}, got ${s.actual}`);
  assert.ok(steps.some((s) => /replayed opens it AGAIN/.test(s.name)));
});

test('npm pack ships the product only: no tests, test support, fixtures, source maps, demo or Arduino tests', { timeout: 120_000 }, async (t) => {
  if (built === undefined) return t.skip('needs the build of the test before');
  const pkg = built;
  // What is really there, filtered by package.json's "files" (the package.json as published).
  layOut(pkg, { packed: true });
  const { files } = await npmPack(pkg);
  for (const needed of ['dist/cli.js', 'dist/cli.d.ts', 'dist/node/gateway-core.js', 'dist/node/wasm-node.js', 'arduino/wasm/myseal-node.wasm', 'web/index.html', 'arduino/MySeal/library.properties', 'docs/protocol.md']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  // What package.json points a user or a tool at is in the package, and the bin answers --version from it.
  const published = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; types: string; exports: Record<string, string | Record<string, string>> };
  const targets = [published.types, ...Object.values(published.bin), ...Object.values(published.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
  for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} (named by package.json) is in the package`);
  const version = await runNode([published.bin.myseal!, '--version'], { cwd: pkg });
  assert.deepEqual(version, { code: 0, stdout: `${published.version}\n`, stderr: '' });
  const unwanted = files.filter((f) => /^(?!dist\/).*\.d\.ts$|tsconfig|\.test\.|\.map$|^dist\/demo\/|^test\/|^arduino\/test\/|test-helpers|test-fixtures|\/support\//.test(f));
  assert.deepEqual(unwanted, []);
});

test('the published package has no demo: myseal demo says where to get it instead of failing on an import', { timeout: 60_000 }, async (t) => {
  if (built === undefined) return t.skip('needs the build of the first test');
  renameSync(join(built, 'dist', 'demo'), join(built, 'demo-not-shipped'));
  const r = await runNode(['dist/cli.js', 'demo'], { cwd: built });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /source checkout/);
  assert.equal(r.stdout, '');
});
