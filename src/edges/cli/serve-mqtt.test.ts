/**
 * `myseal serve` and MQTT brokers as sites run them: a broker that refuses anonymous clients (a
 * mosquitto password file), the login read from a private credentials file and never logged; an
 * mqtts:// broker trusted through a CA file; a TCP gateway site whose controllers get the PIN
 * digit and result topics on a broker of their own (controllers.mqtt); and an MQTT gateway that dies
 * while its broker stays up, which the daemon finds out from the gateway's own silence.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { configFromDocument } from '../../config/config.ts';
import { createLogger } from '../../app/logger.ts';
import { ANSWER_TIMEOUT_MS, PROBE_AFTER_MS } from '../../service/health/gateway-watch.ts';
import { isMySealError } from '../../core/errors.ts';
import { SimMqttFront } from '../../node/mqtt-front.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import type { VirtualSite } from '../../demo/virtual-site.ts';
import { freePort, requireMosquittoPasswd, startMosquitto } from '../../../test/support/mosquitto.ts';
import type { Mosquitto } from '../../../test/support/mosquitto.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { makeTestCertificates } from '../../../test/support/test-cert.ts';
import { until } from '../../../test/support/until.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import type { RunningDaemon } from '../../app/start-daemon.ts';

const PIN = '2580';
/** The daemon's broker password: it must show up nowhere but in its file and in mosquitto's hash. */
const SECRET = 'daemon-broker-pass-7f3e91';
const USERS = [
  { username: 'gateway', password: 'gateway-pass-1' },
  { username: 'myseal', password: SECRET },
  { username: 'controller', password: 'controller-pass-2' },
];

interface World {
  dir: string;
  site: VirtualSite;
  logs: string[];
  /** Writes a file of the test's directory, mode 0600. */
  privateFile(name: string, text: string): string;
  start(doc: Record<string, unknown>): Promise<RunningDaemon>;
}

function world(t: TestContext): Promise<World> {
  return (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-mqtt-'));
    const site = await startVirtualSite({ stateDir: dir, pin: PIN });
    const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true }), () => site.close()];
    t.after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    return {
      dir,
      site,
      logs,
      privateFile(name, text) {
        const file = join(dir, name);
        writeFileSync(file, text, { mode: 0o600 });
        chmodSync(file, 0o600);
        return file;
      },
      async start(doc) {
        const config = configFromDocument({
          listen: `127.0.0.1:${await freePort()}`,
          http: { listen: `127.0.0.1:${await freePort()}` },
          stateDir: dir,
          nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 7: { children: { 3: { kind: 'relay', policy: 'pass' } } } },
          ...doc,
        });
        const running = await startDaemon(config, createLogger('info', sink));
        cleanups.push(() => running.stop());
        return running;
      },
    };
  })();
}

/** A controller on the broker with its own login, collecting what it sees under myseal-out. */
async function controller(t: TestContext, broker: Mosquitto, ca?: string): Promise<{ client: MqttClient; seen: [string, string][] }> {
  const client = await connectAsync(broker.url, { username: 'controller', password: 'controller-pass-2', reconnectPeriod: 0, ...(ca ? { ca } : {}) });
  t.after(() => client.endAsync(true));
  const seen: [string, string][] = [];
  client.on('message', (topic, payload) => seen.push([topic, payload.toString('utf8')]));
  await client.subscribeAsync('myseal-out/#');
  return { client, seen };
}

async function digits(base: string, keys: string): Promise<{ result?: string }> {
  let last: Response | undefined;
  for (const d of keys) last = await fetch(`${base}/digit?node=5&d=${encodeURIComponent(d)}`);
  return (await last!.json()) as { result?: string };
}

