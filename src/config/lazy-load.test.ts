/**
 * `myseal digit` runs at every key press and reads the configuration: without a config file it must
 * not pay for the YAML parser or the schema library, which load only when there is a file to check.
 * (Its own process: node --test runs each test file apart, so nothing else has loaded them.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { configFromText, loadConfig } from './config.ts';

function loaded(pkg: string): boolean {
  const marker = `${sep}node_modules${sep}${pkg}${sep}`;
  return Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(marker));
}

test('no config file: neither yaml nor zod is loaded; a file to check loads both', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-lazy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
  const config = loadConfig(undefined, env, { http: '127.0.0.1:7399', stateDir: join(dir, 'st') });
  assert.equal(config.http.listen.port, 7399);
  assert.equal(loaded('yaml'), false, 'yaml');
  assert.equal(loaded('zod'), false, 'zod');

  assert.equal(configFromText('listen: 127.0.0.1:5099\n', { env }).listen.port, 5099);
  assert.equal(loaded('yaml'), true, 'the check sees a loaded package');
  assert.equal(loaded('zod'), true);
});
