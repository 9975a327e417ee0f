/**
 * `myseal serve` end to end over the two other gateway transports: a serial gateway (the simulated
 * 2.3.2 gateway on one end of a socat pty pair, the daemon on the other, as on /dev/ttyUSB0) and an
 * MQTT gateway (the simulated gateway as a client of a real mosquitto under mygateway1-in/-out,
 * controllers on MySeal's bridge prefixes myseal-in/-out). In both, PIN digits over HTTP unlock the
 * sealed lock and controllers see the outcome as the plain messages they understand.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { configFromDocument } from '../../config/config.ts';
import { createLogger } from '../../app/logger.ts';
import { SimMqttFront } from '../../node/mqtt-front.ts';
import { SimSerialFront } from '../../node/serial-front.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import type { VirtualSite } from '../../demo/virtual-site.ts';
import { showsPin } from '../../../test/support/fixtures.ts';
import { freePort, requireMosquitto, startMosquitto } from '../../../test/support/mosquitto.ts';
import { createPtyPair } from '../../../test/support/pty.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import type { RunningDaemon } from '../../app/start-daemon.ts';
import { until } from '../../../test/support/until.ts';
import { lineClient } from '../../../test/support/line-client.ts';

const PIN = '2580';

interface Served {
  dir: string;
  site: VirtualSite;
  daemon: RunningDaemon;
  /** Parsed pino lines of the daemon's log. */
  logs: { msg?: string }[];
  base: string;
}

/**
 * A virtual site (sealed lock node 5, plain sensor node 7), a front end put on it by `front`, and
 * `myseal serve` on the gateway URL that front returns. Everything is undone in t.after, last first.
 */
async function serve(t: TestContext, front: (site: VirtualSite, cleanups: (() => Promise<unknown>)[]) => Promise<string>): Promise<Served> {
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-transports-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN });
  cleanups.push(() => site.close());
  const gatewayUrl = await front(site, cleanups);
  const config = configFromDocument({
    gateway: gatewayUrl,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}` },
    stateDir: dir,
    nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 7: { children: { 3: { kind: 'relay', policy: 'pass' } } } },
  });
  const logs: { msg?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as { msg?: string });
      done();
    },
  });
  const daemon = await startDaemon(config, createLogger('info', sink));
  cleanups.push(() => daemon.stop());
  await until(() => logs.some((l) => l.msg === 'gateway connected'), 'the daemon to connect to the gateway');
  return { dir, site, daemon, logs, base: `http://127.0.0.1:${daemon.http.port}` };
}

/** The four digits as a Domoticz selector sends them; returns the JSON answer of the last one. */
async function unlockByDigits(base: string): Promise<{ result: string }> {
  for (const d of PIN.slice(0, -1)) assert.equal((await fetch(`${base}/digit?node=5&d=${d}`)).status, 202);
  const last = await fetch(`${base}/digit?node=5&d=${PIN.at(-1)!}`);
  assert.equal(last.status, 200);
  return (await last.json()) as { result: string };
}

test('serve over a serial gateway (pty pair): HTTP digits unlock; controllers get plain results; plain traffic both ways', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'socat')) return;
  const s = await serve(t, async (site, cleanups) => {
    const pair = await createPtyPair();
    cleanups.push(() => pair.stop());
    const front = new SimSerialFront(site.gateway, { path: pair.gatewayPath });
    await front.start();
    cleanups.push(() => front.close());
    return `serial://${pair.daemonPath}`;
  });
  const a = lineClient(s.daemon.listen.port);
  t.after(() => a.socket.destroy());
  await until(() => a.lines.length >= 2, 'the greeting');

  // The daemon reached the gateway: a version request through the proxy is answered by the sim.
  a.socket.write('0;255;3;0;2;\n');
  await until(() => a.lines.includes('0;255;3;0;2;2.3.2'), "the gateway's version answer");

  const answer = await unlockByDigits(s.base);
  assert.equal(answer.result, 'unlocked');
  assert.equal(s.site.lock.node.locked, false);
  await until(() => a.lines.includes('5;1;1;0;36;0') && a.lines.includes('5;1;1;0;47;unlocked'), 'lock state and text as plain lines');

  // The controller's plain set to the plain node goes down the serial line and is confirmed back.
  a.socket.write('7;3;1;0;2;1\n');
  await until(() => a.lines.includes('7;3;1;0;2;1'), 'the relay confirmation');
  assert.equal(s.site.sensor.value(3, 2), '1');

  // A sealed report (the lock turned by hand) comes up the serial line and out as a plain value.
  s.site.lock.setLockedByHand(true);
  await until(() => a.lines.includes('5;1;1;0;36;1'), 'the relayed report');

  // Sealed frames never reach controllers as such; the gateway saw nothing it would mangle.
  assert.equal(a.lines.some((l) => /;4;\d;83;/.test(l)), false);
  assert.deepEqual(s.site.gateway.faults, []);
  assert.deepEqual(Object.fromEntries(s.daemon.daemon.counters), {});
});