test('an MQTT gateway on a broker that refuses anonymous clients: the login from a 0600 file; a loose file or a wrong password stops nothing silently; the password is never logged', { timeout: 60_000 }, async (t) => {
  if (!requireMosquittoPasswd(t)) return;
  const broker = await startMosquitto({ users: USERS });
  t.after(() => broker.stop());
  await assert.rejects(connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5_000 }), 'the broker refuses anonymous clients');
  const w = await world(t);
  const front = new SimMqttFront(w.site.gateway, { url: broker.url, inPrefix: 'mygateway1-in', outPrefix: 'mygateway1-out', username: 'gateway', password: 'gateway-pass-1' });
  await front.start();
  t.after(() => front.close());
  const gateway = `mqtt://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`;

  // A credentials file others may read is refused at start, like a key file, naming the file only.
  const credentials = w.privateFile('mqtt-login', `myseal\n${SECRET}\n`);
  chmodSync(credentials, 0o640);
  await assert.rejects(w.start({ gateway, mqttCredentialsFile: credentials }), (e) => isMySealError(e) && e.codeName === 'KEY_STORE_PERMISSIONS' && !e.message.includes(SECRET));

  // A wrong password: the daemon starts, says the broker refused it (once), and never connects.
  const wrong = w.privateFile('wrong-login', 'username: myseal\npassword: "not-the-password"\n');
  const refused = await w.start({ gateway, mqttCredentialsFile: wrong });
  await until(() => w.logs.some((l) => l.includes('gateway connection failed')), 'the refusal in the log', 15_000);
  assert.equal(refused.daemon.health().gatewayConnected, false);
  assert.match(w.logs.find((l) => l.includes('gateway connection failed'))!, /"reason":"[^"]*(authori[sz]ed|[Bb]ad user)/);
  await refused.stop();

  chmodSync(credentials, 0o600);
  const s = await w.start({ gateway, mqttCredentialsFile: credentials });
  await until(() => s.daemon.health().gatewayConnected, 'the daemon to log in to the broker', 15_000);
  const base = `http://127.0.0.1:${s.http.port}`;
  assert.equal((await digits(base, PIN)).result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);

  // The bridge logs in with the same credentials: controllers on the broker get results and notices.
  const ctl = await controller(t, broker);
  await until(() => w.logs.some((l) => l.includes('controller MQTT connected')), 'the bridge to log in');
  assert.equal(((await (await fetch(`${base}/api/nodes/5/lock`, { method: 'POST' })).json()) as { result: string }).result, 'locked');
  for (const d of PIN) await ctl.client.publishAsync('myseal-in/5/digit', d);
  await until(() => ctl.seen.some(([tp]) => tp === 'myseal-out/5/result'), 'the result on myseal-out/5/result', 10_000);
  assert.equal((JSON.parse(ctl.seen.find(([tp]) => tp === 'myseal-out/5/result')![1]) as { result: string }).result, 'unlocked');

  const everything = w.logs.join('') + readFileSync(join(w.dir, 'audit.log'), 'utf8');
  assert.equal(everything.includes(SECRET), false, 'the password is in no log and no audit line');
  assert.equal(everything.includes('not-the-password'), false);
});

test('an mqtts:// gateway broker: trusted through mqttCaFile; without it the certificate is refused and said so', { timeout: 60_000 }, async (t) => {
  if (!requireMosquittoPasswd(t) || !requireTool(t, 'openssl')) return;
  const w = await world(t);
  const certs = makeTestCertificates(w.dir);
  const broker = await startMosquitto({ users: USERS, tls: { certFile: certs.certPath, keyFile: certs.keyPath } });
  t.after(() => broker.stop());
  const ca = certs.caPem;
  const front = new SimMqttFront(w.site.gateway, { url: broker.url, inPrefix: 'mygateway1-in', outPrefix: 'mygateway1-out', username: 'gateway', password: 'gateway-pass-1', ca });
  await front.start();
  t.after(() => front.close());
  const gateway = `mqtts://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`;
  const credentials = w.privateFile('mqtt-login', `myseal\n${SECRET}\n`);

  // The system's CAs do not know this broker: no connection, and the log says why.
  const untrusted = await w.start({ gateway, mqttCredentialsFile: credentials });
  await until(() => w.logs.some((l) => l.includes('gateway connection failed')), 'the TLS refusal in the log', 15_000);
  assert.equal(untrusted.daemon.health().gatewayConnected, false);
  await untrusted.stop();

  const s = await w.start({ gateway, mqttCredentialsFile: credentials, mqttCaFile: certs.caPath });
  await until(() => s.daemon.health().gatewayConnected, 'the daemon to connect over TLS', 15_000);
  assert.match(s.daemon.health().gateway, /^mqtts:\/\/127\.0\.0\.1:\d+ /);
  const base = `http://127.0.0.1:${s.http.port}`;
  assert.equal((await digits(base, PIN)).result, 'unlocked');
  // The bridge is on the same TLS broker, trusting the same CA.
  const ctl = await controller(t, broker, ca);
  await until(() => w.logs.some((l) => l.includes('controller MQTT connected')), 'the bridge over TLS');
  await ctl.client.publishAsync('myseal-in/0/255/3/0/2', '');
  await until(() => ctl.seen.some(([tp, p]) => tp === 'myseal-out/0/255/3/0/2' && p === '2.3.2'), "the gateway's version through the bridge", 10_000);
  assert.equal(w.logs.join('').includes(SECRET), false);
});

