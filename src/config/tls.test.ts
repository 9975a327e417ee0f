/**
 * http.tls in the configuration: both files or neither, paths made absolute against the file's
 * directory, and the flags and variables that set or replace them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../core/errors.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';
import { configFromText, loadConfig, mergeConfig } from './config.ts';

const ENV = { XDG_STATE_HOME: '/tmp/myseal-test-state' };

test('http.tls from the file: both paths, relative to the file; absent means plain HTTP', (t) => {
  const dir = tempDir(t, 'myseal-config-tls-');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'http:\n  listen: 0.0.0.0:8443\n  tokenFile: token\n  tls:\n    cert: tls/cert.pem\n    key: /etc/myseal/tls.key\n');
  const c = loadConfig(file, ENV);
  assert.deepEqual(c.http.tls, { cert: join(dir, 'tls', 'cert.pem'), key: '/etc/myseal/tls.key' });
  assert.equal('tls' in configFromText('', { env: ENV }).http, false);
  assert.equal('tls' in configFromText('http:\n  tls:\n', { env: ENV }).http, false, 'an empty tls: is no TLS');
});

test('http.tls needs both files and nothing else', () => {
  const cases: [string, RegExp][] = [
    ['http:\n  tls:\n    cert: c.pem\n', /^BAD_CONFIG: http\.tls\.key: is missing/],
    ['http:\n  tls:\n    key: k.pem\n', /^BAD_CONFIG: http\.tls\.cert: is missing/],
    ['http:\n  tls:\n    cert: c.pem\n    key: k.pem\n    ca: ca.pem\n', /^BAD_CONFIG: http\.tls\.ca: unknown setting/],
    ['http:\n  tls: on\n', /^BAD_CONFIG: http\.tls: "on" is not a map of settings/],
    ['http:\n  tls: {cert: 5, key: k.pem}\n', /^BAD_CONFIG: http\.tls\.cert: 5 is not a string/],
  ];
  for (const [text, message] of cases) {
    const e = throwsCode(() => configFromText(text, { env: ENV }), ErrorCode.BAD_CONFIG);
    assert.match(e.message, message, text);
  }
});

test('--http-tls-cert/--http-tls-key and MYSEAL_HTTP_TLS_CERT/_KEY: a pair, or one replacing the file\'s', () => {
  const flags = configFromText('', { env: ENV, flags: { httpTlsCert: '/a/cert.pem', httpTlsKey: '/a/key.pem' } });
  assert.deepEqual(flags.http.tls, { cert: '/a/cert.pem', key: '/a/key.pem' });
  const env = configFromText('', { env: { ...ENV, MYSEAL_HTTP_TLS_CERT: '/e/cert.pem', MYSEAL_HTTP_TLS_KEY: '/e/key.pem' } });
  assert.deepEqual(env.http.tls, { cert: '/e/cert.pem', key: '/e/key.pem' });

  const file = 'http:\n  tls:\n    cert: /f/cert.pem\n    key: /f/key.pem\n';
  assert.deepEqual(configFromText(file, { env: ENV, flags: { httpTlsCert: '/new/cert.pem' } }).http.tls, { cert: '/new/cert.pem', key: '/f/key.pem' });
  assert.deepEqual(configFromText(file, { env: { ...ENV, MYSEAL_HTTP_TLS_KEY: '/e/key.pem' } }).http.tls, { cert: '/f/cert.pem', key: '/e/key.pem' });

  const half = throwsCode(() => configFromText('', { env: ENV, flags: { httpTlsCert: '/a/cert.pem' } }), ErrorCode.BAD_CONFIG);
  assert.equal(half.message, 'BAD_CONFIG: http.tls.key: is missing: --http-tls-cert needs --http-tls-key too (or http.tls in the config file)');
  const halfEnv = throwsCode(() => configFromText('', { env: { ...ENV, MYSEAL_HTTP_TLS_KEY: '/e/key.pem' } }), ErrorCode.BAD_CONFIG);
  assert.match(halfEnv.message, /http\.tls\.cert: is missing: MYSEAL_HTTP_TLS_KEY needs MYSEAL_HTTP_TLS_CERT too/);

  const merged = mergeConfig(configFromText('', { env: ENV }), { httpTlsCert: 'rel/cert.pem', httpTlsKey: 'rel/key.pem' });
  assert.deepEqual(merged.http.tls, { cert: join(process.cwd(), 'rel/cert.pem'), key: join(process.cwd(), 'rel/key.pem') });
});

test('TLS does not stand in for the token off loopback', () => {
  const e = throwsCode(
    () => configFromText('http:\n  listen: 0.0.0.0:8443\n  tls: {cert: /c.pem, key: /k.pem}\n', { env: ENV }),
    ErrorCode.BAD_CONFIG,
  );
  assert.match(e.message, /http\.tokenFile: is required/);
});