test('serve over an MQTT gateway (mosquitto): HTTP and bridge digits unlock; results on myseal-out; plain sets pass', { timeout: 30_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.stop());
  const s = await serve(t, async (site, cleanups) => {
    const front = new SimMqttFront(site.gateway, { url: broker.url, inPrefix: 'mygateway1-in', outPrefix: 'mygateway1-out' });
    await front.start();
    cleanups.push(() => front.close());
    return `mqtt://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`;
  });

  // A controller on the broker, on MySeal's prefixes; and one more on the TCP proxy.
  const ctl: MqttClient = await connectAsync(broker.url, { clientId: 'controller-1', reconnectPeriod: 0 });
  t.after(() => ctl.endAsync(true));
  const seen: [string, string][] = [];
  ctl.on('message', (topic, payload) => seen.push([topic, payload.toString('utf8')]));
  await ctl.subscribeAsync('myseal-out/#');
  const tcp = lineClient(s.daemon.listen.port);
  t.after(() => tcp.socket.destroy());
  const has = (topic: string, payload: string, from = 0): boolean => seen.slice(from).some(([tp, p]) => tp === topic && p === payload);

  // The bridge subscribes once its own connection is up: ask the gateway's version through it until answered.
  const deadline = performance.now() + 10_000;
  while (!has('myseal-out/0/255/3/0/2', '2.3.2')) {
    if (performance.now() > deadline) throw new Error('no version answer through the bridge');
    await ctl.publishAsync('myseal-in/0/255/3/0/2', '');
    await new Promise((r) => setTimeout(r, 100));
  }

  // Digits over HTTP: the result reaches both kinds of controller as plain values.
  assert.equal((await unlockByDigits(s.base)).result, 'unlocked');
  assert.equal(s.site.lock.node.locked, false);
  await until(() => has('myseal-out/5/1/1/0/36', '0') && has('myseal-out/5/1/1/0/47', 'unlocked'), 'the plain result on myseal-out');
  await until(() => tcp.lines.includes('5;1;1;0;36;0'), 'the plain result on the TCP proxy');

  // Locked again over HTTP, then unlocked by digits on the bridge: the JSON result on <out>/5/result.
  const locked = await fetch(`${s.base}/api/nodes/5/lock`, { method: 'POST' });
  assert.equal(((await locked.json()) as { result: string }).result, 'locked');
  await until(() => has('myseal-out/5/1/1/0/36', '1'), 'the locked state on myseal-out');
  const mark = seen.length;
  for (const d of PIN) await ctl.publishAsync('myseal-in/5/digit', d);
  await until(() => seen.slice(mark).some(([tp]) => tp === 'myseal-out/5/result'), 'the result on myseal-out/5/result', 10_000);
  const result = JSON.parse(seen.slice(mark).find(([tp]) => tp === 'myseal-out/5/result')![1]) as Record<string, unknown>;
  assert.equal(result.result, 'unlocked');
  assert.equal(result.ok, true);
  assert.equal(result.node, 5);
  assert.equal('httpStatus' in result || 'exitCode' in result, false, 'only the outcome, not the HTTP/CLI codes');
  assert.equal(showsPin(JSON.stringify(result), PIN), false);
  await until(() => has('myseal-out/5/1/1/0/36', '0', mark), 'the unlocked state after the bridge digits');
  assert.equal(s.site.lock.node.locked, false);

  // A controller's plain set to the plain node through myseal-in reaches the node and is confirmed.
  await ctl.publishAsync('myseal-in/7/3/1/0/2', '1');
  await until(() => s.site.sensor.value(3, 2) === '1', 'the set to reach the node');
  await until(() => has('myseal-out/7/3/1/0/2', '1') && tcp.lines.includes('7;3;1;0;2;1'), 'the confirmation to both controllers');

  // A plain unlock on the bridge is refused by policy: it never reaches the node.
  s.site.lock.setLockedByHand(true);
  await until(() => has('myseal-out/5/1/1/0/36', '1', mark), 'the hand-locked report');
  await ctl.publishAsync('myseal-in/5/1/1/0/36', '0');
  // ... and the bridge's controllers are told so, as the gateway's log message, without the payload.
  await until(() => has('myseal-out/0/255/3/0/9', 'MySeal: C_SET 5/1 V_LOCK_STATUS not delivered: refused by policy'), 'the notice');
  assert.equal(s.site.lock.node.locked, true);
  assert.equal(tcp.lines.some((l) => l.startsWith('0;255;3;0;9;')), false, 'only the sender hears of it');

  // Nothing sealed leaks onto the controller prefixes; the gateway saw nothing it would mangle.
  assert.equal(seen.some(([tp]) => /\/4\/\d\/83$/.test(tp)), false);
  assert.deepEqual(s.site.gateway.faults, []);
  assert.deepEqual(Object.fromEntries(s.daemon.daemon.counters), { 'undelivered:REFUSED_BY_POLICY': 1 });
});
