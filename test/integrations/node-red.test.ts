/**
 * docs/integrations/node-red.md for real: the node-red package (4.1, a devDependency) started as a
 * child process on a free loopback port with the recipe's flow (docs/integrations/node-red-flow.json,
 * which the recipe also shows in full; the test checks both are the same), its addresses pointed
 * at this test's daemon, broker and ports, and its MQTT flow enabled. Node-RED's http request node
 * posts the keypad's keys to MySeal, its tcp in node reads MySeal's proxy port, its mqtt nodes use
 * MySeal's prefixes. The test drives the flow through the flow's own http in endpoints (behind
 * httpNodeAuth, as the recipe recommends) and reads what Node-RED saw from them.
 *
 * Node-RED runs without its editor (httpAdminRoot false), telemetry and update checks off, module
 * installs off, listening on 127.0.0.1 only; it is killed in t.after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { showsPin } from '../support/fixtures.ts';
import { freePort, killProcess, requireMosquitto, startMosquitto } from '../support/mosquitto.ts';
import { PIN, recipeBlock, recipeFile, REPO_ROOT, serve, sleep } from './harness.ts';

const RED_JS = join(REPO_ROOT, 'node_modules', 'node-red', 'red.js');
const KEYPAD_PASSWORD = 'keypad-test-password';
/** bcrypt of KEYPAD_PASSWORD (cost 8), made once with node-red's own bcryptjs, as `node-red admin hash-pw` does. */
const KEYPAD_PASSWORD_HASH = '$2b$08$y5gEemGAyPukB7xc4iGjtOid.KgQnXPQvaPTL9bBnhFtRoK3TB5JO';

interface FlowNode {
  id: string;
  type: string;
  [k: string]: unknown;
}

