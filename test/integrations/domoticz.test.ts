/**
 * docs/integrations/domoticz.md, exercised as Domoticz would: the LAN-interface hardware connected to
 * MySeal's proxy port (version request on connect, again on the gateway's startup line, heartbeat),
 * the selector's level actions fetched as bare GETs, one per press, the token in the query when
 * one is configured (over HTTPS too, as Domoticz fetches it: without checking the certificate), and
 * the lock's state arriving as the V_LOCK_STATUS / V_TEXT lines Domoticz
 * turns into devices. The URLs come from the recipe itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomoticzModel } from './controller-models.ts';
import { LineClient, LOCK_CHILD, LOCK_NAME, LOCK_NODE, PIN, rawHttp, recipeBlock, recipeFile, retarget, serve, until } from './harness.ts';
import type { RawResponse, Served } from './harness.ts';
import { tempDir } from '../support/fixtures.ts';
import { requireTool } from '../support/require-tool.ts';
import { makeTestCertificates } from '../support/test-cert.ts';

const RECIPE = 'domoticz.md';

/** The selector's level actions from the recipe: level name -> URL. */
function levelActions(block: string): Map<string, string> {
  const actions = new Map<string, string>();
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\S+): (\S+)$/.exec(line.trim());
    assert.ok(m, `a level action line is "NAME: URL": ${line}`);
    assert.equal(actions.has(m[1]!), false, `level ${m[1]} twice`);
    actions.set(m[1]!, m[2]!);
  }
  return actions;
}

