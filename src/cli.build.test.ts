/**
 * The demo the way `npm start` runs it: the start script's command (`node dist/cli.js demo`) on the
 * compiled JavaScript, with no tsx in the way. The CLI is built by this test, with the project's own
 * build script and config, into a fresh directory laid out like the installed package (dist/, web/,
 * package.json, node_modules): a stale or missing dist/ in the worktree can neither make it pass nor
 * make it fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../test/support/fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

test('npm start on a fresh build: node dist/cli.js demo --json passes every step', { timeout: 240_000 }, async (t) => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  // The commands this test stands in for; if they change, so must the test.
  assert.equal(scripts.build, 'tsc -p tsconfig.build.json');
  assert.equal(scripts.start, 'node dist/cli.js demo');

  const pkg = tempDir(t, 'myseal-build-');
  const started = Date.now();
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = await runNode([tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], ROOT);
  assert.equal(build.code, 0, `the build failed:\n${build.stdout}${build.stderr}`);
  assert.ok(statSync(join(pkg, 'dist', 'cli.js')).mtimeMs >= started - 1000, 'dist/cli.js comes from this build');
  assert.equal(existsSync(join(pkg, 'dist', 'commands', 'demo.test.js')), false, 'tests are not part of the build');

  // The package as npm installs it: package.json ("type": "module"), the web page's files, its dependencies.
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'web'), join(pkg, 'web'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));

  const [command, ...args] = scripts.start.split(' ');
  assert.equal(command, 'node');
  const demo = await runNode([...args, '--json'], pkg);
  assert.equal(demo.code, 0, `exit status\n${demo.stdout}\n${demo.stderr}`);
  assert.equal(demo.stderr, '');
  const { steps } = JSON.parse(demo.stdout) as { steps: { name: string; expected: string; actual: string; pass: boolean }[] };
  assert.ok(steps.length >= 10, `${steps.length} steps`);
  for (const s of steps) assert.equal(s.pass, true, `${s.name}: expected ${s.expected}, got ${s.actual}`);
  assert.ok(steps.some((s) => /replayed opens it AGAIN/.test(s.name)));
});
