/**
 * What `myseal serve` says as it starts: which config file it loaded (or that there was none), and,
 * for a gateway that is not there, that it retries and in how long. JSON lines on a pipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/fixtures.ts';
import { freePort } from '../../../test/support/mosquitto.ts';

/** Runs serve until its log has every line `wanted` matches, then stops it; the log it wrote. */
function serveUntil(args: string[], home: string, wanted: RegExp[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYSEAL_')));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...args], { env: { ...env, HOME: home, XDG_CONFIG_HOME: join(home, 'config') } });
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (wanted.every((w) => w.test(stderr))) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      resolve(stderr);
    });
  });
}

test('serve logs the config file it loaded, and when it retries a gateway that is not there', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'myseal-serve-log-');
  const file = join(dir, 'myseal.json');
  writeFileSync(
    file,
    JSON.stringify({ gateway: `tcp://127.0.0.1:${await freePort()}`, listen: `127.0.0.1:${await freePort()}`, http: { listen: `127.0.0.1:${await freePort()}` }, stateDir: join(dir, 'state') }),
  );
  const withFile = await serveUntil(['--config', file], dir, [/config file loaded/, /retrying in/]);
  const loaded = withFile.split('\n').find((l) => l.includes('config file loaded'));
  assert.ok(loaded, withFile);
  assert.equal((JSON.parse(loaded) as { file: string }).file, file, 'JSON on a pipe, naming the file');
  const failed = withFile.split('\n').find((l) => l.includes('gateway connection failed'));
  assert.ok(failed, withFile);
  const entry = JSON.parse(failed) as { msg: string; retryInMs: number };
  assert.ok(entry.retryInMs > 0);
  assert.match(entry.msg, /^gateway connection failed, retrying in \d+ (ms|s)$/);

  const flags = ['--gateway', `tcp://127.0.0.1:${await freePort()}`, '--listen', `127.0.0.1:${await freePort()}`, '--http', `127.0.0.1:${await freePort()}`, '--state-dir', join(dir, 'state2')];
  const without = await serveUntil(flags, dir, [/no config file/]);
  assert.match(without, /"msg":"no config file/);
});
