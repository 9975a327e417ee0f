/**
 * `myseal node` as a real process: a virtual lock presented as an Ethernet gateway, the daemon in
 * front of it, an unlock through the HTTP API, the button on stdin, and a restart that keeps the
 * node's counters (its EEPROM image file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromDocument } from '../config/config.ts';
import { createLogger } from '../daemon/logger.ts';
import { provisionNodeKey } from '../store/provision.ts';
import { freePort } from '../util/free-port.ts';
import { until } from '../test-helpers/until.ts';
import { startDaemon } from './serve.ts';

function startNode(args: string[], env: Record<string, string>): { child: ChildProcessWithoutNullStreams; out: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'node', ...args], { env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes('virtual lock')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    child.once('exit', () => {
      clearInterval(check);
      reject(new Error(`node exited: ${out}`));
    });
  });
  return { child, out: () => out, ready };
}

async function stopNode(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

test('myseal node: a virtual lock behind a simulated Ethernet gateway, driven by the daemon', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-node-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  provisionNodeKey(dir, 5).fill(0);
  const gwPort = await freePort();
  const args = ['--node', '5', '--gateway', `tcp://127.0.0.1:${gwPort}`, '--state-dir', dir];
  let node = startNode(args, { MYSEAL_NODE_PIN: '8642' });
  t.after(() => stopNode(node.child));
  await node.ready;
  assert.equal(statSync(join(dir, 'nodes', 'node-5.eeprom')).mode & 0o777, 0o600);

  const config = configFromDocument({
    gateway: `tcp://127.0.0.1:${gwPort}`,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}` },
    stateDir: dir, // the node read its key from this store, as if flashed with keygen's header
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const daemon = await startDaemon(config, createLogger('error', sink), { timeoutMs: 1000 });
  t.after(() => daemon.stop());
  const base = `http://127.0.0.1:${daemon.http.port}`;
  const unlock = async (pin: string): Promise<string> =>
    ((await (await fetch(`${base}/api/nodes/5/unlock`, { method: 'POST', body: JSON.stringify({ pin }) })).json()) as { result: string }).result;

  // The daemon's link to the node's gateway port: wait for it rather than for a guessed time.
  const linked = (): boolean => daemon.daemon.health().gatewayConnected;
  await until(linked, 'the daemon connected to the node', 15_000);
  assert.equal(await unlock('0000'), 'wrong_pin');
  assert.equal(await unlock('8642'), 'unlocked');
  assert.match(node.out(), /UNLOCKED/);

  // The button: a sealed report reaches the daemon, which now knows the lock is locked.
  node.child.stdin.write('lock\n');
  await until(() => daemon.daemon.nodeView(5)?.locked === true, 'the button report', 5_000);

  // Restart the node: its image keeps the PIN, the counters and the wrong-PIN count.
  await stopNode(node.child);
  await until(() => !linked(), 'the daemon saw the node go', 15_000);
  node = startNode(args, {});
  await node.ready;
  await until(linked, 'the daemon reconnected to the restarted node', 15_000); // backoff, up to 30 s cap
  assert.equal(await unlock('8642'), 'unlocked', 'counters and PIN survived the restart');
  assert.equal(node.out().includes('8642'), false, 'the PIN is never printed');
});
