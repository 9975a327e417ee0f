/**
 * docs/integrations/openhab.md, exercised as openHAB would: the HTTP binding's Thing parsed from the
 * recipe, each keypad command run through the recipe's JavaScript transformation and posted as the
 * binding posts it (Jetty: method, Content-Type from contentType, the transformed command as body),
 * the state polled with a GET and cut with the channels' JSONPATH; and the MySensors binding's
 * Ethernet bridge on MySeal's port (its I_VERSION startup check, then the lock's V_LOCK_STATUS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { LineClient, LOCK_NODE, PIN, rawHttp, recipeBlock, serve, sleep, until } from './harness.ts';
import type { RawResponse } from './harness.ts';

const RECIPE = 'openhab.md';
const JETTY_AGENT = 'Jetty/9.4.57.v20241219';

/** key="value" / key=number pairs of a .things parameter list. */
function params(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^\s,\]]+))/g)) out[m[1]!] = m[2] ?? m[3]!;
  return out;
}

interface HttpThing {
  uid: string;
  config: Record<string, string>;
  channels: Map<string, { type: string; config: Record<string, string> }>;
}

function parseHttpThing(block: string): HttpThing {
  const head = /Thing\s+(http:url:\w+)\s+"[^"]*"\s*\[([\s\S]*?)\]\s*\{/.exec(block);
  assert.ok(head, 'a Thing http:url:... [ ... ] { ... } block');
  const channels = new Map<string, { type: string; config: Record<string, string> }>();
  for (const m of block.matchAll(/Type\s+(\w+)\s*:\s*(\w+)\s+"[^"]*"\s*\[(.*)\]/g)) channels.set(m[2]!, { type: m[1]!, config: params(m[3]!) });
  return { uid: head[1]!, config: params(head[2]!), channels };
}

/** HttpThingHandler's URL joining: a '/' between base and extension unless one of them has a separator. */
function concatenate(base: string, extension: string | undefined): string {
  if (!extension) return base;
  const separators = ['/', '?', '&'];
  return separators.includes(base.at(-1)!) || separators.includes(extension[0]!) ? base + extension : `${base}/${extension}`;
}

/** The JSONPATH subset the recipe uses: $.name(.name)*. */
function jsonPath(path: string, json: string): string {
  assert.match(path, /^\$(\.\w+)+$/);
  let v: unknown = JSON.parse(json);
  for (const key of path.slice(2).split('.')) v = (v as Record<string, unknown>)[key];
  return v === null || v === undefined ? 'NULL' : String(v);
}

class OpenHabHttpThing {
  private readonly transform: (input: string) => string;

  constructor(
    private readonly thing: HttpThing,
    private readonly port: number,
    transformSource: string,
  ) {
    this.transform = (input) => String(runInNewContext(transformSource, { input }));
  }

  private url(extension: string | undefined): URL {
    const joined = concatenate(this.thing.config.baseURL!, extension);
    assert.equal(joined.includes('%'), false, 'no Formatter escapes needed');
    const u = new URL(joined);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u;
  }

  /** A command on a channel: what the binding sends (the transformed command as body). */
  request(channel: string, command: string): { head: string[]; body: string } {
    const ch = this.thing.channels.get(channel)!;
    assert.notEqual(ch.config.mode, 'READONLY');
    const [service, file] = ch.config.commandTransformation!.split(':');
    assert.deepEqual([service, file], ['JS', 'myseal-digit.js']);
    const body = this.transform(command);
    const url = this.url(ch.config.commandExtension);
    const method = this.thing.config.commandMethod ?? 'GET';
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, 'Accept-Encoding: gzip', `User-Agent: ${JETTY_AGENT}`];
    if ((method === 'POST' || method === 'PUT') && body !== '') {
      head.push(`Content-Type: ${this.thing.config.contentType ?? 'text/plain;charset=UTF-8'}`);
      head.push(`Host: ${url.host}`, `Content-Length: ${Buffer.byteLength(body)}`);
    } else head.push(`Host: ${url.host}`);
    return { head, body };
  }

  command(channel: string, command: string): Promise<RawResponse> {
    const { head, body } = this.request(channel, command);
    return rawHttp(this.port, head, body, Number(this.thing.config.timeout ?? 3000));
  }

  /** One refresh: a GET on the state URL, each READONLY channel's transformation, then on/off values. */
  async refresh(): Promise<Record<string, string>> {
    const states: Record<string, string> = {};
    const url = this.url(undefined);
    const r = await rawHttp(this.port, [`GET ${url.pathname} HTTP/1.1`, 'Accept-Encoding: gzip', `User-Agent: ${JETTY_AGENT}`, `Host: ${url.host}`]);
    assert.equal(r.status, 200);
    for (const [name, ch] of this.thing.channels) {
      if (ch.config.mode === 'WRITEONLY') continue;
      assert.equal(ch.config.stateExtension, undefined, 'all states come from the one GET');
      const [service, path] = [ch.config.stateTransformation!.slice(0, 8), ch.config.stateTransformation!.slice(9)];
      assert.equal(service, 'JSONPATH');
      const value = jsonPath(path, r.body);
      if (ch.type === 'switch') states[name] = value === ch.config.onValue ? 'ON' : value === ch.config.offValue ? 'OFF' : 'UNDEF';
      else states[name] = value;
    }
    return states;
  }
}

