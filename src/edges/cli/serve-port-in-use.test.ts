/**
 * `myseal serve` on a port another program holds: it stops at once, naming the setting to change and
 * every way to set it, with the exit code of a configuration error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/support/mosquitto.ts';
import { ExitCode } from './exit-code.ts';

/** Another program on 127.0.0.1: a plain listening socket. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function serve(args: string[], home: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No MYSEAL_* from the caller's environment, and no config file from the caller's home.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYSEAL_')));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...args], {
      env: { ...env, HOME: home, XDG_CONFIG_HOME: join(home, 'config') },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A serve that did start would run until signalled: stop it, and the assertions below say why.
    const guard = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

test('a port in use stops serve with PORT_IN_USE naming the setting, for the controllers port and the HTTP API', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-port-'));
  const busy = await occupy();
  t.after(() => {
    busy.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const gateway = `tcp://127.0.0.1:${await freePort()}`;
  const free = `127.0.0.1:${await freePort()}`;
  const taken = `127.0.0.1:${busy.port}`;
  const cases = [
    { args: ['--listen', taken, '--http', free], setting: 'listen', how: '--listen / MYSEAL_LISTEN' },
    { args: ['--listen', free, '--http', taken], setting: 'http.listen', how: '--http / MYSEAL_HTTP' },
  ];
  for (const c of cases) {
    const r = await serve(['--gateway', gateway, '--state-dir', join(dir, 'state'), ...c.args], dir);
    assert.equal(r.code, ExitCode.BAD_CONFIG, r.stderr);
    const expected = `${c.setting} ${taken} is in use by another program: set ${c.setting} (or ${c.how}) to a free port`;
    assert.ok(r.stderr.includes(`PORT_IN_USE: ${expected}`), r.stderr);
    assert.doesNotMatch(r.stderr, /EADDRINUSE/);
  }
});
