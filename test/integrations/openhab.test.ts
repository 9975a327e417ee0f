/**
 * docs/integrations/openhab.md, exercised as openHAB would: the HTTP binding's Thing, items and
 * sitemap parsed from the recipe; each Buttongrid button's command followed to its item, its
 * channel and the request the binding makes of it (Jetty: method, the bare command as a text/plain
 * body), posted to the real daemon; the state polled with a GET and cut with the channels' JSONPATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIN, rawHttp, recipeBlock, serve, until } from './harness.ts';
import type { RawResponse } from './harness.ts';

const RECIPE = 'openhab.md';
const JETTY_AGENT = 'Jetty/9.4.57.v20241219';
/** Jetty's StringContentProvider's type, sent when the Thing sets no contentType. */
const JETTY_DEFAULT_TYPE = 'text/plain;charset=UTF-8';
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
  constructor(
    readonly thing: HttpThing,
    private readonly port: number,
  ) {}

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
    assert.equal(ch.config.commandTransformation, undefined, 'the command itself is the body');
    const body = command;
    const url = this.url(ch.config.commandExtension);
    const method = this.thing.config.commandMethod ?? 'GET';
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, 'Accept-Encoding: gzip', `User-Agent: ${JETTY_AGENT}`];
    if ((method === 'POST' || method === 'PUT') && body !== '') {
      head.push(`Content-Type: ${this.thing.config.contentType ?? JETTY_DEFAULT_TYPE}`);
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

/** Items of a .items file: name -> its type and the channel it is linked to. */
function parseItems(block: string): Map<string, { type: string; channel: string; autoupdate?: string }> {
  const items = new Map<string, { type: string; channel: string; autoupdate?: string }>();
  for (const m of block.matchAll(/^(\w+)\s+(\w+)\s+"[^"]*"\s*(?:<\w+>\s*)?\{\s*channel="([^"]+)"(?:\s*,\s*autoupdate="(\w+)")?\s*\}/gm)) {
    items.set(m[2]!, { type: m[1]!, channel: m[3]!, ...(m[4] === undefined ? {} : { autoupdate: m[4] }) });
  }
  return items;
}

/** A sitemap command as openHAB reads it: a number, a name or a quoted string. */
function sitemapCommand(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1) : text;
}

