/**
 * The daemon end to end, over real sockets: a simulated MySensors 2.3.2 gateway with a sealed lock
 * and a plain sensor behind it, `myseal serve` in front (its real transports, listeners, key and
 * counter stores, audit log), controllers on the proxy port, PIN digits over HTTP, and the one-shot
 * CLI as a separate process.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromDocument } from '../../config/config.ts';
import { showsPin } from '../../../test/support/fixtures.ts';
import { freePort } from '../../../test/support/mosquitto.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import type { VirtualSite, VirtualSiteOptions } from '../../demo/virtual-site.ts';
import { writeLegacyKey } from '../../store/legacy-key-file.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import type { DaemonTuning, RunningDaemon } from '../../app/start-daemon.ts';
import { provisionNodeKey } from '../../store/provision.ts';
import { createLogger } from '../../app/logger.ts';
import { Writable } from 'node:stream';
import { until } from '../../../test/support/until.ts';
import { lineClient } from '../../../test/support/line-client.ts';

const PIN = '2580';

interface World {
  dir: string;
  site: VirtualSite;
  daemon: RunningDaemon;
  logs: string[];
  cli(args: string[], env?: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function world(
  t: TestContext,
  extra: Record<string, unknown> = {},
  siteOptions: Partial<VirtualSiteOptions> = {},
  tuning: DaemonTuning = {},
  /** Runs on the state dir before the daemon starts (which reads the key store once). */
  prepare: (dir: string) => void = () => undefined,
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN, ...siteOptions });
  const listen = await freePort();
  const http = await freePort();
  const config = configFromDocument({
    gateway: site.gatewayUrl,
    listen: `127.0.0.1:${listen}`,
    stateDir: dir,
    nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 7: { children: { 3: { kind: 'relay', policy: 'pass' } } } },
    ...extra,
    http: { listen: `127.0.0.1:${http}`, ...(extra.http as object | undefined) },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  prepare(dir);
  const daemon = await startDaemon(config, createLogger('info', sink), tuning);
  t.after(async () => {
    await daemon.stop();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await until(() => site.front.clientCount === 1, 'the daemon to connect to the gateway');
  const cli: World['cli'] = (args, env = {}, input) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--state-dir', dir, '--http', `127.0.0.1:${http}`], {
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input ?? '');
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  return { dir, site, daemon, logs, cli };
}

test('serve: controllers share the gateway; digits over HTTP unlock; plain unlock refused; reports relayed', async (t) => {
  const w = await world(t);
  const a = lineClient(w.daemon.listen.port);
  const b = lineClient(w.daemon.listen.port);
  t.after(() => {
    a.socket.destroy();
    b.socket.destroy();
  });
  await until(() => a.lines.length >= 2 && b.lines.length >= 2, 'the greeting');
  assert.equal(a.lines[0], '0;255;3;0;14;Gateway startup complete.');

  // Plain traffic both ways: a controller sets the plain relay; the node confirms to everyone.
  a.socket.write('7;3;1;0;2;1\n');
  await until(() => b.lines.includes('7;3;1;0;2;1'), 'the relay confirmation to the other controller');
  assert.equal(w.site.sensor.value(3, 2), '1');

  // A controller's plain unlock of the sealed lock is refused: it never reaches the node, and the
  // controller that sent it (alone) is told, as the gateway's own log message.
  a.socket.write('5;1;1;0;36;0\n');
  await until(() => a.lines.includes('0;255;3;0;9;MySeal: C_SET 5/1 V_LOCK_STATUS not delivered: refused by policy'), 'the notice');
  assert.equal(w.site.lock.node.locked, true);
  assert.equal(b.lines.some((l) => l.startsWith('0;255;3;0;9;')), false);

  // Digits as a Domoticz selector sends them.
  const base = `http://127.0.0.1:${w.daemon.http.port}`;
  for (const d of PIN.slice(0, 3)) assert.equal((await fetch(`${base}/digit?node=5&d=${d}`)).status, 202);
  const last = await fetch(`${base}/digit?node=5&d=${PIN[3]}`);
  assert.equal(((await last.json()) as { result: string }).result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);
  await until(() => a.lines.includes('5;1;1;0;36;0') && b.lines.includes('5;1;1;0;47;unlocked'), 'lock state and text to controllers');

  // The lock is turned by hand: its sealed report reaches controllers as a plain message.
  w.site.lock.setLockedByHand(true);
  await until(() => a.lines.includes('5;1;1;0;36;1'), 'the relayed report');
  const state = (await (await fetch(`${base}/api/nodes/5`)).json()) as { locked: boolean; counts: { reports: number } };
  assert.equal(state.locked, true);
  assert.equal(state.counts.reports, 1);

  const health = (await (await fetch(`${base}/api/health`)).json()) as { gatewayConnected: boolean; nodes: { node: number }[] };
  assert.equal(health.gatewayConnected, true);
  assert.deepEqual(health.nodes.map((n) => n.node), [0, 5, 7], 'the gateway itself, the lock and the sensor were heard');

  // The gateway saw no line it would mangle; the audit log holds no PIN.
  assert.deepEqual(w.site.gateway.faults, []);
  const audit = readFileSync(join(w.dir, 'audit.log'), 'utf8');
  assert.match(audit, /"event":"unlock"/);
  assert.equal(showsPin(audit, PIN), false);
  assert.equal(showsPin(w.logs.join(''), PIN), false);
});

test('one-shot CLI through the daemon: exit codes per outcome, --json, PIN from stdin or env', async (t) => {
  const w = await world(t);
  const status = await w.cli(['status', '--node', '5', '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { locked: boolean }).locked, true);
  const wrong = await w.cli(['unlock', '--node', '5'], {}, '0000\n');
  assert.equal(wrong.code, 10);
  assert.match(wrong.stdout, /wrong PIN, 4 left/);
  const right = await w.cli(['unlock', '--node', '5', '--json'], { MYSEAL_PIN: PIN });
  assert.equal(right.code, 0, right.stderr);
  assert.equal((JSON.parse(right.stdout) as { result: string }).result, 'unlocked');
  const onLine = await w.cli(['lock', '--node', '5']);
  assert.equal(onLine.code, 0);
  const warned = await w.cli(['unlock', '--node', '5', '--pin', PIN]);
  assert.equal(warned.code, 0);
  assert.match(warned.stderr, /visible to other users/);
  const unknown = await w.cli(['status', '--node', '9']);
  assert.equal(unknown.code, 14);
  const digit = await w.cli(['digit', '7', '--node', '5']);
  assert.equal(digit.code, 0);
  const badDigit = await w.cli(['digit', 'x', '--node', '5']);
  assert.equal(badDigit.code, 2);
  for (const r of [status, wrong, right, warned]) assert.equal(showsPin(r.stdout + r.stderr, PIN), false);
});

test('one-shot CLI straight to the gateway when no daemon runs; a running daemon holds the state lock', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-direct-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN });
  t.after(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const noDaemon = `127.0.0.1:${await freePort()}`;
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--state-dir', dir, '--http', noDaemon, '--gateway', site.gatewayUrl], {
        env: { ...process.env, ...env },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stdin.end();
      child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    });
  const out = await run(['unlock', '--node', '5', '--json'], { MYSEAL_PIN: PIN });
  assert.equal(out.code, 0);
  assert.equal(site.lock.node.locked, false);
  const again = await run(['lock', '--node', '5']);
  assert.equal(again.code, 0);
  assert.equal(site.lock.node.locked, true);
  const down = await site.close().then(() => run(['status', '--node', '5']));
  assert.equal(down.code, 13, 'gateway unreachable');
});

