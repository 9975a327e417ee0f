/**
 * The documented install (README, "Install"): the packed package installed with
 * `npm install -g --prefix PREFIX ./myseal-X.Y.Z.tgz`, here into a temporary prefix, gives a
 * `PREFIX/bin/myseal` that runs from anywhere with the dependencies npm installed beside it (no
 * worktree, no tsx, no dev dependencies): its version, a command's help, a key made with files only
 * its user can read, the YAML parser behind --config, and the native serial port add-on.
 *
 * npm fetches the dependencies' metadata from the registry, preferring its cache; without a
 * network the test is skipped on a developer machine and fails in CI (MYSEAL_REQUIRE_TOOLS=1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode } from '../../src/edges/cli/exit-code.ts';
import { tempDir } from '../support/fixtures.ts';
import { ROOT, buildInto, layOut, npmEnv, npmPack } from '../support/packed-package.ts';
import { skipOrFail } from '../support/require-tool.ts';
import { runProgram } from '../support/run-node.ts';
import type { Ran } from '../support/run-node.ts';

/** Bounded: a hung npm or command fails the test, not the run. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  return runProgram(command, args, { ...options, timeout: 180_000 });
}

/** npm's words for "the registry could not be reached". */
const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED/;

test('npm install -g --prefix from the packed tarball puts a working myseal in PREFIX/bin', { timeout: 420_000 }, async (t) => {
  const dir = tempDir(t, 'myseal-install-');
  const pkg = join(dir, 'package');
  const build = await buildInto(pkg);
  assert.equal(build.code, 0, `the build failed:\n${build.stdout}${build.stderr}`);
  layOut(pkg, { packed: true });
  const { tarball } = await npmPack(pkg, dir);
  assert.ok(tarball !== undefined && existsSync(tarball), 'npm pack wrote the tarball');

  // The same node as this test runs on, first on PATH: the bin's #!/usr/bin/env node finds it.
  const env = { ...npmEnv(), PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NO_UPDATE_NOTIFIER: '1' };
  const prefix = join(dir, 'prefix');
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, env });
  if (install.code !== 0 && OFFLINE.test(install.stderr)) {
    skipOrFail(t, 'the npm registry is not reachable', 'CI needs the npm registry, as npm ci does');
    return;
  }
  assert.equal(install.code, 0, install.stderr);

  const myseal = join(prefix, 'bin', 'myseal');
  const home = join(dir, 'home');
  mkdirSync(home);
  // Run as a user would, far from the worktree, with nothing of theirs read (HOME and XDG here).
  const userEnv: NodeJS.ProcessEnv = { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };
  delete userEnv.MYSEAL_STATE_DIR;
  const asUser = { cwd: home, env: userEnv };

  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.deepEqual(await run(myseal, ['--version'], asUser), { code: 0, stdout: `${version}\n`, stderr: '' });

  const help = await run(myseal, ['status', '--help'], asUser);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: myseal status --node N/);
  assert.match(help.stdout, /\nExit status: 0 done/);

  // A key: the store and the header only its user can read.
  const state = join(home, 'state');
  const keygen = await run(myseal, ['keygen', '--node', '5', '--state-dir', state], asUser);
  assert.equal(keygen.code, 0, keygen.stderr);
  assert.equal(statSync(join(state, 'keys.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(state, 'arduino', 'myseal_node_5.h')).mode & 0o777, 0o600);

  // The YAML parser (a dependency) reads a config file; one it cannot parse is a configuration error.
  const config = join(home, 'config.yaml');
  writeFileSync(config, `stateDir: ${state}\n`);
  assert.deepEqual(await run(myseal, ['log', '--config', config], asUser), { code: 0, stdout: '', stderr: '' });
  writeFileSync(config, 'stateDir: [\n');
  const bad = await run(myseal, ['log', '--config', config], asUser);
  assert.equal(bad.code, ExitCode.BAD_CONFIG, bad.stderr);
  assert.match(bad.stderr, /^myseal log: BAD_CONFIG: /);

  // serialport's native add-on is there and loads: it is the one that says the device cannot be opened.
  const serial = await run(myseal, ['node', '--node', '5', '--state-dir', state, '--gateway', `serial://${join(home, 'no-such-tty')}`], {
    ...asUser,
    env: { ...asUser.env, MYSEAL_NODE_PIN: '2468' },
  });
  assert.equal(serial.code, ExitCode.FAILURE, serial.stderr);
  assert.match(serial.stderr, /cannot open .*no-such-tty/);
});
