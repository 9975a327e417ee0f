/**
 * docs/integrations/home-assistant.md, exercised as Home Assistant would: the MySensors integration on
 * MySeal's TCP port (discovery on the gateway's startup line, the I_VERSION keep-alive, presentation
 * requests for unknown nodes) and on MySeal's MQTT prefixes against a real mosquitto (the
 * integration's subscriptions and publishes), and the recipe's rest_command entries sent as Home
 * Assistant sends them: method, Content-Type from content_type, the payload template rendered to
 * text. The YAML is parsed from the recipe's code blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import YAML from 'yaml';
import { showsPin } from '../support/fixtures.ts';
import { requireMosquitto, startMosquitto } from '../support/mosquitto.ts';
import { MqttBridge } from '../../src/edges/proxy/mqtt-bridge.ts';
import { HomeAssistantModel } from './controller-models.ts';
import { LineClient, LOCK_CHILD, LOCK_NAME, LOCK_NODE, PIN, rawHttp, recipeBlock, retarget, serve, SKETCH_NAME, until } from './harness.ts';
import type { RawResponse } from './harness.ts';

const RECIPE = 'home-assistant.md';

interface RestCommand {
  url: string;
  method?: string;
  content_type?: string;
  payload?: string;
  timeout?: number;
  headers?: Record<string, string>;
}

type Yaml = Record<string, unknown>;

function parseYaml(block: string, secrets: Record<string, string> = {}): Yaml {
  return YAML.parse(block, {
    customTags: [{ tag: '!secret', resolve: (name: string) => secrets[name] ?? `<missing secret ${name}>` }],
  }) as Yaml;
}

/**
 * Renders the two template forms the recipe uses, `{{ variable }}` and `{{ states('entity') }}`;
 * anything else fails, so a recipe edit that needs more is noticed here.
 */
function render(template: string, variables: Record<string, string>, states: Record<string, string>): string {
  return template.replace(/\{\{(.*?)\}\}/g, (_all, expr: string) => {
    const e = expr.trim();
    const state = /^states\('([a-z_]+\.[a-z0-9_]+)'\)$/.exec(e);
    if (state) {
      const v = states[state[1]!];
      if (v === undefined) throw new Error(`no state for ${state[1]}`);
      return v;
    }
    if (/^[a-z_]+(\.[a-z_]+)?$/.test(e)) {
      const v = variables[e];
      if (v === undefined) throw new Error(`no variable ${e}`);
      return v;
    }
    throw new Error(`template expression not handled by this test: ${e}`);
  });
}