test('pinEntry.submitKey and clearKey from the config: HTTP digits and the CLI use them; # and * are then plain refusals', { timeout: 60_000 }, async (t) => {
  // A 6-digit PIN length, so that the 4-digit PIN goes out only when the submit key says so.
  const w = await world(t, {
    pinEntry: { submitKey: '!', clearKey: '~' },
    nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 6 } } } },
  });
  const base = `http://127.0.0.1:${w.daemon.http.port}`;
  const press = async (key: string): Promise<{ status: number; body: { state?: string; result?: string; error?: string } }> => {
    const r = await fetch(`${base}/digit?node=5&d=${encodeURIComponent(key)}`);
    return { status: r.status, body: (await r.json()) as { state?: string; result?: string; error?: string } };
  };
  // A keypad learns the keys from the node's state; the defaults are no keys here.
  const state = (await (await fetch(`${base}/api/nodes/5`)).json()) as { submitKey: string; clearKey: string };
  assert.deepEqual([state.submitKey, state.clearKey], ['!', '~']);
  for (const key of ['#', '*']) {
    const r = await press(key);
    assert.equal(r.status, 400, key);
    assert.equal(r.body.error, 'BAD_PIN');
  }
  // A wrong start, cleared with the clear key; then the PIN, sent with the submit key.
  for (const d of '99') assert.equal((await press(d)).body.state, 'buffered');
  assert.deepEqual(await press('~'), { status: 200, body: { state: 'cleared' } });
  assert.equal(w.daemon.daemon.bufferedDigits(5), 0);
  for (const d of PIN) assert.equal((await press(d)).status, 202);
  const sent = await press('!');
  assert.equal(sent.status, 200);
  assert.equal(sent.body.result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);

  // The CLI hands the configured keys to the daemon, which alone says what a key is.
  assert.equal((await w.cli(['lock', '--node', '5'])).code, 0);
  assert.equal(w.site.lock.node.locked, true);
  for (const d of '11') assert.equal((await w.cli(['digit', d, '--node', '5'])).code, 0);
  assert.equal((await w.cli(['digit', '~', '--node', '5'])).code, 0);
  assert.equal(w.daemon.daemon.bufferedDigits(5), 0, 'the clear key cleared');
  for (const d of PIN) assert.equal((await w.cli(['digit', d, '--node', '5'])).code, 0);
  const refused = await w.cli(['digit', '#', '--node', '5']);
  assert.equal(refused.code, 2, 'not a key in this configuration');
  assert.equal(w.daemon.daemon.bufferedDigits(5), PIN.length, 'a refused key leaves the buffer alone');
  assert.equal((await w.cli(['digit', '!', '--node', '5'])).code, 0);
  await until(() => !w.site.lock.node.locked, 'the CLI submit key to unlock');
  assert.equal(showsPin(w.logs.join(''), PIN), false);
});