/** The recipe's flow with its addresses pointed at this test (and nothing else changed). */
function adapt(flow: FlowNode[], ports: { http: number; proxy: number; broker: number }): FlowNode[] {
  const changed: string[] = [];
  const out = flow.map((node) => {
    const n = { ...node };
    if (n.type === 'http request') {
      assert.match(String(n.url), /^http:\/\/127\.0\.0\.1:7325\//);
      n.url = String(n.url).replace('127.0.0.1:7325', `127.0.0.1:${ports.http}`);
      changed.push('http request');
    } else if (n.type === 'tcp in') {
      assert.deepEqual([n.host, n.port], ['127.0.0.1', '5013']);
      n.port = String(ports.proxy);
      changed.push('tcp in');
    } else if (n.type === 'mqtt-broker') {
      assert.deepEqual([n.broker, n.port], ['127.0.0.1', '1883']);
      n.port = String(ports.broker);
      changed.push('mqtt-broker');
    } else if (n.type === 'tab' && n.disabled === true) {
      n.disabled = false;
      changed.push('tab');
    }
    return n;
  });
  assert.deepEqual(changed.sort(), ['http request', 'mqtt-broker', 'tab', 'tcp in']);
  return out;
}

test('Node-RED (real): the flow posts the PIN keys, sees 5;1;1;0;36;0 on the proxy port; the MQTT flow', { timeout: 45_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.stop());
  // An MQTT gateway: MySeal then offers both its TCP proxy port and its MQTT prefixes.
  const s = await serve(t, { gateway: { kind: 'mqtt', brokerUrl: broker.url } });

  // The flow in the recipe and the flow file are the same flow.
  const file = JSON.parse(recipeFile('node-red-flow.json')) as FlowNode[];
  assert.deepEqual(JSON.parse(recipeBlock('node-red.md', 'node-red-flow')), file);
  const flow = adapt(file, { http: s.httpPort, proxy: s.proxyPort, broker: broker.port });

  const dir = mkdtempSync(join(tmpdir(), 'myseal-node-red-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The recipe's settings advice: Node-RED on loopback, a user and password on the http in endpoints.
  const advice = recipeBlock('node-red.md', 'node-red-settings');
  const uiHost = /uiHost: "([^"]+)"/.exec(advice)?.[1];
  const keypadUser = /httpNodeAuth: \{ user: "([^"]+)", pass: "\$2b\$/.exec(advice)?.[1];
  assert.equal(uiHost, '127.0.0.1');
  assert.equal(keypadUser, 'keypad');
  const uiPort = await freePort();
  const flowFile = join(dir, 'flows.json');
  writeFileSync(flowFile, JSON.stringify(flow, null, 2));
  const settings = {
    uiHost,
    uiPort,
    userDir: dir,
    flowFile,
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    httpNodeAuth: { user: keypadUser, pass: KEYPAD_PASSWORD_HASH },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    socketReconnectTime: 500,
    contextStorage: { default: { module: 'memory' } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  const settingsFile = join(dir, 'settings.js');
  writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);

  const child = spawn(process.execPath, [RED_JS, '--settings', settingsFile, '--userDir', dir], {
    cwd: dir,
    env: { ...process.env, NODE_RED_DISABLE_TELEMETRY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => killProcess(child));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;

  const base = `http://127.0.0.1:${uiPort}`;
  const auth = { authorization: `Basic ${Buffer.from(`${keypadUser}:${KEYPAD_PASSWORD}`).toString('base64')}` };
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const r = await fetch(`${base}${path}`, { headers: auth });
    assert.equal(r.status, 200, path);
    return (await r.json()) as Record<string, unknown>;
  };
  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  // Node-RED starts in a few seconds; then its tcp in node connects to MySeal and is greeted.
  const started = performance.now();
  for (;;) {
    if (!alive()) throw new Error(`node-red exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    if (performance.now() - started > 25_000) throw new Error(`node-red did not come up:\n${output}`);
    try {
      const r = await fetch(`${base}/myseal/status`, { headers: auth });
      if (r.status === 200 && ((await r.json()) as { connected?: boolean }).connected === true) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  t.diagnostic(`node-red up and connected to the proxy port after ${Math.round(performance.now() - started)} ms`);

  // The flow's endpoints are behind httpNodeAuth.
  assert.equal((await fetch(`${base}/myseal/status`)).status, 401);
  assert.equal((await fetch(`${base}/myseal/key`, { method: 'POST', body: '{"key":"1"}', headers: { 'content-type': 'application/json' } })).status, 401);

  // The keypad, one key per request: Node-RED's http request node posts each to MySeal.
  assert.deepEqual(await post('/myseal/key', { key: 'x' }), { status: 400, json: { error: 'send {"key": "0"-"9", "*" or "#"}' } });
  for (const [i, key] of [...PIN].entries()) {
    const r = await post('/myseal/key', { key });
    if (i < PIN.length - 1) assert.deepEqual(r, { status: 202, json: { state: 'buffered', count: i + 1 } });
    else assert.deepEqual(r, { status: 200, json: { node: 5, result: 'unlocked', ok: true, text: 'unlocked', locked: false } });
  }
  assert.equal(s.site.lock.node.locked, false, 'the flow unlocked the lock');

  // Node-RED's tcp in node read MySeal's announcement on the proxy port.
  let status: Record<string, unknown> = {};
  const deadline = performance.now() + 5_000;
  while (!(status.recent as string[] | undefined)?.includes('5;1;1;0;36;0')) {
    if (performance.now() > deadline) throw new Error(`Node-RED did not see 5;1;1;0;36;0: ${JSON.stringify(status)}`);
    status = await get('/myseal/status');
    await sleep(50);
  }
  assert.equal(status.locked, false);
  assert.equal(status.text, 'unlocked');
  assert.deepEqual((status.lastResult as Record<string, unknown>).result, 'unlocked');
  assert.equal(showsPin(JSON.stringify(status), PIN), false, 'no PIN in what the flow keeps');

  // Locked by hand, then the whole PIN in one request.
  s.site.lock.setLockedByHand(true);
  const locked = performance.now() + 5_000;
  while ((await get('/myseal/status')).locked !== true) {
    if (performance.now() > locked) throw new Error('Node-RED did not see the lock locked');
    await sleep(50);
  }
  assert.deepEqual(await post('/myseal/pin', { pin: '12' }), { status: 400, json: { error: 'send {"pin": "4 to 8 digits"}' } });
  const whole = await post('/myseal/pin', { pin: PIN });
  assert.deepEqual([whole.status, whole.json.result], [200, 'unlocked']);
  assert.equal(s.site.lock.node.locked, false);

  // The MQTT flow: its subscriptions are live once it sees the lock turned by hand.
  const mqttReady = performance.now() + 15_000;
  while ((await get('/myseal/mqtt/status')).locked !== true) {
    if (performance.now() > mqttReady) throw new Error(`the MQTT flow never saw the lock locked:\n${output}`);
    s.site.lock.setLockedByHand(true);
    await sleep(200);
  }
  for (const key of PIN) assert.deepEqual(await post('/myseal/mqtt/key', { key }), { status: 202, json: { state: 'sent' } });
  const mqttDone = performance.now() + 10_000;
  let mstatus = await get('/myseal/mqtt/status');
  while ((mstatus.lastResult as { result?: string } | null)?.result !== 'unlocked' || mstatus.locked !== false) {
    if (performance.now() > mqttDone) throw new Error(`the MQTT flow did not see the unlock: ${JSON.stringify(mstatus)}`);
    await sleep(50);
    mstatus = await get('/myseal/mqtt/status');
  }
  assert.equal(s.site.lock.node.locked, false, 'the MQTT flow unlocked the lock');
  assert.equal(alive(), true, 'node-red still running');
});