/** What Domoticz writes for a level's http:// action: a bare GET, no header of its own. */
function domoticzGet(port: number, url: URL): Promise<RawResponse> {
  return rawHttp(port, [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Accept: */*']);
}

/** Domoticz's hardware on the proxy port: feeds the model and writes what it would write back. */
async function domoticzOnProxy(t: Parameters<typeof serve>[0], s: Served): Promise<{ client: LineClient; model: DomoticzModel }> {
  const client = await LineClient.open(t, s.proxyPort);
  const model = new DomoticzModel();
  client.onLine((line) => {
    model.read(line);
    while (model.toSend.length > 0) client.send(model.toSend.shift()!);
  });
  client.send(DomoticzModel.ON_CONNECT);
  return { client, model };
}

test('Domoticz: LAN hardware on the proxy port; selector level GETs unlock; the lock shows as devices', { timeout: 30_000 }, async (t) => {
  const s = await serve(t);
  const { client, model } = await domoticzOnProxy(t, s);

  // Connect: the greeting's startup line makes Domoticz ask again; both questions get the gateway's answer.
  await until(() => client.has('0;255;3;0;14;Gateway startup complete.'), 'the gateway greeting');
  await until(() => client.lines.filter((l) => l === '0;255;3;0;2;2.3.2').length >= 2, 'two version answers (on connect, on startup line)');
  assert.equal(model.gatewayVersion, '2.3.2');
  client.send(DomoticzModel.HEARTBEAT);
  await until(() => client.lines.some((l) => l.startsWith('0;255;3;0;22;')), "the gateway's heartbeat answer");

  // The recipe's ten level actions: one per digit, all for node 5, nothing else in them.
  const actions = levelActions(recipeBlock(RECIPE, 'level-actions'));
  assert.deepEqual([...actions.keys()].sort(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  for (const [digit, url] of actions) {
    const u = new URL(url);
    assert.equal(`${u.protocol}//${u.host}${u.pathname}`, 'http://127.0.0.1:7325/digit', url);
    assert.deepEqual([...u.searchParams], [['node', String(LOCK_NODE)], ['d', digit]], url);
  }

  // A wrong PIN, then the right one, one GET per selector press, as Domoticz fetches them.
  const press = (digit: string): Promise<RawResponse> => domoticzGet(s.httpPort, retarget(actions.get(digit)!, s.httpPort));
  for (const [i, d] of [...'0000'].entries()) {
    const r = await press(d);
    if (i < 3) assert.deepEqual([r.status, r.json()], [202, { state: 'buffered', count: i + 1 }]);
    else assert.equal(r.json().result, 'wrong_pin');
  }
  await until(() => model.device(LOCK_NODE, LOCK_CHILD, 'text')?.text === 'wrong PIN, 4 left', 'the wrong-PIN text device');
  assert.equal(s.site.lock.node.locked, true);

  for (const [i, d] of [...PIN].entries()) {
    const r = await press(d);
    if (i < PIN.length - 1) assert.equal(r.status, 202);
    else assert.deepEqual([r.status, r.json().result], [200, 'unlocked']);
  }
  assert.equal(s.site.lock.node.locked, false);

  // What Domoticz reads on its connection, and the devices it makes of it.
  await client.waitFor('5;1;1;0;36;0');
  await client.waitFor('5;1;1;0;47;unlocked');
  assert.deepEqual(model.device(LOCK_NODE, LOCK_CHILD, 'switch'), { name: 'Lock Sensor', kind: 'switch', on: false });
  assert.deepEqual(model.device(LOCK_NODE, LOCK_CHILD, 'text'), { name: 'Text Sensor', kind: 'text', text: 'unlocked' });

  // The key turned by hand: the lock's sealed report reaches Domoticz as a plain value.
  s.site.lock.setLockedByHand(true);
  await client.waitFor('5;1;1;0;36;1');
  assert.equal(model.device(LOCK_NODE, LOCK_CHILD, 'switch')?.on, true);
  // Nothing sealed reaches the controller; no line Domoticz could not parse.
  assert.equal(client.lines.some((l) => /^\d+;\d+;4;\d;83;/.test(l)), false);
});

test('Domoticz: with an API token the level actions carry it in the query; without it 401', { timeout: 30_000 }, async (t) => {
  const token = 'integration-token-0123456789';
  const s = await serve(t, { token });
  const block = levelActions(recipeBlock(RECIPE, 'level-action-with-token'));
  assert.deepEqual([...block.keys()], ['1']);
  const template = new URL(block.get('1')!);
  assert.equal(template.searchParams.get('token'), 'PUT-YOUR-TOKEN-HERE');
  assert.deepEqual([...template.searchParams.keys()], ['node', 'd', 'token']);

  const levelUrl = (digit: string, tok: string | null): URL => {
    const u = retarget(template.href, s.httpPort);
    u.searchParams.set('d', digit);
    if (tok === null) u.searchParams.delete('token');
    else u.searchParams.set('token', tok);
    return u;
  };
  const without = await domoticzGet(s.httpPort, levelUrl(PIN[0]!, null));
  assert.deepEqual([without.status, without.json().error], [401, 'UNAUTHORIZED']);
  const wrong = await domoticzGet(s.httpPort, levelUrl(PIN[0]!, 'not-the-token-at-all'));
  assert.equal(wrong.status, 401);
  for (const [i, d] of [...PIN].entries()) {
    const r = await domoticzGet(s.httpPort, levelUrl(d, token));
    assert.equal(r.status, i < PIN.length - 1 ? 202 : 200);
    if (i === PIN.length - 1) assert.equal(r.json().result, 'unlocked');
  }
  assert.equal(s.site.lock.node.locked, false);
  // The token never shows up in the daemon's log.
  assert.equal(JSON.stringify(s.logs).includes(token), false);
});

test('Domoticz: https:// level actions, fetched without checking the certificate as Domoticz does, unlock; HSTS in the answer', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'openssl')) return;
  const certs = makeTestCertificates(tempDir(t, 'myseal-domoticz-tls-'));
  const token = 'integration-token-0123456789';
  const s = await serve(t, { token, tls: { cert: certs.certPath, key: certs.keyPath } });
  const block = levelActions(recipeBlock(RECIPE, 'level-action-https'));
  const template = new URL(block.get('1')!);
  assert.equal(template.protocol, 'https:');
  assert.deepEqual([...template.searchParams.keys()], ['node', 'd', 'token']);

  const levelUrl = (digit: string): URL => {
    const u = retarget(template.href, s.httpPort);
    u.searchParams.set('d', digit);
    u.searchParams.set('token', token);
    return u;
  };
  const get = (url: URL): Promise<RawResponse> =>
    rawHttp(s.httpPort, [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Accept: */*'], '', 20_000, { verify: false });
  // The same request in plain HTTP does not get an answer from the HTTPS port.
  await assert.rejects(domoticzGet(s.httpPort, levelUrl(PIN[0]!)));
  for (const [i, d] of [...PIN].entries()) {
    const r = await get(levelUrl(d));
    assert.equal(r.status, i < PIN.length - 1 ? 202 : 200);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    if (i === PIN.length - 1) assert.equal(r.json().result, 'unlocked');
  }
  assert.equal(s.site.lock.node.locked, false);
  assert.equal(JSON.stringify(s.logs).includes(token), false);
});

test('Domoticz: the dzVents reset script targets the recipe keypad and only resets digit levels', () => {
  const script = recipeBlock(RECIPE, 'dzvents-reset');
  const text = recipeFile(RECIPE);
  const name = /name \*\*(.+?)\*\*, type \*\*Selector Switch\*\*/.exec(text)?.[1];
  assert.equal(name, 'Door keypad');
  assert.match(script, new RegExp(`devices = \\{ '${name}' \\}`));
  assert.match(script, /if keypad\.level ~= 0 then/);
  assert.match(script, /switchSelector\(0\)\.afterSec\(1\)\.silent\(\)/);
});

test("Domoticz: the Lock Sensor switch cannot unlock; with policy seal and Use ACK off it locks", { timeout: 30_000 }, async (t) => {
  // Default policy (refuse): both commands are dropped, Domoticz gets no ACK and sends once more.
  const refused = await serve(t);
  const d1 = await domoticzOnProxy(t, refused);
  refused.site.bootLock();
  await d1.client.waitFor(`5;1;0;0;19;${LOCK_NAME}`);
  for (const on of [false, true]) {
    const line = d1.model.switchCommand(LOCK_NODE, LOCK_CHILD, on);
    assert.equal(line, `5;1;1;1;36;${on ? 1 : 0}`);
    const mark = d1.client.lines.length;
    for (let attempt = 0; attempt < 2; attempt++) {
      d1.client.send(line);
      await new Promise((r) => setTimeout(r, DomoticzModel.ACK_TIMEOUT_MS / 4));
    }
    assert.equal(d1.client.lines.slice(mark).some((l) => l.startsWith('5;1;1;')), false, 'no answer, no echo');
  }
  assert.equal(refused.site.lock.node.locked, true);
  assert.equal(refused.site.lock.outcomes.length, 0, 'nothing reached the lock');

  // policy seal: the lock command is sealed and confirmed; unlock stays refused.
  const sealed = await serve(t, { lockPolicy: 'seal' });
  const d2 = await domoticzOnProxy(t, sealed);
  sealed.site.bootLock();
  await d2.client.waitFor(`5;1;0;0;19;${LOCK_NAME}`);
  const unlock = await fetch(`${sealed.base}/api/nodes/5/digits`, { method: 'POST', body: JSON.stringify({ digits: PIN }) });
  assert.equal(((await unlock.json()) as { result: string }).result, 'unlocked');
  await d2.client.waitFor('5;1;1;0;36;0');
  let mark = d2.client.lines.length;
  d2.client.send(d2.model.switchCommand(LOCK_NODE, LOCK_CHILD, true, false));
  await d2.client.waitFor('5;1;1;0;36;1', 5_000, mark);
  assert.equal(sealed.site.lock.node.locked, true);
  assert.equal(d2.model.device(LOCK_NODE, LOCK_CHILD, 'switch')?.on, true);
  mark = d2.client.lines.length;
  d2.client.send(d2.model.switchCommand(LOCK_NODE, LOCK_CHILD, false, false));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(sealed.site.lock.node.locked, true, 'a plain unlock never opens the door');
  assert.equal(d2.client.lines.slice(mark).some((l) => l.startsWith('5;1;1;')), false);
});

test(
  'Domoticz: a sealed lock command sent with ACK is answered with the echo Domoticz waits for',
  { timeout: 15_000 },
  async (t) => {
    const s = await serve(t, { lockPolicy: 'seal' });
    const d = await domoticzOnProxy(t, s);
    s.site.bootLock();
    await d.client.waitFor(`5;1;0;0;19;${LOCK_NAME}`);
    const mark = d.client.lines.length;
    d.client.send(d.model.switchCommand(LOCK_NODE, LOCK_CHILD, true, true));
    await d.client.waitFor('5;1;1;1;36;1', DomoticzModel.ACK_TIMEOUT_MS, mark);
  },
);