test('unlock --legacy-ecb goes through the running daemon (which holds the state lock), warns every time, and is refused for a node not in legacy mode', { timeout: 90_000 }, async (t) => {
  const LEGACY_KEY = 'ABCDEFGHIJKLMNOP';
  const LEGACY_PIN = '4711';
  const w = await world(
    t,
    { nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 9: { legacyEcb: true, children: { 1: { kind: 'lock' } } } } },
    { legacy: { nodeId: 9, key16: LEGACY_KEY, pin: LEGACY_PIN } },
  );
  writeLegacyKey(w.dir, 9, LEGACY_KEY);
  const old = w.site.legacy!;
  const warning = /warning: legacy ECB mode: .*replay/;

  const flagged = await w.cli(['unlock', '--node', '9', '--legacy-ecb', '--json'], { MYSEAL_PIN: LEGACY_PIN });
  assert.equal(flagged.code, 0, flagged.stderr);
  assert.equal((JSON.parse(flagged.stdout) as { result: string }).result, 'sent_legacy');
  assert.match(flagged.stderr, warning);
  await until(() => old.unlockCount === 1, 'the old sketch to open');
  // The daemon sent it: its audit names the HTTP API as the source, and no state lock was fought over.
  const audit = readFileSync(join(w.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; source: string; result: string });
  assert.deepEqual(audit.filter((e) => e.event === 'legacy').map((e) => [e.source.split(':')[0], e.result]), [['http', 'sent_legacy']]);
  assert.equal(flagged.stderr.includes('STATE_LOCKED'), false);

  // Without the flag the daemon still speaks legacy to a legacy node: the warning comes all the same.
  const plain = await w.cli(['unlock', '--node', '9'], { MYSEAL_PIN: LEGACY_PIN });
  assert.equal(plain.code, 0);
  assert.match(plain.stderr, warning);
  await until(() => old.unlockCount === 2, 'the second legacy unlock');

  // A sealed node is not sent the replayable format, flag or not.
  const refused = await w.cli(['unlock', '--node', '5', '--legacy-ecb'], { MYSEAL_PIN: PIN });
  assert.equal(refused.code, 15, refused.stdout);
  assert.match(refused.stdout, /refused by policy/);
  assert.equal(w.site.lock.node.locked, true);

  // With no daemon running, the same command goes straight to the gateway, with the same warning.
  await w.daemon.stop();
  await until(() => w.site.front.clientCount === 0, 'the daemon to let go of the gateway');
  const direct = await w.cli(['unlock', '--node', '9', '--legacy-ecb', '--gateway', w.site.gatewayUrl], { MYSEAL_PIN: LEGACY_PIN });
  assert.equal(direct.code, 0, direct.stdout + direct.stderr);
  assert.match(direct.stderr, warning);
  assert.equal(direct.stdout.includes('"level"'), false, 'no log line on stdout');
  await until(() => old.unlockCount === 3, 'the direct legacy unlock');
  for (const r of [flagged, plain, refused, direct]) assert.equal(r.stdout.includes(LEGACY_PIN) || r.stderr.includes(LEGACY_PIN), false);
  assert.equal(w.logs.join('').includes(LEGACY_PIN), false);
});