/** The HTTP request a rest_command entry makes (aiohttp's default headers plus what the entry asks for). */
function restCommand(cmd: RestCommand, port: number, variables: Record<string, string> = {}, states: Record<string, string> = {}): { head: string[]; body: string } {
  const method = (cmd.method ?? 'get').toUpperCase();
  const url = retarget(render(cmd.url, variables, states), port);
  const body = cmd.payload === undefined ? '' : render(cmd.payload, variables, states);
  const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Accept: */*', 'Accept-Encoding: gzip, deflate'];
  head.push('User-Agent: HomeAssistant/2025.1.0 aiohttp/3.11.11 Python/3.13');
  for (const [name, value] of Object.entries(cmd.headers ?? {})) head.push(`${name}: ${render(value, variables, states)}`);
  if (cmd.content_type !== undefined) head.push(`Content-Type: ${cmd.content_type}`);
  else if (body !== '') head.push('Content-Type: application/octet-stream');
  if (body !== '' || method === 'POST') head.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return { head, body };
}

async function call(cmd: RestCommand, port: number, variables: Record<string, string> = {}, states: Record<string, string> = {}): Promise<RawResponse> {
  const { head, body } = restCommand(cmd, port, variables, states);
  return rawHttp(port, head, body, ((cmd.timeout ?? 10) + 1) * 1000);
}

/** The keypad card's keys: name -> the data its tap action sends to rest_command.myseal_digit. */
function keypadKeys(card: Yaml): Map<string, Record<string, string>> {
  const stack = card.cards as Yaml[];
  const grid = stack.find((c) => c.type === 'grid') as Yaml;
  const keys = new Map<string, Record<string, string>>();
  for (const button of grid.cards as Yaml[]) {
    const tap = button.tap_action as Yaml;
    assert.equal(button.type, 'button');
    assert.equal(tap.action, 'perform-action');
    assert.equal(tap.perform_action, 'rest_command.myseal_digit');
    keys.set(String(button.name), tap.data as Record<string, string>);
  }
  return keys;
}

test('Home Assistant (TCP): integration on the proxy port; keypad and PIN script via rest_command; the lock switch', { timeout: 40_000 }, async (t) => {
  const s = await serve(t);

  // The integration's settings from the recipe: MySeal's port, not the gateway's.
  const settings = parseYaml(recipeBlock(RECIPE, 'ha-tcp'));
  assert.deepEqual(settings, { gateway_type: 'TCP', device: '127.0.0.1', tcp_port: 5013, version: '2.3' });

  const ha = await LineClient.open(t, s.proxyPort);
  const model = new HomeAssistantModel();
  ha.onLine((line) => {
    model.read(line);
    while (model.toSend.length > 0) ha.send(model.toSend.shift()!);
  });
  // The gateway's startup line makes it broadcast a discovery; the lock answers, and being new to
  // Home Assistant is asked to present itself, which it does through MySeal.
  await ha.waitFor('0;255;3;0;14;Gateway startup complete.');
  await ha.waitFor('5;255;3;0;21;0');
  await until(() => model.nodes.get(LOCK_NODE)?.sketchName === SKETCH_NAME && model.nodes.get(LOCK_NODE)!.children.has(LOCK_CHILD), 'the presentation of node 5');
  assert.equal(model.lockSwitch(LOCK_NODE, LOCK_CHILD), undefined, 'no value yet: the entity is unavailable');
  // The keep-alive: the gateway's version answer, through MySeal.
  ha.send(HomeAssistantModel.KEEPALIVE);
  await until(() => model.gatewayVersion === '2.3.2', 'the I_VERSION answer to the keep-alive');

  const conf = parseYaml(recipeBlock(RECIPE, 'ha-configuration'));
  const rest = conf.rest_command as Record<string, RestCommand>;
  const pinField = (conf.input_text as Record<string, Yaml>).door_pin!;
  assert.equal(pinField.mode, 'password');
  assert.deepEqual(((conf.recorder as Yaml).exclude as Yaml).entities, ['input_text.door_pin']);
  for (const name of ['myseal_digit', 'myseal_pin', 'myseal_status']) {
    assert.equal(rest[name]!.method, 'post', name);
    assert.equal(rest[name]!.content_type, 'application/json', name);
    assert.ok((rest[name]!.timeout ?? 10) > 10, `${name}: a timeout that covers the lock's retries`);
  }

  // The keypad card: twelve keys, each sending its own name as the digit.
  const keys = keypadKeys(parseYaml(recipeBlock(RECIPE, 'ha-keypad-card')));
  assert.deepEqual([...keys.keys()].sort(), ['#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  for (const [name, data] of keys) assert.deepEqual(data, { digit: name });

  // A typo cleared with *, then the PIN key by key: one rest_command call per tap.
  const tap = (key: string): Promise<RawResponse> => call(rest.myseal_digit!, s.httpPort, keys.get(key)!);
  const typo = restCommand(rest.myseal_digit!, s.httpPort, keys.get('9')!);
  assert.equal(typo.body, '{"digit": "9"}');
  assert.ok(typo.head.includes('Content-Type: application/json'));
  assert.deepEqual((await tap('9')).json(), { state: 'buffered', count: 1 });
  assert.deepEqual((await tap('*')).json(), { state: 'cleared' });
  for (const [i, d] of [...PIN].entries()) {
    const r = await tap(d);
    if (i < PIN.length - 1) assert.equal(r.status, 202);
    else {
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'] ?? '', /^application\/json/, 'Home Assistant parses the content as JSON');
      assert.deepEqual(r.json(), { node: 5, result: 'unlocked', ok: true, text: 'unlocked', locked: false });
    }
  }
  assert.equal(s.site.lock.node.locked, false);

  // What Home Assistant reads: the lock's switch entity turns off (unlocked), the text as attribute.
  await ha.waitFor('5;1;1;0;36;0');
  await ha.waitFor('5;1;1;0;47;unlocked');
  await until(() => model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.attributes.V_TEXT === 'unlocked', 'the lock entity');
  assert.deepEqual(model.lockSwitch(LOCK_NODE, LOCK_CHILD), {
    name: LOCK_NAME,
    state: 'off',
    attributes: { V_LOCK_STATUS: '0', V_TEXT: 'unlocked' },
  });

  // rest_command.myseal_status asks the lock itself; the answer is announced the same way.
  const before = ha.lines.length;
  const status = await call(rest.myseal_status!, s.httpPort);
  assert.deepEqual([status.status, status.json().result, status.json().locked], [200, 'status', false]);
  await ha.waitFor('5;1;1;0;36;0', 5_000, before);

  // Turned by hand: on. The switch's "off" (a plain unlock) is refused: the door stays locked.
  s.site.lock.setLockedByHand(true);
  await until(() => model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.state === 'on', 'the entity to turn on (locked)');
  const mark = ha.lines.length;
  ha.send('5;1;1;0;36;0');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.site.lock.node.locked, true);
  assert.equal(ha.lines.slice(mark).some((l) => l.startsWith('5;1;1;')), false);
  assert.equal(model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.state, 'on');

  // The script: the whole PIN from the password field, the answer in response_variable.
  const script = (conf.script as Record<string, Yaml>).door_unlock!;
  const steps = script.sequence as Yaml[];
  assert.deepEqual([steps[0]!.action, steps[0]!.response_variable], ['rest_command.myseal_pin', 'myseal']);
  assert.deepEqual([steps[1]!.action, (steps[1]!.target as Yaml).entity_id, (steps[1]!.data as Yaml).value], ['input_text.set_value', 'input_text.door_pin', '']);
  const states = { 'input_text.door_pin': PIN };
  assert.equal(restCommand(rest.myseal_pin!, s.httpPort, {}, states).body, `{"digits": "${PIN}"}`);
  const answer = await call(rest.myseal_pin!, s.httpPort, {}, states);
  assert.deepEqual([answer.status, answer.json().text], [200, 'unlocked']);
  await until(() => model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.state === 'off', 'the entity to turn off (unlocked)');
  assert.equal(showsPin(JSON.stringify(s.logs), PIN), false, 'no PIN in the daemon log');
});

test('Home Assistant: rest_command with a token sends it as a header from secrets.yaml', { timeout: 30_000 }, async (t) => {
  const token = 'home-assistant-token-0123456789';
  const s = await serve(t, { token });
  const secretsFile = parseYaml(recipeBlock(RECIPE, 'ha-secrets')) as Record<string, string>;
  assert.equal(secretsFile.myseal_authorization, 'Bearer PUT-YOUR-TOKEN-HERE');
  const secrets = { myseal_authorization: secretsFile.myseal_authorization!.replace('PUT-YOUR-TOKEN-HERE', token) };
  const extra = parseYaml(recipeBlock(RECIPE, 'ha-token-headers'), secrets);
  const conf = parseYaml(recipeBlock(RECIPE, 'ha-configuration'));
  const digit = { ...(conf.rest_command as Record<string, RestCommand>).myseal_digit!, ...extra } as RestCommand;
  assert.deepEqual(digit.headers, { authorization: `Bearer ${token}` });

  const bare = await call((conf.rest_command as Record<string, RestCommand>).myseal_digit!, s.httpPort, { digit: '1' });
  assert.equal(bare.status, 401);
  for (const [i, d] of [...PIN].entries()) {
    const r = await call(digit, s.httpPort, { digit: d });
    assert.equal(r.status, i < PIN.length - 1 ? 202 : 200);
  }
  assert.equal(s.site.lock.node.locked, false);
});

test('Home Assistant (MQTT, mosquitto): the integration on myseal-out/myseal-in; keys over MQTT; the result sensor', { timeout: 40_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.stop());
  const s = await serve(t, { gateway: { kind: 'mqtt', brokerUrl: broker.url } });

  const settings = parseYaml(recipeBlock(RECIPE, 'ha-mqtt'));
  assert.deepEqual(settings, { gateway_type: 'MQTT', version: '2.3', topic_in_prefix: 'myseal-out', topic_out_prefix: 'myseal-in', retain: false });
  const inPrefix = String(settings.topic_in_prefix);
  const outPrefix = String(settings.topic_out_prefix);
  const retain = settings.retain === true;

  // A probe (not Home Assistant) waits until MySeal's bridge answers on its prefixes.
  const probe: MqttClient = await connectAsync(broker.url, { clientId: 'probe', reconnectPeriod: 0 });
  t.after(() => probe.endAsync(true));
  let bridgeUp = false;
  probe.on('message', (topic) => {
    if (topic === 'myseal-out/0/255/3/0/2') bridgeUp = true;
  });
  await probe.subscribeAsync('myseal-out/0/255/3/0/2');
  for (let i = 0; !bridgeUp; i++) {
    if (i > 100) throw new Error("MySeal's MQTT bridge did not answer");
    await probe.publishAsync('myseal-in/0/255/3/0/2', '');
    await new Promise((r) => setTimeout(r, 100));
  }

  // Home Assistant: its subscriptions, and what it publishes back, through the gateway model.
  const ha: MqttClient = await connectAsync(broker.url, { clientId: 'home-assistant', reconnectPeriod: 0 });
  t.after(() => ha.endAsync(true));
  const model = new HomeAssistantModel();
  const subscribed = new Set<string>();
  const published: { topic: string; payload: string; retain: boolean }[] = [];
  const received: [string, string][] = [];
  const subscribe = async (filters: string[]): Promise<void> => {
    const fresh = filters.filter((f) => !subscribed.has(f));
    for (const f of fresh) subscribed.add(f);
    if (fresh.length > 0) await ha.subscribeAsync(fresh);
  };
  const pending: Promise<unknown>[] = [];
  ha.on('message', (topic, payload, packet) => {
    received.push([topic, payload.toString('utf8')]);
    const line = HomeAssistantModel.fromMqtt(inPrefix, topic, payload.toString('utf8'), packet.qos);
    if (line === null) return;
    model.read(line);
    for (const [node, n] of model.nodes) {
      for (const child of n.children.keys()) pending.push(subscribe(HomeAssistantModel.childSubscriptions(inPrefix, node, child)));
    }
    while (model.toSend.length > 0) {
      const out = HomeAssistantModel.toMqtt(outPrefix, model.toSend.shift()!);
      published.push({ ...out, retain });
      pending.push(ha.publishAsync(out.topic, out.payload, { retain }));
    }
  });
  await subscribe(HomeAssistantModel.initialSubscriptions(inPrefix));
  assert.deepEqual([...subscribed], ['myseal-out/+/+/0/+/+', 'myseal-out/+/+/3/+/+']);

  // The MQTT sensor of the recipe reads MySeal's JSON result.
  const extras = parseYaml(recipeBlock(RECIPE, 'ha-mqtt-digits'));
  const sensor = ((extras.mqtt as Yaml).sensor as Yaml[])[0]!;
  assert.deepEqual([sensor.state_topic, sensor.value_template], ['myseal-out/5/result', '{{ value_json.text }}']);
  await ha.subscribeAsync(String(sensor.state_topic));

  // The lock boots and presents itself; Home Assistant then subscribes to its child.
  s.site.bootLock();
  await until(() => subscribed.has('myseal-out/5/1/1/+/+'), 'the subscriptions for node 5, child 1');
  await Promise.all(pending);
  assert.equal(model.nodes.get(LOCK_NODE)?.sketchName, SKETCH_NAME);

  // The script: one key per message on myseal-in/5/digit, not retained.
  const script = (extras.script as Record<string, Yaml>).door_unlock_mqtt!;
  const repeat = ((script.sequence as Yaml[])[0]!.repeat as Yaml);
  assert.equal(repeat.for_each, "{{ states('input_text.door_pin') | list }}");
  const publish = ((repeat.sequence as Yaml[])[0]!);
  assert.equal(publish.action, 'mqtt.publish');
  const data = publish.data as Yaml;
  assert.deepEqual(data, { topic: 'myseal-in/5/digit', payload: '{{ repeat.item }}', retain: false });
  for (const key of [...PIN]) await ha.publishAsync(String(data.topic), render(String(data.payload), { 'repeat.item': key }, {}), { retain: data.retain === true });

  await until(() => received.some(([tp]) => tp === 'myseal-out/5/result'), 'the result on myseal-out/5/result', 10_000);
  const result = JSON.parse(received.find(([tp]) => tp === 'myseal-out/5/result')![1]) as Yaml;
  assert.equal(result.text, 'unlocked', 'the sensor state (value_json.text)');
  assert.equal(showsPin(JSON.stringify(result), PIN), false);
  assert.equal(s.site.lock.node.locked, false);
  await until(() => model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.state === 'off', 'the lock switch off (unlocked)');
  assert.equal(model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.attributes.V_TEXT, 'unlocked');

  // The switch turned off by a user is a plain unlock on myseal-in: refused, never retained.
  s.site.lock.setLockedByHand(true);
  await until(() => model.lockSwitch(LOCK_NODE, LOCK_CHILD)?.state === 'on', 'the hand-locked report');
  await ha.publishAsync(`${outPrefix}/5/1/1/0/36`, '0', { retain });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.site.lock.node.locked, true);
  assert.equal(published.every((p) => !p.retain), true);
  assert.equal(received.some(([tp]) => /\/4\/\d\/83$/.test(tp)), false, 'no sealed frame on the controller prefix');

  // With retain left on, the broker replays a key to every new subscription, so at each reconnect
  // of MySeal's bridge (here: a second bridge subscribing): MySeal refuses retained ones.
  await ha.publishAsync('myseal-in/5/digit', '*', { retain: true });
  const reconnected = new MqttBridge(s.running.daemon, { url: broker.url, inPrefix: 'myseal-in', outPrefix: 'myseal-out' });
  t.after(() => reconnected.stop());
  reconnected.start();
  await until(() => s.running.daemon.counters.get('controller:RETAINED_MESSAGE') === 1, 'the replayed retained key counted and refused');
  await ha.publishAsync('myseal-in/5/digit', '', { retain: true }); // clear it from the broker
});
