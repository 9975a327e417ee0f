/**
 * A sealed lock in the gateway's own sketch (node 0), end to end over real sockets: the simulated
 * 2.3.2 gateway runs the lock itself (a controller's message to node 0 reaches its receive(), its
 * frames go out as sender 0), `myseal serve` in front. Digits over HTTP unlock it, controllers hear
 * the result, and the gateway's own messages (its greeting, its version answer) stay the gateway's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromDocument } from '../../config/config.ts';
import { createLogger } from '../../app/logger.ts';
import { Command } from '../../core/mysensors/enums.ts';
import { SEALED_STREAM_TYPE } from '../../core/protocol/constants.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import { freePort } from '../../../test/support/mosquitto.ts';
import { lineClient } from '../../../test/support/line-client.ts';
import { until } from '../../../test/support/until.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import { Writable } from 'node:stream';

const PIN = '1357';

test('node 0: digits unlock the lock in the gateway\'s own sketch; results reach controllers; the gateway\'s own lines stay its own', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-gateway-lock-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN, lockNode: 0 });
  const config = configFromDocument({
    gateway: site.gatewayUrl,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}` },
    stateDir: dir,
    nodes: { 0: { children: { 1: { kind: 'lock', pinLength: 4 } } } },
  });
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  const daemon = await startDaemon(config, createLogger('info', quiet), { timeoutMs: 2_000, retries: 1 });
  t.after(async () => {
    await daemon.stop();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await until(() => site.front.clientCount === 1, 'the daemon to connect to the gateway');
  const a = lineClient(daemon.listen.port);
  t.after(() => a.socket.destroy());
  await until(() => a.lines.length >= 2, 'the greeting');
  assert.deepEqual(a.lines.slice(0, 2), ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.2']);

  // The gateway itself still answers a controller's version question, though node 0 has a key.
  a.socket.write('0;255;3;0;2;\n');
  await until(() => a.lines.includes('0;255;3;0;2;2.3.2'), 'the gateway\'s version answer');
  // A reboot of the gateway (and so of the lock) is refused, as for any sealed node; so is a plain unlock.
  a.socket.write('0;255;3;0;13;\n');
  a.socket.write('0;1;1;0;36;0\n');
  await until(() => a.lines.some((l) => /^0;255;3;0;9;MySeal: C_SET 0\/1 V_LOCK_STATUS not delivered/.test(l)), 'the plain unlock refused');
  assert.ok(a.lines.some((l) => /^0;255;3;0;9;MySeal: C_INTERNAL 0\/255 I_REBOOT not delivered/.test(l)), 'the reboot refused');
  assert.equal(site.lock.node.locked, true);

  // Digits as a Domoticz selector sends them; the last one's answer is the node's result.
  const base = `http://127.0.0.1:${daemon.http.port}`;
  for (const d of PIN.slice(0, 3)) assert.equal((await fetch(`${base}/digit?node=0&d=${d}`)).status, 202);
  const last = await fetch(`${base}/digit?node=0&d=${PIN[3]}`);
  assert.equal(((await last.json()) as { result: string }).result, 'unlocked');
  assert.equal(site.lock.node.locked, false);
  await until(() => a.lines.includes('0;1;1;0;36;0') && a.lines.includes('0;1;1;0;47;unlocked'), 'lock state and text to controllers');

  // The sealed frames reached the gateway sketch's receive() with sender 0 (no radio in between),
  // and the lock's frames came back as node 0's: none was taken for the gateway's own message.
  const sealedIn = site.gateway.received(0).filter((m) => m.command === Command.C_STREAM && m.type === SEALED_STREAM_TYPE);
  assert.ok(sealedIn.length >= 2 && sealedIn.every((m) => m.sender === 0 && m.destination === 0));
  assert.equal(site.lock.outcomes.filter((o) => o.error !== undefined).length, 0);
  assert.equal(a.lines.some((l) => /^0;\d+;4;0;83;/.test(l)), false, 'sealed frames never reach controllers');

  // Turned by hand: the sealed report from node 0 reaches controllers as the plain message.
  site.lock.setLockedByHand(true);
  await until(() => a.lines.includes('0;1;1;0;36;1'), 'the relayed report');

  // A controller connecting now is greeted with the gateway's own lines, not with anything of the lock's.
  const b = lineClient(daemon.listen.port);
  t.after(() => b.socket.destroy());
  await until(() => b.lines.length >= 2, 'the second greeting');
  assert.deepEqual(b.lines.slice(0, 2), ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.2']);
  const health = (await (await fetch(`${base}/api/health`)).json()) as { gatewayAnswering: boolean };
  assert.equal(health.gatewayAnswering, true);
  const state = (await (await fetch(`${base}/api/nodes/0`)).json()) as { locked: boolean; counts: { results: number } };
  assert.equal(state.locked, true);
  assert.deepEqual(site.gateway.faults, []);
});
