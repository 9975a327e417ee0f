/**
 * `myseal node` as a real process, in each of its three guises, each driven by the daemon to an
 * unlock: a virtual lock presented as an Ethernet gateway (plus the button on stdin and a restart
 * that keeps the node's counters in its EEPROM image file), as a serial gateway on one end of a pty
 * pair (the daemon on the other, as on /dev/ttyUSB0), and as the node behind an MQTT gateway on a
 * real mosquitto. And after a key rotation, a node restarted with the sketch's old key header keeps
 * its rotated key (docs/keys.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromDocument } from '../../config/config.ts';
import { createLogger } from '../../app/logger.ts';
import { provisionNodeKey } from '../../store/provision.ts';
import { writeArduinoHeader } from '../../store/arduino-header.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { Eeprom } from '../../node/eeprom.ts';
import { WasmNode } from '../../node/wasm-node.ts';
import { freePort } from '../../demo/free-port.ts';
import { cleanupStack, showsPin } from '../../../test/support/fixtures.ts';
import type { Defer } from '../../../test/support/fixtures.ts';
import { requireMosquitto, startMosquitto } from '../../../test/support/mosquitto.ts';
import { createPtyPair } from '../../../test/support/pty.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { until } from '../../../test/support/until.ts';
import { spawnMyseal, stopMyseal } from '../../../test/support/myseal-process.ts';
import type { MysealProcess } from '../../../test/support/myseal-process.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import type { RunningDaemon } from '../../app/start-daemon.ts';

const NODE_PIN = '8642';

function startNode(args: string[], env: Record<string, string>): MysealProcess {
  return spawnMyseal(['node', ...args], { ...process.env, ...env }, 'virtual lock');
}

const stopNode = (child: MysealProcess['child']): Promise<void> => stopMyseal(child, 'SIGINT');

interface Driven {
  daemon: RunningDaemon;
  /** POST /api/nodes/5/unlock with this PIN; the result word. */
  unlock(pin: string): Promise<string>;
  /** POST /api/nodes/5/rotate-key; the result word. */
  rotateKey(): Promise<string>;
  /** The daemon holds its link to the gateway the node presents. */
  linked(): boolean;
}