test('openHAB: HTTP binding keypad posts and state polls; the MySensors binding on the proxy port', { timeout: 30_000 }, async (t) => {
  const s = await serve(t);

  // The MySensors binding's Ethernet bridge: the startup check, a second apart, until I_VERSION.
  const bridgeCfg = params(/Bridge mysensors:bridge-eth:\w+ "[^"]*" \[(.*?)\]/.exec(recipeBlock(RECIPE, 'openhab-mysensors-things'))![1]!);
  assert.deepEqual(bridgeCfg, { ipAddress: '127.0.0.1', tcpPort: '5013', sendDelay: '100', startupCheckEnabled: 'true' });
  assert.match(recipeBlock(RECIPE, 'openhab-mysensors-things'), /lock frontdoor "[^"]*" \[ nodeId=5, childId=1 \]/);
  const binding = await LineClient.open(t, s.proxyPort);
  let versionOk = false;
  for (let attempt = 0; attempt < 5 && !versionOk; attempt++) {
    binding.send('0;0;3;0;2;');
    const deadline = performance.now() + 1_000;
    while (!versionOk && performance.now() < deadline) {
      versionOk = binding.lines.some((l) => /^0;(0|255);3;0;2;.+/.test(l));
      await sleep(10);
    }
  }
  assert.ok(versionOk, 'the startup check passed');

  // The HTTP Thing and its transformation, from the recipe.
  const thing = parseHttpThing(recipeBlock(RECIPE, 'openhab-http-things'));
  assert.deepEqual(thing.config, {
    baseURL: 'http://127.0.0.1:7325/api/nodes/5',
    refresh: '5',
    timeout: '30000',
    commandMethod: 'POST',
    contentType: 'application/json',
  });
  assert.deepEqual([...thing.channels.keys()], ['digit', 'locked', 'lastResult']);
  const oh = new OpenHabHttpThing(thing, s.httpPort, recipeBlock(RECIPE, 'openhab-transform'));

  // Exactly the request for one key.
  const one = oh.request('digit', '7');
  assert.equal(one.head[0], 'POST /api/nodes/5/digits HTTP/1.1');
  assert.ok(one.head.includes('Content-Type: application/json'));
  assert.equal(one.body, '{"digit":"7"}');

  // Before the lock was heard from, MySeal knows no state: the switch is undefined.
  assert.deepEqual(await oh.refresh(), { locked: 'UNDEF', lastResult: 'NULL' });

  // A typo, cleared, then the PIN: one POST per sitemap button.
  assert.deepEqual((await oh.command('digit', '7')).json(), { state: 'buffered', count: 1 });
  assert.deepEqual((await oh.command('digit', '*')).json(), { state: 'cleared' });
  for (const [i, d] of [...PIN].entries()) {
    const r = await oh.command('digit', d);
    if (i < PIN.length - 1) assert.deepEqual([r.status, r.json()], [202, { state: 'buffered', count: i + 1 }]);
    else assert.deepEqual([r.status, r.json().result], [200, 'unlocked']);
  }
  assert.equal(s.site.lock.node.locked, false);

  // The poll sees it; the MySensors binding saw it at once.
  assert.deepEqual(await oh.refresh(), { locked: 'OFF', lastResult: 'unlocked' });
  await binding.waitFor(`${LOCK_NODE};1;1;0;36;0`);
  await binding.waitFor(`${LOCK_NODE};1;1;0;47;unlocked`);

  // Locked by hand: both bindings follow.
  s.site.lock.setLockedByHand(true);
  await binding.waitFor(`${LOCK_NODE};1;1;0;36;1`);
  await until(() => s.running.daemon.nodeView(LOCK_NODE)?.locked === true, 'the daemon to note the report');
  assert.equal((await oh.refresh()).locked, 'ON');

  // The sitemap's buttons are the twelve keys, each sending itself.
  const sitemap = recipeBlock(RECIPE, 'openhab-sitemap');
  const keys = [...sitemap.matchAll(/"([0-9*#])"="([0-9*#])"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(keys.map(([k]) => k).sort(), ['#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  for (const [command, label] of keys) assert.equal(command, label);
  const items = recipeBlock(RECIPE, 'openhab-items');
  assert.match(items, new RegExp(`String FrontDoor_Key .*channel="${thing.uid}:digit", autoupdate="false"`));
  assert.match(items, new RegExp(`Switch FrontDoor_Locked .*channel="${thing.uid}:locked"`));
});

test('openHAB: with authMode TOKEN the binding sends a Bearer header; without it 401', { timeout: 30_000 }, async (t) => {
  const token = 'openhab-token-0123456789abcdef';
  const s = await serve(t, { token });
  const extra = params(recipeBlock(RECIPE, 'openhab-token'));
  assert.deepEqual(extra, { authMode: 'TOKEN', password: 'PUT-YOUR-TOKEN-HERE' });
  const thing = parseHttpThing(recipeBlock(RECIPE, 'openhab-http-things'));
  const oh = new OpenHabHttpThing(thing, s.httpPort, recipeBlock(RECIPE, 'openhab-transform'));
  const bare = oh.request('digit', PIN[0]!);
  assert.equal((await rawHttp(s.httpPort, bare.head, bare.body)).status, 401);
  for (const [i, d] of [...PIN].entries()) {
    const { head, body } = oh.request('digit', d);
    const r = await rawHttp(s.httpPort, [...head, `Authorization: Bearer ${extra.password!.replace('PUT-YOUR-TOKEN-HERE', token)}`], body);
    assert.equal(r.status, i < PIN.length - 1 ? 202 : 200);
  }
  assert.equal(s.site.lock.node.locked, false);
});