test('a TCP gateway site with controllers.mqtt: PIN digits over MQTT with the configured submit and clear keys; a result on <out>/N/result for every unlock, by any route', { timeout: 90_000 }, async (t) => {
  if (!requireMosquittoPasswd(t)) return;
  const broker = await startMosquitto({ users: USERS });
  t.after(() => broker.stop());
  const w = await world(t);
  const credentials = w.privateFile('controllers-mqtt-login', `username: myseal\npassword: "${SECRET}"\n`);
  const s = await w.start({
    gateway: w.site.gatewayUrl,
    pinEntry: { submitKey: '!', clearKey: '~' },
    nodes: { 5: { children: { 1: { kind: 'lock', pinLength: 6 } } }, 7: { children: { 3: { kind: 'relay', policy: 'pass' } } } },
    controllers: { mqtt: broker.url, mqttCredentialsFile: credentials },
  });
  await until(() => s.daemon.health().gatewayConnected, 'the daemon to reach the TCP gateway');
  const ctl = await controller(t, broker);
  await until(() => w.logs.some((l) => l.includes('controller MQTT connected')), 'the bridge to log in');
  const results = (): { result: string; node: number }[] =>
    ctl.seen.filter(([tp]) => tp === 'myseal-out/5/result').map(([, p]) => JSON.parse(p) as { result: string; node: number });
  const base = `http://127.0.0.1:${s.http.port}`;

  // Digits over MQTT: a wrong start cleared with '~', then the PIN and '!' (the lock's PIN length here is 6).
  for (const d of ['9', '9', '~', ...PIN, '!']) await ctl.client.publishAsync('myseal-in/5/digit', d);
  await until(() => results().length === 1, 'the MQTT unlock result');
  assert.equal(results()[0]!.result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);
  // The defaults are no keys here: '#' is refused (counted), not a submit.
  await ctl.client.publishAsync('myseal-in/5/digit', '#');
  await until(() => s.daemon.counters.get('controller:BAD_PIN') === 1, 'the refused key counted');

  // Unlocks by the other routes are published too: HTTP digits, the HTTP API, the CLI.
  const lock = async (): Promise<void> => {
    assert.equal(((await (await fetch(`${base}/api/nodes/5/lock`, { method: 'POST' })).json()) as { result: string }).result, 'locked');
  };
  await lock();
  assert.equal((await digits(base, `${PIN}!`)).result, 'unlocked');
  await until(() => results().length === 2, 'the HTTP digits result');
  await lock();
  const wrong = await fetch(`${base}/api/nodes/5/unlock`, { method: 'POST', body: JSON.stringify({ pin: '0000' }) });
  assert.equal(((await wrong.json()) as { result: string }).result, 'wrong_pin');
  await until(() => results().length === 3, 'the HTTP unlock result');
  const cli = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'unlock', '--node', '5', '--state-dir', w.dir, '--http', `127.0.0.1:${s.http.port}`], {
      env: { ...process.env, MYSEAL_PIN: PIN },
      stdio: 'ignore',
    });
    child.on('close', (code) => resolve(code ?? -1));
  });
  assert.equal(cli, 0);
  await until(() => results().length === 4, 'the CLI unlock result');
  assert.deepEqual(results().map((r) => r.result), ['unlocked', 'unlocked', 'wrong_pin', 'unlocked']);
  assert.ok(results().every((r) => r.node === 5 && !JSON.stringify(r).includes(PIN)));

  // Only PIN entry travels here: controllers' messages for a TCP site go through its TCP port.
  await ctl.client.publishAsync('myseal-in/7/3/1/0/2', '1');
  await ctl.client.publishAsync('myseal-in/0/255/3/0/2', '');
  const before = w.site.gateway.received(7).length;
  // The broker keeps one publisher's order: once a clear key sent after them has been handled, so were they.
  const clears: unknown[] = [];
  s.daemon.events.on('audit', (e) => {
    if (e.event === 'digit' && e.result === 'cleared') clears.push(e);
  });
  await ctl.client.publishAsync('myseal-in/5/digit', '~');
  await until(() => clears.length === 1, 'the clear key to arrive');
  assert.equal(w.site.gateway.received(7).length, before, 'the message topic is not bridged');
  assert.equal(ctl.seen.some(([tp]) => tp.startsWith('myseal-out/0/255/3/0/2')), false);
  assert.equal(w.logs.join('').includes(SECRET), false);
});