/** `myseal serve` on `gateway`, with the key store the node read its key from. */
async function driveWithDaemon(defer: Defer, dir: string, gateway: string): Promise<Driven> {
  const config = configFromDocument({
    gateway,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}` },
    stateDir: dir, // the node read its key from this store, as if flashed with keygen's header
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const daemon = await startDaemon(config, createLogger('error', sink), { timeoutMs: 1000 });
  defer(() => daemon.stop());
  const base = `http://127.0.0.1:${daemon.http.port}`;
  const post = async (action: string, body: object): Promise<string> =>
    ((await (await fetch(`${base}/api/nodes/5/${action}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { result: string }).result;
  return {
    daemon,
    unlock: (pin) => post('unlock', { pin }),
    rotateKey: () => post('rotate-key', {}),
    linked: () => daemon.daemon.health().gatewayConnected,
  };
}

/** A state dir with a key for node 5 in it, as after `myseal keygen --node 5`. */
function keyedStateDir(defer: Defer): string {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-node-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  provisionNodeKey(dir, 5).fill(0);
  return dir;
}

/** Wrong PIN, right PIN, the button: the same checks for every transport. */
async function unlockAndButton(d: Driven, node: MysealProcess): Promise<void> {
  assert.equal(await d.unlock('0000'), 'wrong_pin');
  assert.equal(await d.unlock(NODE_PIN), 'unlocked');
  await until(() => /UNLOCKED/.test(node.out()), "the node's unlock");
  // The button: a sealed report reaches the daemon, which now knows the lock is locked.
  node.child.stdin.write('lock\n');
  await until(() => d.daemon.daemon.nodeView(5)?.locked === true, 'the button report');
  assert.equal(showsPin(node.out(), NODE_PIN), false, 'the PIN is never printed');
}

test('myseal node: a virtual lock behind a simulated Ethernet gateway, driven by the daemon; a restart keeps its state', async (t) => {
  const defer = cleanupStack(t);
  const dir = keyedStateDir(defer);
  const gwPort = await freePort();
  const args = ['--node', '5', '--gateway', `tcp://127.0.0.1:${gwPort}`, '--state-dir', dir];
  let node = startNode(args, { MYSEAL_NODE_PIN: NODE_PIN });
  defer(() => stopNode(node.child));
  await node.ready;
  assert.match(node.out(), /as an Ethernet gateway on 127\.0\.0\.1:/);
  assert.equal(statSync(join(dir, 'nodes', 'node-5.eeprom')).mode & 0o777, 0o600);

  const d = await driveWithDaemon(defer, dir, `tcp://127.0.0.1:${gwPort}`);
  // The daemon's link to the node's gateway port: wait for it rather than for a guessed time.
  await until(d.linked, 'the daemon connected to the node', 15_000);
  await unlockAndButton(d, node);

  // Restart the node: its image keeps the PIN, the counters and the wrong-PIN count.
  await stopNode(node.child);
  await until(() => !d.linked(), 'the daemon saw the node go', 15_000);
  node = startNode(args, {});
  await node.ready;
  await until(d.linked, 'the daemon reconnected to the restarted node', 15_000); // backoff, up to 30 s cap
  assert.equal(await d.unlock(NODE_PIN), 'unlocked', 'counters and PIN survived the restart');
  assert.equal(showsPin(node.out(), NODE_PIN), false, 'the PIN is never printed');
});

test('myseal node: a virtual lock as a serial gateway on a pty, the daemon on the other end', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'socat')) return;
  const defer = cleanupStack(t);
  const dir = keyedStateDir(defer);
  const pair = await createPtyPair();
  defer(() => pair.stop());
  const node = startNode(['--node', '5', '--gateway', `serial://${pair.gatewayPath}`, '--state-dir', dir], { MYSEAL_NODE_PIN: NODE_PIN });
  defer(() => stopNode(node.child));
  await node.ready;
  assert.match(node.out(), new RegExp(`as a serial gateway on ${pair.gatewayPath}`));

  const d = await driveWithDaemon(defer, dir, `serial://${pair.daemonPath}`);
  await until(d.linked, 'the daemon opened its end of the serial line', 15_000);
  await unlockAndButton(d, node);
  assert.equal(d.daemon.daemon.nodeView(5)?.counts.rejected, 0, 'every frame crossed the serial line intact');
});

test('myseal node: a virtual lock behind an MQTT gateway on mosquitto, the daemon on the gateway prefixes', { timeout: 30_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const defer = cleanupStack(t);
  const broker = await startMosquitto();
  defer(() => broker.stop());
  const dir = keyedStateDir(defer);
  const gateway = `mqtt://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`;
  const node = startNode(['--node', '5', '--gateway', gateway, '--state-dir', dir], { MYSEAL_NODE_PIN: NODE_PIN });
  defer(() => stopNode(node.child));
  await node.ready;
  assert.match(node.out(), /behind an MQTT gateway on mqtt:\/\/127\.0\.0\.1:\d+ \(mygateway1-in \/ mygateway1-out\)/);

  const d = await driveWithDaemon(defer, dir, gateway);
  await until(d.linked, 'the daemon connected to the broker', 15_000);
  await unlockAndButton(d, node);
  assert.equal(d.daemon.daemon.nodeView(5)?.counts.rejected, 0, 'every frame crossed the broker intact');
});

test('myseal node restarted with its old key header after a rotation keeps the rotated key; the daemon still unlocks it', { timeout: 90_000 }, async (t) => {
  const defer = cleanupStack(t);
  const dir = mkdtempSync(join(tmpdir(), 'myseal-node-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  // keygen: the key in the daemon's store and in the sketch's header, which the node is "flashed" with.
  const header = join(dir, 'myseal_node_5.h');
  const oldKey = provisionNodeKey(dir, 5);
  writeArduinoHeader(header, 5, oldKey);
  const gwPort = await freePort();
  const args = ['--node', '5', '--gateway', `tcp://127.0.0.1:${gwPort}`, '--state-dir', dir, '--key-header', header];
  let node = startNode(args, { MYSEAL_NODE_PIN: NODE_PIN });
  defer(() => stopNode(node.child));
  await node.ready;
  const d = await driveWithDaemon(defer, dir, `tcp://127.0.0.1:${gwPort}`);
  await until(d.linked, 'the daemon connected to the node', 15_000);

  assert.equal(await d.rotateKey(), 'rotated');
  const rotated = FileKeyStore.open(dir).get(5)!.key;
  assert.ok(Buffer.compare(rotated, oldKey) !== 0, 'a new key');

  // "Reflashed" with the same old header: the node boots with it again.
  await stopNode(node.child);
  await until(() => !d.linked(), 'the daemon saw the node go', 15_000);
  node = startNode(args, {});
  await node.ready;
  // What the image holds, read by booting a copy of it (the file is left as it is).
  const image = new WasmNode({ nodeId: 5, key: oldKey, pin: NODE_PIN, eeprom: new Eeprom(readFileSync(join(dir, 'nodes', 'node-5.eeprom'))) }).persisted;
  assert.ok(image && Buffer.compare(image.key, rotated) === 0, 'the node kept its rotated key');
  assert.ok(Buffer.compare(image.key, oldKey) !== 0, "the header's old key did not come back");

  await until(d.linked, 'the daemon reconnected to the restarted node', 30_000);
  assert.equal(await d.unlock(NODE_PIN), 'unlocked', 'the daemon, holding only the rotated key, still opens it');
});

test('myseal node flashed from the key store, restarted after a rotation (no header): it boots with the key it was flashed with and keeps the rotated one', { timeout: 90_000 }, async (t) => {
  const defer = cleanupStack(t);
  const dir = keyedStateDir(defer);
  const flashed = Uint8Array.from(FileKeyStore.open(dir).get(5)!.key);
  const gwPort = await freePort();
  const args = ['--node', '5', '--gateway', `tcp://127.0.0.1:${gwPort}`, '--state-dir', dir];
  let node = startNode(args, { MYSEAL_NODE_PIN: NODE_PIN });
  defer(() => stopNode(node.child));
  await node.ready;
  const flashFile = join(dir, 'nodes', 'node-5.flash');
  assert.equal(statSync(flashFile).mode & 0o777, 0o600, 'the flashed key is kept private');
  assert.deepEqual(new Uint8Array(readFileSync(flashFile)), flashed);
  const d = await driveWithDaemon(defer, dir, `tcp://127.0.0.1:${gwPort}`);
  await until(d.linked, 'the daemon connected to the node', 15_000);
  assert.equal(await d.rotateKey(), 'rotated');
  const rotated = FileKeyStore.open(dir).get(5)!.key;

  // Restarted as before: the key store now holds the rotated key, which must not count as a new
  // flash (that would provision the node afresh, its counters from 0 under a key already used).
  await stopNode(node.child);
  await until(() => !d.linked(), 'the daemon saw the node go', 15_000);
  node = startNode(args, {});
  await node.ready;
  assert.deepEqual(new Uint8Array(readFileSync(flashFile)), flashed, 'still flashed with the first key');
  const image = new WasmNode({ nodeId: 5, key: flashed, pin: NODE_PIN, eeprom: new Eeprom(readFileSync(join(dir, 'nodes', 'node-5.eeprom'))) }).persisted;
  assert.ok(Buffer.compare(image.key, rotated) === 0, 'the node kept its rotated key');
  await until(d.linked, 'the daemon reconnected to the restarted node', 30_000);
  assert.equal(await d.unlock(NODE_PIN), 'unlocked', 'and the daemon opens it with that key');
});