/** The sitemap's Buttongrid (row:column:command="label") and its Switch mappings (command="label"). */
function parseSitemap(block: string): {
  grid: { item: string; buttons: { row: number; column: number; command: string; label: string }[] };
  switches: { item: string; mappings: { command: string; label: string }[] }[];
} {
  const g = /Buttongrid\s+item=(\w+)[^\n]*?buttons=\[([\s\S]*?)\]/.exec(block);
  assert.ok(g, 'a Buttongrid with buttons=[...]');
  const buttons = [...g[2]!.matchAll(/(\d+)\s*:\s*(\d+)\s*:\s*("[^"]*"|[\w.-]+)\s*=\s*"([^"]*)"/g)].map((m) => ({
    row: Number(m[1]),
    column: Number(m[2]),
    command: sitemapCommand(m[3]!),
    label: m[4]!,
  }));
  const switches = [...block.matchAll(/Switch\s+item=(\w+)[^\n]*?mappings=\[([^\]]*)\]/g)].map((m) => ({
    item: m[1]!,
    mappings: [...m[2]!.matchAll(/("[^"]*"|[\w.-]+)\s*=\s*"([^"]*)"/g)].map((x) => ({ command: sitemapCommand(x[1]!), label: x[2]! })),
  }));
  assert.equal(/mappings=\[[^\]]*"[0-9*#]"\s*=/.test(block), false, 'the keys are a Buttongrid, not Switch mappings');
  return { grid: { item: g[1]!, buttons }, switches };
}

/** The recipe's openHAB, wired as openHAB wires it: a sitemap click -> item -> channel -> request. */
function recipeOpenHab(port: number): {
  oh: OpenHabHttpThing;
  press: (label: string) => Promise<RawResponse>;
  click: (switchLabel: string) => Promise<RawResponse>;
  items: ReturnType<typeof parseItems>;
} {
  const thing = parseHttpThing(recipeBlock(RECIPE, 'openhab-http-things'));
  const oh = new OpenHabHttpThing(thing, port);
  const items = parseItems(recipeBlock(RECIPE, 'openhab-items'));
  const sitemap = parseSitemap(recipeBlock(RECIPE, 'openhab-sitemap'));
  const send = (itemName: string, command: string): Promise<RawResponse> => {
    const item = items.get(itemName);
    assert.ok(item, `item ${itemName} is defined`);
    assert.ok(item.channel.startsWith(`${thing.uid}:`), `${itemName} is linked to the Thing's channel`);
    return oh.command(item.channel.slice(thing.uid.length + 1), command);
  };
  return {
    oh,
    items,
    press: (label) => {
      const button = sitemap.grid.buttons.find((b) => b.label === label);
      assert.ok(button, `a "${label}" button`);
      return send(sitemap.grid.item, button.command);
    },
    click: (label) => {
      const sw = sitemap.switches.find((x) => x.mappings.some((m) => m.label === label));
      assert.ok(sw, `a "${label}" switch button`);
      return send(sw.item, sw.mappings.find((m) => m.label === label)!.command);
    },
  };
}

test('openHAB: the recipe is the shipped HTTP binding only, with a twelve-key Buttongrid', () => {
  const text = recipeBlock(RECIPE, 'openhab-http-things') + recipeBlock(RECIPE, 'openhab-items') + recipeBlock(RECIPE, 'openhab-sitemap');
  assert.equal(/mysensors:/i.test(text), false, 'no MySensors binding things');
  const thing = parseHttpThing(recipeBlock(RECIPE, 'openhab-http-things'));
  assert.deepEqual(thing.config, { baseURL: 'http://127.0.0.1:7325/api/nodes/5', refresh: '5', timeout: '30000', commandMethod: 'POST' });
  assert.deepEqual([...thing.channels.keys()], ['key', 'lock', 'locked', 'lastResult']);
  const sitemap = parseSitemap(recipeBlock(RECIPE, 'openhab-sitemap'));
  const { buttons } = sitemap.grid;
  assert.deepEqual(buttons.map((b) => b.label).sort(), ['#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  for (const b of buttons) assert.equal(b.command, b.label, 'each key sends itself');
  // A phone keypad: 4 rows of 3, every place used once.
  assert.deepEqual(new Set(buttons.map((b) => `${b.row}:${b.column}`)).size, 12);
  for (const b of buttons) assert.ok(b.row >= 1 && b.row <= 4 && b.column >= 1 && b.column <= 3, `${b.label} at ${b.row}:${b.column}`);
  const items = parseItems(recipeBlock(RECIPE, 'openhab-items'));
  for (const name of [sitemap.grid.item, ...sitemap.switches.map((s) => s.item)]) {
    assert.equal(items.get(name)?.autoupdate, 'false', `${name}: a command never becomes its state`);
  }
  assert.equal(items.get('Door_Locked')?.channel, `${thing.uid}:locked`);
  assert.equal(thing.channels.get('locked')?.config.mode, 'READONLY', 'unlocking takes the PIN');
});

test('openHAB: Buttongrid keys and the Lock button post to the daemon; the poll follows', { timeout: 30_000 }, async (t) => {
  const s = await serve(t);
  const { oh, press, click } = recipeOpenHab(s.httpPort);

  // Exactly the request for one key: a POST with the bare key as a text/plain body.
  const one = oh.request('key', '7');
  assert.equal(one.head[0], 'POST /api/nodes/5/digits HTTP/1.1');
  assert.ok(one.head.includes(`Content-Type: ${JETTY_DEFAULT_TYPE}`));
  assert.equal(one.body, '7');

  // Before the lock was heard from, MySeal knows no state: the switch is undefined.
  assert.deepEqual(await oh.refresh(), { locked: 'UNDEF', lastResult: 'NULL' });

  // A typo, cleared, then the PIN: one POST per Buttongrid button.
  assert.deepEqual((await press('7')).json(), { state: 'buffered', count: 1 });
  assert.deepEqual((await press('*')).json(), { state: 'cleared' });
  for (const [i, d] of [...PIN].entries()) {
    const r = await press(d);
    if (i < PIN.length - 1) assert.deepEqual([r.status, r.json()], [202, { state: 'buffered', count: i + 1 }]);
    else assert.deepEqual([r.status, r.json().result], [200, 'unlocked']);
  }
  assert.equal(s.site.lock.node.locked, false);
  assert.deepEqual(await oh.refresh(), { locked: 'OFF', lastResult: 'unlocked' });

  // A wrong PIN counts as one; the door stays as it was.
  const wrong = [...PIN].map((d) => String((Number(d) + 1) % 10)).join('');
  for (const d of wrong.slice(0, -1)) await press(d);
  assert.equal((await press(wrong.at(-1)!)).json().result, 'wrong_pin');
  assert.equal(s.site.lock.node.locked, false);

  // The Lock button: a sealed lock command.
  const locked = await click('Lock');
  assert.deepEqual([locked.status, locked.json().result], [200, 'locked']);
  assert.equal(s.site.lock.node.locked, true);
  assert.equal((await oh.refresh()).locked, 'ON', 'the lock reported its state before answering');

  // Locked by hand after an unlock: the poll follows the lock's own report.
  for (const d of PIN) await press(d);
  assert.equal(s.site.lock.node.locked, false);
  s.site.lock.setLockedByHand(true);
  await until(() => s.running.daemon.nodeView(5)?.locked === true, 'the daemon to note the report');
  assert.equal((await oh.refresh()).locked, 'ON');
});

test('openHAB: with authMode TOKEN the binding sends a Bearer header; without it 401', { timeout: 30_000 }, async (t) => {
  const token = 'openhab-token-0123456789abcdef';
  const s = await serve(t, { token });
  const extra = params(recipeBlock(RECIPE, 'openhab-token'));
  assert.deepEqual(extra, { authMode: 'TOKEN', password: 'PUT-YOUR-TOKEN-HERE' });
  const { oh } = recipeOpenHab(s.httpPort);
  const bare = oh.request('key', PIN[0]!);
  assert.equal((await rawHttp(s.httpPort, bare.head, bare.body)).status, 401);
  for (const [i, d] of [...PIN].entries()) {
    const { head, body } = oh.request('key', d);
    const r = await rawHttp(s.httpPort, [...head, `Authorization: Bearer ${extra.password!.replace('PUT-YOUR-TOKEN-HERE', token)}`], body);
    assert.equal(r.status, i < PIN.length - 1 ? 202 : 200);
  }
  assert.equal(s.site.lock.node.locked, false);
});