test('an MQTT gateway that dies behind a live broker (it sets no last will): /api/health says it is not answering, and myseal unlock says gateway unreachable (exit 13), not a lock timeout (12); back, it works again', { timeout: 90_000 }, async (t) => {
  if (!requireMosquittoPasswd(t)) return;
  const broker = await startMosquitto({ users: USERS });
  t.after(() => broker.stop());
  const w = await world(t);
  const gatewayOn = (): SimMqttFront =>
    new SimMqttFront(w.site.gateway, { url: broker.url, inPrefix: 'mygateway1-in', outPrefix: 'mygateway1-out', username: 'gateway', password: 'gateway-pass-1' });
  let front = gatewayOn();
  await front.start();
  t.after(() => front.close());
  const credentials = w.privateFile('mqtt-login', `myseal\n${SECRET}\n`);
  const s = await w.start({ gateway: `mqtt://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`, mqttCredentialsFile: credentials });
  const base = `http://127.0.0.1:${s.http.port}`;
  type Health = { gatewayConnected: boolean; gatewayAnswering: boolean; gatewayLastHeard: number | null };
  const health = async (): Promise<Health> => (await (await fetch(`${base}/api/health`)).json()) as Health;
  // A controller on MySeal's prefixes; it also listens in on the gateway's own version answers,
  // which (nobody else asking) answer the daemon's probes.
  const ctl = await controller(t, broker);
  await ctl.client.subscribeAsync('mygateway1-out/0/255/3/0/2');
  const probeAnswers = (): number => ctl.seen.filter(([tp]) => tp === 'mygateway1-out/0/255/3/0/2').length;

  await until(() => s.daemon.health().gatewayAnswering, 'the gateway to answer', 15_000);
  assert.equal(((await (await fetch(`${base}/api/nodes/5/status`, { method: 'POST' })).json()) as { result: string }).result, 'status');
  const alive = await health();
  assert.deepEqual([alive.gatewayConnected, alive.gatewayAnswering, typeof alive.gatewayLastHeard], [true, true, 'number']);
  await until(() => probeAnswers() > 0, 'the gateway to answer a probe on a quiet link', 3 * PROBE_AFTER_MS);

  // The gateway dies; the broker, and the daemon's connection to it, stay.
  await front.close();
  const bound = 3 * (PROBE_AFTER_MS + ANSWER_TIMEOUT_MS);
  const deadline = performance.now() + bound;
  let dead = await health();
  while (dead.gatewayAnswering && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    dead = await health();
  }
  assert.equal(dead.gatewayAnswering, false, `/api/health says the gateway is not answering within ${bound} ms`);
  assert.equal(dead.gatewayConnected, true, 'while the link to the broker is up');
  assert.ok(w.logs.some((l) => l.includes('"gateway not answering"')), 'and the log says so');

  // `myseal unlock` through the running daemon: gateway unreachable, and the lock never saw a frame.
  const framesBefore = w.site.gateway.received(5).length;
  const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'unlock', '--node', '5', '--json', '--state-dir', w.dir, '--http', `127.0.0.1:${s.http.port}`], {
      env: { ...process.env, MYSEAL_PIN: PIN },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
  assert.equal(cli.code, 13, `exit 13 (gateway unreachable), not 12 (no answer from the lock): ${cli.stdout}`);
  const outcome = JSON.parse(cli.stdout) as { result: string; text: string };
  assert.deepEqual([outcome.result, outcome.text], ['gateway_down', 'gateway unreachable']);
  assert.equal(w.site.gateway.received(5).length, framesBefore);

  // It comes back (announcing itself, as a real one does when it reaches the broker): all works again.
  front = gatewayOn();
  await front.start();
  await until(() => s.daemon.health().gatewayAnswering, 'the gateway to answer again', 15_000);
  assert.equal((await digits(base, PIN)).result, 'unlocked');
  assert.equal(w.site.lock.node.locked, false);
  assert.equal(ctl.seen.some(([tp]) => tp === 'myseal-out/0/255/3/0/2'), false, "the answers to MySeal's own probes reach no controller");
  assert.equal(w.logs.join('').includes(SECRET), false);
});

test('with no daemon running, myseal unlock straight to an MQTT gateway that is not there (the broker is): gateway unreachable (exit 13), and no frame is sealed for nothing', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'mosquitto')) return;
  const broker = await startMosquitto();
  t.after(() => broker.stop());
  const w = await world(t);
  const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
    const args = ['--import', 'tsx', 'src/cli.ts', 'unlock', '--node', '5', '--json', '--state-dir', w.dir];
    args.push('--gateway', `mqtt://127.0.0.1:${broker.port}?in=mygateway1-in&out=mygateway1-out`);
    void freePort().then((port) => {
      // No daemon answers on this HTTP address: the command goes straight to the gateway.
      const child = spawn(process.execPath, [...args, '--http', `127.0.0.1:${port}`], { env: { ...process.env, MYSEAL_PIN: PIN }, stdio: ['ignore', 'pipe', 'ignore'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    });
  });
  assert.equal(cli.code, 13, `exit 13 (gateway unreachable), not 12 (no answer from the lock): ${cli.stdout}`);
  assert.deepEqual((JSON.parse(cli.stdout) as { result: string }).result, 'gateway_down');
  assert.equal(w.site.gateway.received(5).length, 0);
});
