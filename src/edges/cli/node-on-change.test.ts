/**
 * `myseal node --on-change CMD` as a Raspberry Pi with a relay would run it, next to a real `myseal
 * serve`, both as processes: CMD (a shell line, as a user writes one) records each state it is run
 * with. At start it gets the stored state (boot), then the unlock a PIN sent through the daemon
 * brings, the lock the daemon sends, and a turn by hand on stdin; never the PIN, which the node's
 * own environment holds for its first boot.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionNodeKey } from '../../store/provision.ts';
import { freePort } from '../../demo/free-port.ts';
import { cleanupStack, showsPin } from '../../../test/support/fixtures.ts';
import { until } from '../../../test/support/until.ts';
import { spawnMyseal, stopMyseal } from '../../../test/support/myseal-process.ts';
import type { MysealProcess } from '../../../test/support/myseal-process.ts';

const NODE_PIN = '8642';

/** `myseal <args>` from the source, without the caller's MYSEAL_* or config file; resolves once `ready` is printed. */
async function startMyseal(args: string[], home: string, env: Record<string, string>, ready: string): Promise<MysealProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYSEAL_')));
  const started = spawnMyseal(args, { ...clean, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...env }, ready);
  await started.ready;
  return started;
}

/** myseal keygen, myseal node with --on-change recording each run, myseal serve in front, linked. */
async function nodeBehindDaemon(t: TestContext, nodeArgs: readonly string[] = []) {
  const defer = cleanupStack(t);
  const dir = mkdtempSync(join(tmpdir(), 'myseal-on-change-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  provisionNodeKey(dir, 5).fill(0); // myseal keygen --node 5: the daemon's key, which the node is flashed with
  const states = join(dir, 'relay-states');
  const lastEnv = join(dir, 'relay-env');
  const onChange = `printf '%s %s %s\\n' "$MYSEAL_STATE" "$MYSEAL_CAUSE" "$MYSEAL_NODE" >> '${states}'; env > '${lastEnv}'`;
  const recorded = (): string[] => (existsSync(states) ? readFileSync(states, 'utf8').split('\n').filter((l) => l !== '') : []);

  const gateway = `tcp://127.0.0.1:${await freePort()}`;
  const node = await startMyseal(['node', '--node', '5', '--gateway', gateway, '--state-dir', dir, '--on-change', onChange, ...nodeArgs], dir, { MYSEAL_NODE_PIN: NODE_PIN }, 'virtual lock');
  defer(() => stopMyseal(node.child));
  await until(() => recorded().length === 1, 'the command run with the stored state at start', 15_000);
  assert.deepEqual(recorded(), ['locked boot 5'], 'a new node starts locked');

  const http = `127.0.0.1:${await freePort()}`;
  const serve = await startMyseal(
    ['serve', '--gateway', gateway, '--listen', `127.0.0.1:${await freePort()}`, '--http', http, '--state-dir', dir, '--log-level', 'error'],
    dir,
    {},
    'myseal serve: controllers connect',
  );
  defer(() => stopMyseal(serve.child));
  const api = async (path: string, body?: object): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://${http}${path}`, body ? { method: 'POST', body: JSON.stringify(body) } : {});
    return (await res.json()) as Record<string, unknown>;
  };
  let linked = false;
  await until(() => {
    void api('/api/health').then((h) => (linked = h.gatewayConnected === true), () => undefined);
    return linked;
  }, 'the daemon connected to the node', 15_000);
  return { node, api, recorded, lastEnv };
}

test('myseal node --on-change runs the command with each new state: at start, on an unlock and a lock through myseal serve, on a turn by hand', { timeout: 60_000 }, async (t) => {
  const { node, api, recorded, lastEnv } = await nodeBehindDaemon(t);
  assert.equal((await api('/api/nodes/5/unlock', { pin: NODE_PIN })).result, 'unlocked');
  await until(() => recorded().length === 2, 'the command run for the unlock', 15_000);
  assert.equal((await api('/api/nodes/5/lock', {})).result, 'locked');
  await until(() => recorded().length === 3, 'the command run for the lock', 15_000);
  node.child.stdin.write('unlock\n');
  await until(() => recorded().length === 4, 'the command run for the turn by hand', 15_000);
  assert.deepEqual(recorded(), ['locked boot 5', 'unlocked command 5', 'locked command 5', 'unlocked hand 5']);

  const env = readFileSync(lastEnv, 'utf8');
  assert.equal(showsPin(env, NODE_PIN), false, "the PIN in the node's environment never reaches the command");
  assert.doesNotMatch(env, /MYSEAL_NODE_PIN/);
  assert.equal(showsPin(node.out(), NODE_PIN), false, 'the PIN is never printed');
});

test('myseal node --auto-relock locks again after an unlock: the command runs for it and the daemon hears of it', { timeout: 60_000 }, async (t) => {
  const { api, recorded } = await nodeBehindDaemon(t, ['--auto-relock', '300']);
  assert.equal((await api('/api/nodes/5/unlock', { pin: NODE_PIN })).result, 'unlocked');
  await until(() => recorded().length === 3, 'the command run for the unlock and the relock', 15_000);
  assert.deepEqual(recorded(), ['locked boot 5', 'unlocked command 5', 'locked relock 5']);
  // The relock's sealed report reached the daemon: its view of the lock (GET, no command sent).
  let locked = false;
  await until(() => {
    void api('/api/nodes/5').then((view) => (locked = view.locked === true), () => undefined);
    return locked;
  }, "the daemon's view: locked again", 15_000);
});
