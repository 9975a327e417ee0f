/**
 * `myseal digit` as Domoticz's script action runs it: a process that reads the daemon's address,
 * token file and certificate from the same configuration file as the daemon. Over HTTPS it trusts
 * the daemon's own certificate file and nothing else: another server on the address, whatever its
 * certificate, is refused at the handshake, before the token or the digit is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { cleanupStack, tempDir } from '../../../test/support/fixtures.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { makeTestCertificates } from '../../../test/support/test-cert.ts';
import { listenOn } from '../../io/listen.ts';
import { ExitCode } from './exit-code.ts';
import { PIN, startWorld } from '../../../test/support/web-world.ts';

const TOKEN = 'digit-test-token-0123456789abcdef';

/** `myseal digit` as Domoticz's script runs it, with a config file naming the daemon's address, token and certificate. */
function runDigit(configFile: string, key: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'digit', key, '--node', '5', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

test('myseal digit over HTTPS: trusts the daemon\'s certificate file; an impostor with another certificate gets nothing', async (t) => {
  if (!requireTool(t, 'openssl')) return;
  const certs = makeTestCertificates(tempDir(t, 'myseal-digit-tls-'));
  const defer = cleanupStack(t);
  const w = await startWorld(t, { token: TOKEN, tls: { cert: certs.certPath, key: certs.keyPath } });
  const dir = tempDir(t, 'myseal-tls-digit-');
  const tokenFile = join(w.dir, 'api-token');
  const configFor = (port: number): string => {
    const file = join(dir, `config-${port}.yaml`);
    writeFileSync(file, JSON.stringify({ http: { listen: `127.0.0.1:${port}`, tokenFile, tls: { cert: certs.certPath, key: certs.keyPath } } }));
    return file;
  };

  const ok = await runDigit(configFor(w.port), '7');
  assert.equal(ok.code, ExitCode.OK, ok.stderr);
  assert.equal(w.running.daemon.bufferedDigits(5), 1);

  // Another server on loopback with a certificate of its own (one the client would not even have to
  // trust by CA): the CLI stops at the handshake, before the token or the digit is sent.
  const impostor = createServer({ cert: readFileSync(certs.impostorCertPath), key: readFileSync(certs.impostorKeyPath) });
  let requests = 0;
  impostor.on('request', (_req, res) => {
    requests++;
    res.end('{}');
  });
  const { port } = await listenOn(impostor, 0, '127.0.0.1');
  defer(() => new Promise<void>((r) => impostor.close(() => r())));
  const refused = await runDigit(configFor(port), '9');
  assert.equal(refused.code, ExitCode.BAD_CONFIG, refused.stderr);
  assert.match(refused.stderr, /did not present the certificate in http\.tls\.cert/);
  assert.equal(requests, 0, 'nothing was sent to the impostor');
  assert.equal(refused.stderr.includes(TOKEN), false);
});

test('myseal unlock and status reach a daemon serving HTTPS, through the same pinned connection', async (t) => {
  if (!requireTool(t, 'openssl')) return;
  const certs = makeTestCertificates(tempDir(t, 'myseal-operate-tls-'));
  const w = await startWorld(t, { token: TOKEN, tls: { cert: certs.certPath, key: certs.keyPath } });
  const configFile = join(tempDir(t, 'myseal-operate-tls-'), 'config.yaml');
  const tokenFile = join(w.dir, 'api-token');
  writeFileSync(configFile, JSON.stringify({ stateDir: w.dir, http: { listen: `127.0.0.1:${w.port}`, tokenFile, tls: { cert: certs.certPath, key: certs.keyPath } } }));
  const operate = (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--node', '5', '--config', configFile, '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  // The daemon holds the state dir: had the CLI not reached it over HTTPS, it would fail on the lock.
  const unlocked = await operate(['unlock'], { MYSEAL_PIN: PIN });
  assert.equal(unlocked.code, ExitCode.OK, unlocked.stderr);
  assert.equal((JSON.parse(unlocked.stdout) as { result: string }).result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);
  const status = await operate(['status']);
  assert.equal(status.code, ExitCode.OK, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { result: string }).result, 'status');
  assert.equal(`${unlocked.stdout}${unlocked.stderr}${status.stderr}`.includes(TOKEN), false);
});