test('set-pin end to end: over the HTTP API, with the CLI through the daemon, and with the CLI straight to the gateway', { timeout: 90_000 }, async (t) => {
  const w = await world(t);
  const base = `http://127.0.0.1:${w.daemon.http.port}`;
  const post = async (action: string, body: object): Promise<{ status: number; result: string }> => {
    const r = await fetch(`${base}/api/nodes/5/${action}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, result: ((await r.json()) as { result: string }).result };
  };
  // The lock checks the old PIN itself: a wrong one changes nothing and costs an attempt.
  assert.deepEqual(await post('set-pin', { oldPin: '0000', newPin: '1357' }), { status: 200, result: 'wrong_pin' });
  assert.deepEqual(await post('set-pin', { oldPin: PIN, newPin: '12' }), { status: 400, result: 'bad_pin' });
  assert.deepEqual(await post('set-pin', { oldPin: PIN, newPin: '1357' }), { status: 200, result: 'done' });
  assert.deepEqual(await post('unlock', { pin: PIN }), { status: 200, result: 'wrong_pin' });
  assert.deepEqual(await post('unlock', { pin: '1357' }), { status: 200, result: 'unlocked' });

  // The CLI through the running daemon, both PINs on stdin (one a line).
  const viaDaemon = await w.cli(['set-pin', '--node', '5', '--json'], {}, '1357\n2468\n');
  assert.equal(viaDaemon.code, 0, viaDaemon.stderr);
  assert.equal((JSON.parse(viaDaemon.stdout) as { result: string }).result, 'done');
  assert.equal((await w.cli(['lock', '--node', '5'])).code, 0);
  assert.equal((await w.cli(['unlock', '--node', '5'], { MYSEAL_PIN: '1357' })).code, 10, 'the old PIN no longer opens');
  assert.equal((await w.cli(['unlock', '--node', '5'], { MYSEAL_PIN: '2468' })).code, 0);
  const audit = readFileSync(join(w.dir, 'audit.log'), 'utf8');
  assert.equal((audit.match(/"event":"set_pin"/g) ?? []).length, 4);

  // No daemon: straight to the gateway, PINs from the environment.
  await w.daemon.stop();
  await until(() => w.site.front.clientCount === 0, 'the daemon to let go of the gateway');
  const gw = ['--gateway', w.site.gatewayUrl];
  const direct = await w.cli(['set-pin', '--node', '5', ...gw], { MYSEAL_PIN: '2468', MYSEAL_NEW_PIN: '8642' });
  assert.equal(direct.code, 0, direct.stdout + direct.stderr);
  assert.equal((await w.cli(['lock', '--node', '5', ...gw])).code, 0);
  assert.equal((await w.cli(['unlock', '--node', '5', ...gw], { MYSEAL_PIN: '8642' })).code, 0);
  assert.equal(w.site.lock.node.locked, false);
  const everything = w.logs.join('') + readFileSync(join(w.dir, 'audit.log'), 'utf8') + viaDaemon.stdout + viaDaemon.stderr + direct.stdout + direct.stderr;
  for (const pin of [PIN, '1357', '2468', '8642']) assert.equal(showsPin(everything, pin), false, 'no PIN in any output or log');
});

test('CLI exit codes 11 (locked out) and 12 (timeout), through the daemon and straight to the gateway', { timeout: 120_000 }, async (t) => {
  // Node 8 has a key and a lock in the configuration, but no node answers for it behind the gateway.
  const w = await world(
    t,
    {
      http: { rateLimitPerMinute: 600 },
      nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 8: { children: { 1: { kind: 'lock' } } } },
    },
    {},
    { timeoutMs: 300, retries: 1 },
    (dir) => provisionNodeKey(dir, 8).fill(0),
  );
  const base = `http://127.0.0.1:${w.daemon.http.port}`;
  const results: string[] = [];
  while (results.at(-1) !== 'locked_out') {
    assert.ok(results.length < 10, `no lockout after ${results.length} wrong PINs`);
    const r = await fetch(`${base}/api/nodes/5/unlock`, { method: 'POST', body: JSON.stringify({ pin: '0000' }) });
    results.push(((await r.json()) as { result: string }).result);
  }
  const lockedOut = await w.cli(['unlock', '--node', '5', '--json'], { MYSEAL_PIN: PIN });
  assert.equal(lockedOut.code, 11, lockedOut.stdout);
  const report = JSON.parse(lockedOut.stdout) as { result: string; secondsLeft: number };
  assert.equal(report.result, 'locked_out');
  assert.ok(report.secondsLeft > 0);
  assert.equal(w.site.lock.node.locked, true, 'even the right PIN waits out the lockout');

  const timedOut = await w.cli(['status', '--node', '8']);
  assert.equal(timedOut.code, 12, timedOut.stdout);
  assert.match(timedOut.stdout, /node 8: no answer from the lock/);

  // The same codes without a daemon (the direct path waits out its own default timeouts).
  await w.daemon.stop();
  await until(() => w.site.front.clientCount === 0, 'the daemon to let go of the gateway');
  const gw = ['--gateway', w.site.gatewayUrl];
  assert.equal((await w.cli(['unlock', '--node', '5', ...gw], { MYSEAL_PIN: PIN })).code, 11);
  assert.equal((await w.cli(['lock', '--node', '8', ...gw])).code, 12);
});
