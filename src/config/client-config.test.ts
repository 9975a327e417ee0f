/**
 * A client of the daemon (`myseal digit`) reads the configuration through a light reading when there
 * is no file and only the API's address is overridden: whatever the file, environment and flags, it
 * answers what the full loader answers (the same HTTP settings, or the same error).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMySealError } from '../core/errors.ts';
import { loadClientConfig } from './client-config.ts';
import { defaultConfigPath, loadConfig } from './config.ts';
import type { ConfigOverrides } from './config.ts';

type Outcome = { http: unknown } | { error: string; code: number; detail: unknown };

function settle(read: () => { http: { listen: unknown; tokenFile?: unknown; tls?: unknown } }): Outcome {
  try {
    const { listen, tokenFile, tls } = read().http;
    return { http: { listen, tokenFile, tls } };
  } catch (e) {
    assert.ok(isMySealError(e), `only MySealError: ${String(e)}`);
    return { error: e.message, code: e.code, detail: e.detail };
  }
}

async function settleAsync(read: () => Promise<{ http: { listen: unknown; tokenFile?: unknown; tls?: unknown } }>): Promise<Outcome> {
  let answer;
  try {
    answer = await read();
  } catch (e) {
    return settle(() => {
      throw e;
    });
  }
  return settle(() => answer);
}

const ENVS: Record<string, string>[] = [
  {},
  { MYSEAL_HTTP: '127.0.0.1:7400' },
  { MYSEAL_HTTP: '' },
  { MYSEAL_HTTP: 'not an address' },
  { MYSEAL_HTTP: '0.0.0.0:7400' },
  { MYSEAL_GATEWAY: 'bogus://x' },
  { MYSEAL_GATEWAY: 'tcp://127.0.0.1:7325' },
  { MYSEAL_HTTP_TOKEN_FILE: 'api-token' },
  { MYSEAL_HTTP_TLS_CERT: 'cert.pem' },
  { MYSEAL_LISTEN: '127.0.0.1:7325' },
];

const FLAGS: ConfigOverrides[] = [
  {},
  { http: '127.0.0.1:7401' },
  { http: '[::1]:7402' },
  { http: 'localhost:7403' },
  { http: '' },
  { http: '127.0.0.1:0' },
  { http: '192.0.2.1:7325' },
  { http: '127.0.0.1:5003' },
  { stateDir: '' },
  { stateDir: 'state' },
];

test('no config file: for every environment and flag, the light reading answers what the full loader does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-client-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let light = 0;
  for (const extra of ENVS) {
    for (const flags of FLAGS) {
      const env = { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), ...extra };
      const full = settle(() => loadConfig(undefined, env, flags));
      const client = await settleAsync(() => loadClientConfig(undefined, env, flags));
      assert.deepEqual(client, full, `env ${JSON.stringify(extra)}, flags ${JSON.stringify(flags)}`);
      // The light reading answers with the HTTP settings alone; the full loader with every setting.
      const answer = await loadClientConfig(undefined, env, flags).catch(() => undefined);
      if (answer !== undefined && Object.keys(answer).length === 1) light++;
    }
  }
  assert.ok(light >= 5, `the light reading answered ${light} of the cases: the cases exercise it`);
});

test('a config file, named or at the default path, is read by the full loader, errors and all', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-client-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
  const file = defaultConfigPath(env);
  mkdirSync(join(dir, 'config', 'myseal'), { recursive: true });
  for (const text of ['http:\n  listen: 127.0.0.1:7411\n', 'http:\n  listen: nowhere\n', 'listen: 1\n', '']) {
    writeFileSync(file, text);
    for (const flags of [{}, { http: '127.0.0.1:7412' }]) {
      const full = settle(() => loadConfig(undefined, env, flags));
      assert.deepEqual(await settleAsync(() => loadClientConfig(undefined, env, flags)), full, `default file ${JSON.stringify(text)}`);
      assert.deepEqual(await settleAsync(() => loadClientConfig(file, {}, flags)), settle(() => loadConfig(file, {}, flags)), `named ${JSON.stringify(text)}`);
    }
  }
  const named = join(dir, 'missing.yaml');
  assert.deepEqual(await settleAsync(() => loadClientConfig(named, env)), settle(() => loadConfig(named, env)));
  // A directory where the default file would be: not "no file", the loader's error.
  rmSync(file);
  mkdirSync(file);
  const full = settle(() => loadConfig(undefined, env));
  assert.ok('error' in full);
  assert.deepEqual(await settleAsync(() => loadClientConfig(undefined, env)), full);
});
