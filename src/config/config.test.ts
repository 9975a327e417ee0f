import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import type { MySealError } from '../core/errors.ts';
import {
  configFromDocument,
  configFromText,
  defaultConfigPath,
  envOverrides,
  formatHostPort,
  isLoopbackHost,
  loadConfig,
  mergeConfig,
  parseHostPort,
} from './config.ts';
import type { Config } from './config.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An environment that points every default path into `dir`, so no test reads the user's files. */
function isolatedEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), ...extra };
}

function configError(fn: () => unknown): MySealError {
  try {
    fn();
  } catch (e) {
    assert.ok(isMySealError(e), `expected MySealError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

function fromText(text: string, env: NodeJS.ProcessEnv = { XDG_STATE_HOME: '/tmp/myseal-test-state' }): Config {
  return configFromText(text, { env, home: '/nonexistent-home' });
}

test('no file, no environment, no flags: every default', (t) => {
  const dir = tempDir(t);
  const c = loadConfig(undefined, isolatedEnv(dir), {}, { home: dir });
  assert.equal(c.file, undefined);
  assert.equal(c.gateway, undefined);
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 5003 });
  assert.deepEqual(c.mqttProxy, { inPrefix: 'myseal-in', outPrefix: 'myseal-out' });
  assert.deepEqual(c.http, { listen: { host: '127.0.0.1', port: 7325 }, tokenFile: undefined, rateLimitPerMinute: 10 });
  assert.equal(c.stateDir, join(dir, 'state', 'myseal'));
  assert.deepEqual(c.pinEntry, { digitTimeoutMs: 10000, submitKey: '#', clearKey: '*' });
  assert.equal(c.nodes.size, 0);
  assert.deepEqual(c.log, { level: 'info', auditMaxBytes: 1024 * 1024, auditKeep: 5 });
  assert.equal(c.mqttCredentialsFile, undefined);
  assert.equal(c.mqttCaFile, undefined);
  assert.deepEqual(c.controllers, { allow: undefined, mqtt: undefined });
});

test('myseal serve with flags only works without any file', (t) => {
  const dir = tempDir(t);
  const c = loadConfig(undefined, isolatedEnv(dir), {
    gateway: 'tcp://192.168.1.50',
    listen: '127.0.0.1:5013',
    http: '127.0.0.1:8081',
    stateDir: join(dir, 'st'),
  });
  assert.deepEqual(c.gateway, { url: 'tcp://192.168.1.50', scheme: 'tcp', transport: { kind: 'tcp', host: '192.168.1.50', port: 5003 } });
  assert.equal(formatHostPort(c.listen), '127.0.0.1:5013');
  assert.equal(formatHostPort(c.http.listen), '127.0.0.1:8081');
  assert.equal(c.stateDir, join(dir, 'st'));
});

test('docs/config.example.yaml loads, and says what it shows', () => {
  const c = loadConfig('docs/config.example.yaml', { XDG_STATE_HOME: '/tmp/x' });
  assert.match(c.file ?? '', /docs\/config\.example\.yaml$/);
  assert.deepEqual(c.gateway, { url: 'tcp://192.168.1.50:5003', scheme: 'tcp', transport: { kind: 'tcp', host: '192.168.1.50', port: 5003 } });
  const node = c.nodes.get(5);
  assert.ok(node);
  assert.equal(node.name, 'front door');
  assert.equal(node.legacyEcb, false);
  assert.equal(node.allowFirmwareUpdate, false);
  assert.deepEqual(node.children.get(1), { kind: 'lock', policy: 'refuse', pinLength: 4, critical: false, acceptPlain: false });
  assert.deepEqual(node.children.get(2), { kind: 'relay', policy: 'seal', critical: true, acceptPlain: false });
  assert.deepEqual(node.children.get(3), { kind: 'contact', policy: 'pass', critical: false, acceptPlain: false });
});

test('a bad value names the field path and the value', () => {
  const e = configError(() => fromText('nodes:\n  5:\n    children:\n      1: {kind: lock, policy: open}\n'));
  assert.equal(e.code, ErrorCode.BAD_CONFIG);
  assert.equal(e.message, 'BAD_CONFIG: nodes.5.children.1.policy: "open" is not one of seal, refuse, pass');
  assert.equal(e.detail.field, 'nodes.5.children.1.policy');
});

test('unknown keys are errors at every level', () => {
  const cases: [string, string][] = [
    ['gatway: tcp://h:5003\n', 'gatway'],
    ['http:\n  token: abc\n', 'http.token'],
    ['pinEntry:\n  timeout: 5\n', 'pinEntry.timeout'],
    ['nodes:\n  5:\n    nmae: x\n', 'nodes.5.nmae'],
    ['nodes:\n  5:\n    children:\n      1: {kind: lock, polcy: seal}\n', 'nodes.5.children.1.polcy'],
    ['log:\n  levle: info\n', 'log.levle'],
    ['mqttProxy:\n  in: a\n', 'mqttProxy.in'],
  ];
  for (const [text, field] of cases) {
    const e = configError(() => fromText(text));
    assert.equal(e.code, ErrorCode.BAD_CONFIG);
    assert.equal(e.detail.field, field, text);
    assert.match(e.message, /unknown setting/);
  }
  // The unknown field's value is not repeated: someone may have pasted a token there.
  assert.doesNotMatch(configError(() => fromText('http:\n  token: s3cr3t-t0ken\n')).message, /s3cr3t/);
});

test('children: defaults by kind, PIN length for locks only, critical only when sealed', () => {
  const c = fromText(
    'nodes:\n  7:\n    children:\n' +
      '      0: {kind: lock}\n      1: {kind: relay}\n      2: {kind: contact}\n      3: {kind: sensor}\n' +
      '  8:\n    children:\n      4: {kind: lock, pinLength: 8, policy: seal, critical: true}\n',
  );
  const children = new Map([...(c.nodes.get(7)?.children ?? []), ...(c.nodes.get(8)?.children ?? [])]);
  assert.deepEqual(children?.get(0), { kind: 'lock', policy: 'refuse', pinLength: 4, critical: false, acceptPlain: false });
  assert.deepEqual(children?.get(1), { kind: 'relay', policy: 'seal', critical: false, acceptPlain: false });
  assert.deepEqual(children?.get(2), { kind: 'contact', policy: 'pass', critical: false, acceptPlain: false });
  assert.deepEqual(children?.get(3), { kind: 'sensor', policy: 'pass', critical: false, acceptPlain: false });
  assert.deepEqual(children?.get(4), { kind: 'lock', policy: 'seal', pinLength: 8, critical: true, acceptPlain: false });

  const bad: [string, string, RegExp][] = [
    ['{kind: relay, pinLength: 4}', 'nodes.7.children.1.pinLength', /only a lock has a PIN/],
    ['{kind: lock, pinLength: 9}', 'nodes.7.children.1.pinLength', /9 is not an integer 4-8/],
    ['{kind: lock, pinLength: 3}', 'nodes.7.children.1.pinLength', /3 is not an integer 4-8/],
    ['{kind: relay, policy: pass, critical: true}', 'nodes.7.children.1.critical', /needs policy seal/],
    ['{kind: lock, acceptPlain: true}', 'nodes.7.children.1.acceptPlain', /sealed reports only/],
    ['{kind: sensor, acceptPlain: 1}', 'nodes.7.children.1.acceptPlain', /true or false|boolean/],
    ['{kind: door}', 'nodes.7.children.1.kind', /"door" is not one of lock, relay, contact, sensor/],
    ['{policy: seal}', 'nodes.7.children.1.kind', /is missing/],
    ['{kind: relay, critical: yes}', 'nodes.7.children.1.critical', /"yes" is not true or false/],
  ];
  for (const [child, field, message] of bad) {
    const e = configError(() => fromText(`nodes:\n  7:\n    children:\n      1: ${child}\n`));
    assert.equal(e.detail.field, field, child);
    assert.match(e.message, message);
  }
  // One lock per node: the daemon sends lock commands to it, the node library drives one.
  const twoLocks = configError(() => fromText('nodes:\n  7:\n    children:\n      1: {kind: lock}\n      3: {kind: lock}\n'));
  assert.equal(twoLocks.detail.field, 'nodes.7.children');
  assert.match(twoLocks.message, /2 lock children \(1, 3\); a node has one lock/);
});

test('node and child ids: 0-254, canonical', () => {
  for (const [text, field] of [
    ['nodes: {255: {}}', 'nodes.255'],
    ['nodes: {"00": {}}', 'nodes.00'],
    ['nodes: {"05": {}}', 'nodes.05'],
    ['nodes: {front: {}}', 'nodes.front'],
    ['nodes: {5: {children: {255: {kind: lock}}}}', 'nodes.5.children.255'],
    ['nodes: {5: {children: {"-1": {kind: lock}}}}', 'nodes.5.children.-1'],
    ['nodes: [1, 2]', 'nodes'],
  ] as const) {
    const e = configError(() => fromText(text));
    assert.equal(e.detail.field, field, text);
  }
  // A number and the same number as a string name one node: refused rather than merged.
  assert.match(configError(() => fromText('nodes: {5: {}, "5": {}}')).message, /appears twice/);
  assert.equal(fromText('nodes: {254: {children: {0: {kind: sensor}}}}').nodes.get(254)?.children.size, 1);
  // Node 0: a lock in the gateway's own sketch.
  assert.equal(fromText('nodes: {0: {children: {1: {kind: lock}}}}').nodes.get(0)?.children.get(1)?.kind, 'lock');
});

test('gateway URLs: the three schemes, and what each refuses', () => {
  for (const url of [
    'tcp://192.168.1.50:5003',
    'tcp://gateway.local',
    'tcp://[fd00::5]:5003',
    'serial:///dev/ttyUSB0',
    'serial:///dev/ttyUSB0?baud=115200',
    'mqtt://broker:1883',
    'mqtt://broker?in=gw-in&out=gw-out',
  ]) {
    assert.equal(fromText(`gateway: "${url}"`).gateway?.url, url);
  }
  for (const [url, message] of [
    ['http://h:5003', /scheme "http" is not one of tcp, serial, mqtt, mqtts/],
    ['tcp://:5003', /not a valid tcp URL/],
    ['tcp://h:0', /port 0 is not 1-65535/],
    ['tcp://h:5003/x', /take no path/],
    ['tcp://h:5003?x=1', /query parameter "x" is not known/],
    ['tcp://h:5003#x', /fragment/],
    ['serial://dev/ttyUSB0', /three slashes/],
    ['serial:///', /device path is missing/],
    ['serial:///dev/ttyUSB0?baud=fast', /baud/],
    ['serial:///dev/ttyUSB0?speed=9600', /query parameter "speed" is not known/],
    ['mqtt://broker?in=a&in=b', /given 2 times/],
    ['mqtt://broker?in=a%2B', /not usable/],
    ['mqtt://broker?in=x&out=x', /prefixes are the same/],
    ['5003', /not a URL/],
  ] as const) {
    const e = configError(() => fromText(`gateway: "${url}"`));
    assert.equal(e.detail.field, 'gateway');
    assert.match(e.message, message, url);
  }
  assert.match(configError(() => fromText('gateway: 5003')).message, /5003 is not a URL/);
});

test('a password in the gateway URL is refused without being repeated', () => {
  const e = configError(() => fromText('gateway: mqtt://user:hunter2pass@broker:1883'));
  assert.equal(e.detail.field, 'gateway');
  assert.doesNotMatch(e.message, /hunter2pass/);
  assert.doesNotMatch(JSON.stringify(e.detail), /hunter2pass/);
});

test('listen addresses: IPv4, names, IPv6 in brackets', () => {
  assert.deepEqual(parseHostPort('[::1]:5003', 'listen'), { host: '::1', port: 5003 });
  assert.deepEqual(parseHostPort('localhost:1', 'listen'), { host: 'localhost', port: 1 });
  assert.equal(formatHostPort({ host: '::1', port: 5003 }), '[::1]:5003');
  assert.equal(formatHostPort(fromText('listen: "[::1]:5003"').listen), '[::1]:5003');
  for (const [text, message] of [
    ['::1:5003', /brackets/],
    ['127.0.0.1', /no port/],
    ['127.0.0.1:0', /port is not an integer 1-65535/],
    ['127.0.0.1:65536', /port is not an integer 1-65535/],
    ['[1.2.3.4]:5', /not an IPv6 address/],
    ['bad_host:5', /not an IP address or a host name/],
    ['[::1]5003', /not HOST:PORT/],
  ] as const) {
    const e = configError(() => fromText(`listen: "${text}"`));
    assert.equal(e.detail.field, 'listen');
    assert.match(e.message, message, text);
  }
});

test('loopback detection errs towards "reachable from the network"', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
    assert.equal(isLoopbackHost(h), true, h);
  }
  for (const h of ['0.0.0.0', '::', '192.168.1.5', 'fe80::1', '::2', '::ffff:10.0.0.1', 'myhost', '127.1', 'localhost.evil.com']) {
    assert.equal(isLoopbackHost(h), false, h);
  }
});

test('the HTTP API off loopback needs a token file, which a flag may supply', (t) => {
  const dir = tempDir(t);
  for (const listen of ['0.0.0.0:8080', '[::]:8080', '192.168.1.5:8080']) {
    const e = configError(() => fromText(`http: {listen: "${listen}"}`));
    assert.equal(e.detail.field, 'http.tokenFile');
    assert.match(e.message, /is required because http.listen .* is not a loopback address/);
  }
  // The flag for the address and the flag for the token file arrive together: neither alone decides.
  const env = isolatedEnv(dir, { MYSEAL_HTTP: '0.0.0.0:8080' });
  assert.throws(() => loadConfig(undefined, env, {}), (e) => isMySealError(e, ErrorCode.BAD_CONFIG));
  const c = loadConfig(undefined, env, { httpTokenFile: 'token' });
  assert.equal(c.http.tokenFile, join(process.cwd(), 'token'));
  assert.equal(c.http.listen.host, '0.0.0.0');
});

test('environment beats the file, flags beat both; errors name the variable or flag', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'myseal.yaml');
  writeFileSync(file, 'listen: 127.0.0.1:6001\nhttp: {listen: "127.0.0.1:7001"}\nlog: {level: warn}\nstateDir: st\n');
  const fromFile = loadConfig(file, {});
  assert.equal(fromFile.listen.port, 6001);
  assert.equal(fromFile.log.level, 'warn');
  // Relative paths in a file are relative to the file.
  assert.equal(fromFile.stateDir, join(dir, 'st'));

  const env = { MYSEAL_LISTEN: '127.0.0.1:6002', MYSEAL_LOG_LEVEL: 'debug', MYSEAL_HTTP: '127.0.0.1:7002', MYSEAL_STATE_DIR: '/srv/myseal' };
  const withEnv = loadConfig(file, env);
  assert.equal(withEnv.listen.port, 6002);
  assert.equal(withEnv.http.listen.port, 7002);
  assert.equal(withEnv.log.level, 'debug');
  assert.equal(withEnv.stateDir, '/srv/myseal');

  const withFlags = loadConfig(file, env, { listen: '127.0.0.1:6003', logLevel: 'error', stateDir: '/srv/other' });
  assert.equal(withFlags.listen.port, 6003);
  assert.equal(withFlags.http.listen.port, 7002);
  assert.equal(withFlags.log.level, 'error');
  assert.equal(withFlags.stateDir, '/srv/other');

  const e1 = configError(() => loadConfig(file, { MYSEAL_LOG_LEVEL: 'loud' }));
  assert.equal(e1.message, 'BAD_CONFIG: log.level (from MYSEAL_LOG_LEVEL): "loud" is not one of trace, debug, info, warn, error');
  const e2 = configError(() => loadConfig(file, {}, { listen: 'nowhere' }));
  assert.match(e2.message, /^BAD_CONFIG: listen \(from --listen\): "nowhere" has no port/);
  assert.equal(e2.detail.field, 'listen');
  // An empty variable is unset, as for the state dir.
  assert.equal(loadConfig(file, { MYSEAL_LISTEN: '' }).listen.port, 6001);
  assert.deepEqual(envOverrides({ MYSEAL_GATEWAY: 'tcp://h', OTHER: 'x', MYSEAL_LISTEN: '' }), { gateway: 'tcp://h' });
});

test('mergeConfig applies partial flags and checks the rules again', () => {
  const base = fromText('listen: 127.0.0.1:6001');
  const merged = mergeConfig(base, { gateway: 'serial:///dev/ttyACM0', logLevel: 'trace' });
  assert.equal(merged.gateway?.scheme, 'serial');
  assert.equal(merged.log.level, 'trace');
  assert.equal(merged.listen.port, 6001);
  assert.equal(base.gateway, undefined, 'the base is not changed');
  const e = configError(() => mergeConfig(base, { http: '10.0.0.1:8080' }));
  assert.equal(e.detail.field, 'http.tokenFile');
});

test('addresses that would loop or collide are refused', () => {
  // Both default to 5003: a gateway on this host must not be answered by MySeal itself.
  assert.equal(configError(() => fromText('gateway: tcp://127.0.0.1')).detail.field, 'listen');
  assert.equal(configError(() => fromText('listen: 127.0.0.1:7325')).detail.field, 'http.listen');
  assert.equal(configError(() => fromText('mqttProxy: {inPrefix: a, outPrefix: a}')).detail.field, 'mqttProxy.outPrefix');
  const e = configError(() => fromText('gateway: mqtt://broker?in=ctl-in\nmqttProxy: {inPrefix: ctl-in}'));
  assert.equal(e.detail.field, 'mqttProxy.inPrefix');
  assert.equal(
    configError(() => fromText('gateway: mqtt://broker\nmqttProxy: {outPrefix: mygateway1-out}')).detail.field,
    'mqttProxy.outPrefix',
  );
  assert.equal(fromText('gateway: mqtt://broker\nmqttProxy: {inPrefix: domoticz/in/MyMQTT}').mqttProxy.inPrefix, 'domoticz/in/MyMQTT');
});

test('controllers: an allow-list of addresses and networks; a broker for digit and result topics', () => {
  const c = fromText('controllers:\n  allow: [192.168.1.20, "10.0.0.0/8", "fd00::/8"]\n');
  assert.deepEqual(c.controllers.allow, [
    { address: '192.168.1.20', prefix: 32, family: 'ipv4' },
    { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
    { address: 'fd00::', prefix: 8, family: 'ipv6' },
  ]);
  assert.deepEqual(fromText('controllers: {allow: 127.0.0.2}').controllers.allow, [{ address: '127.0.0.2', prefix: 32, family: 'ipv4' }], 'one address alone');
  for (const [text, field, message] of [
    ['controllers: {allow: []}', 'controllers.allow', /empty list/],
    ['controllers: {allow: [controller.lan]}', 'controllers.allow.0', /not an IP address \(host names/],
    ['controllers: {allow: [10.0.0.1, "10.0.0.0/40"]}', 'controllers.allow.1', /prefix length 0-32/],
    ['controllers: {allowed: [10.0.0.1]}', 'controllers.allowed', /unknown setting/],
  ] as const) {
    const e = configError(() => fromText(text));
    assert.equal(e.detail.field, field, text);
    assert.match(e.message, message, text);
  }

  const withBroker = fromText(
    'gateway: tcp://192.168.1.50\ncontrollers: {mqtt: "mqtts://broker.lan", mqttCredentialsFile: /etc/myseal/mqtt-login, mqttCaFile: /etc/myseal/ca.pem}',
  );
  assert.deepEqual(withBroker.controllers.mqtt, { url: 'mqtts://broker.lan:8883', credentialsFile: '/etc/myseal/mqtt-login', caFile: '/etc/myseal/ca.pem' });
  assert.deepEqual(fromText('controllers: {mqtt: "mqtt://127.0.0.1"}').controllers.mqtt, { url: 'mqtt://127.0.0.1:1883', credentialsFile: undefined, caFile: undefined });
  for (const [text, field, message] of [
    ['controllers: {mqtt: "mqtt://user:hunter2pass@broker"}', 'controllers.mqtt', /user name or password/],
    ['controllers: {mqtt: "mqtt://broker?in=x"}', 'controllers.mqtt', /no query/],
    ['controllers: {mqtt: "tcp://broker"}', 'controllers.mqtt', /not an mqtt:/],
    ['controllers: {mqtt: "mqtt://broker:99999"}', 'controllers.mqtt', /not a valid mqtt URL/],
    ['controllers: {mqttCredentialsFile: x}', 'controllers.mqttCredentialsFile', /controllers.mqtt, which is not set/],
    ['controllers: {mqtt: "mqtt://broker", mqttCaFile: ca.pem}', 'controllers.mqttCaFile', /mqtts/],
    ['gateway: mqtt://broker\ncontrollers: {mqtt: "mqtt://other"}', 'controllers.mqtt', /tcp or serial gateway/],
  ] as const) {
    const e = configError(() => fromText(text));
    assert.equal(e.detail.field, field, text);
    assert.match(e.message, message, text);
    assert.doesNotMatch(e.message, /hunter2pass/);
  }
});

test("the gateway broker's login file and CA file: from the file, the environment or flags; only for an MQTT gateway", (t) => {
  const dir = tempDir(t);
  const c = fromText('gateway: "mqtts://broker.lan?in=gw-in&out=gw-out"\nmqttCredentialsFile: /etc/myseal/mqtt-login\nmqttCaFile: /etc/myseal/ca.pem');
  assert.equal(c.mqttCredentialsFile, '/etc/myseal/mqtt-login');
  assert.equal(c.mqttCaFile, '/etc/myseal/ca.pem');
  const env = isolatedEnv(dir, { MYSEAL_GATEWAY: 'mqtt://broker', MYSEAL_MQTT_CREDENTIALS_FILE: 'login' });
  assert.equal(loadConfig(undefined, env).mqttCredentialsFile, join(process.cwd(), 'login'));
  assert.equal(loadConfig(undefined, env, { mqttCredentialsFile: '/x/login' }).mqttCredentialsFile, '/x/login');
  for (const [text, field, message] of [
    ['gateway: tcp://192.168.1.50\nmqttCredentialsFile: /x', 'mqttCredentialsFile', /mqtt:\/\/ or mqtts:\/\/ gateway; this gateway is tcp/],
    ['gateway: serial:///dev/ttyUSB0\nmqttCaFile: /x', 'mqttCaFile', /this gateway is serial/],
    ['gateway: mqtt://broker\nmqttCaFile: /x', 'mqttCaFile', /mqtts:\/\/ gateway \(TLS\)/],
  ] as const) {
    const e = configError(() => fromText(text));
    assert.equal(e.detail.field, field, text);
    assert.match(e.message, message, text);
  }
  const e = configError(() => loadConfig(undefined, isolatedEnv(dir, { MYSEAL_GATEWAY: 'tcp://h' }), { mqttCaFile: 'ca.pem' }));
  assert.match(e.message, /^BAD_CONFIG: mqttCaFile: is for an mqtt/);
});

test('pinEntry and log limits', () => {
  assert.deepEqual(fromText("pinEntry: {digitTimeoutMs: 5000, submitKey: 'A', clearKey: 'C'}").pinEntry, {
    digitTimeoutMs: 5000,
    submitKey: 'A',
    clearKey: 'C',
  });
  for (const [text, field] of [
    ["pinEntry: {submitKey: '5'}", 'pinEntry.submitKey'],
    ["pinEntry: {submitKey: '##'}", 'pinEntry.submitKey'],
    ["pinEntry: {clearKey: '#'}", 'pinEntry.clearKey'],
    ['pinEntry: {digitTimeoutMs: 10}', 'pinEntry.digitTimeoutMs'],
    ['pinEntry: {digitTimeoutMs: 1.5e3}', undefined],
    ['log: {auditMaxBytes: 100}', 'log.auditMaxBytes'],
    ['log: {auditKeep: 0}', 'log.auditKeep'],
    ['http: {rateLimitPerMinute: 0}', 'http.rateLimitPerMinute'],
    ['http: {rateLimitPerMinute: 2.5}', 'http.rateLimitPerMinute'],
    ['stateDir: 5', 'stateDir'],
    ['stateDir: ""', 'stateDir'],
    ['nodes: {5: {name: ""}}', 'nodes.5.name'],
    ['nodes: {5: {legacyEcb: 1}}', 'nodes.5.legacyEcb'],
  ] as const) {
    if (field === undefined) {
      assert.equal(fromText(text).pinEntry.digitTimeoutMs, 1500);
      continue;
    }
    assert.equal(configError(() => fromText(text)).detail.field, field, text);
  }
});

test('YAML problems are reported by code and line, never by quoting the text', () => {
  for (const [text, code] of [
    ['listen: a\nlisten: b\n', 'DUPLICATE_KEY'],
    ['x: !custom 1\n', 'TAG_RESOLVE_FAILED'],
    ['a: 1\n---\nb: 2\n', 'MULTIPLE_DOCS'],
    ['gateway: "unterminated s3cr3t\n', 'MISSING_CHAR'],
  ] as const) {
    const e = configError(() => fromText(text));
    assert.equal(e.detail.field, '(file)');
    assert.match(e.message, new RegExp(code));
    assert.match(e.message, /at line \d+/);
    assert.doesNotMatch(e.message, /s3cr3t/);
  }
  // A billion-laughs document is refused instead of expanding.
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
    .concat(['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`))
    .join('\n');
  assert.equal(configError(() => fromText(bomb)).code, ErrorCode.BAD_CONFIG);
  assert.equal(configError(() => fromText('- 1\n- 2\n')).detail.field, '(top level)');
  // An empty file, or one holding only comments, is all defaults.
  assert.equal(fromText('# nothing\n').listen.port, 5003);
});

test('the config file: a named file must be readable; the default may be absent', (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'nope.yaml');
  const e = configError(() => loadConfig(missing, {}));
  assert.equal(e.code, ErrorCode.CONFIG_UNREADABLE);
  assert.match(e.message, /nope\.yaml does not exist/);
  assert.equal(e.detail.file, missing);
  assert.match(configError(() => loadConfig(dir, {})).message, /is a directory/);

  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.yaml');
    writeFileSync(locked, 'listen: 127.0.0.1:1\n');
    chmodSync(locked, 0o000);
    assert.match(configError(() => loadConfig(locked, {})).message, /locked\.yaml cannot be read \(EACCES\)/);
  }

  const env = isolatedEnv(dir);
  assert.equal(defaultConfigPath(env), join(dir, 'config', 'myseal', 'config.yaml'));
  assert.equal(loadConfig(undefined, env).file, undefined);
  mkdirSync(join(dir, 'config', 'myseal'), { recursive: true });
  writeFileSync(defaultConfigPath(env), 'listen: 127.0.0.1:5999\n');
  const c = loadConfig(undefined, env);
  assert.equal(c.listen.port, 5999);
  assert.equal(c.file, defaultConfigPath(env));
  // A broken default file is an error too, naming the file.
  writeFileSync(defaultConfigPath(env), 'listen: 1\n');
  assert.equal(configError(() => loadConfig(undefined, env)).detail.file, defaultConfigPath(env));
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), '/home/u/.config/myseal/config.yaml');
});

test('documents built in code: plain objects and Maps are both accepted', () => {
  const c = configFromDocument(
    { nodes: { 5: { children: new Map<unknown, unknown>([[1, { kind: 'lock' }]]) } } },
    { env: { XDG_STATE_HOME: '/tmp/s' } },
  );
  assert.equal(c.nodes.get(5)?.children.get(1)?.kind, 'lock');
  assert.equal(
    configError(() => configFromDocument(new Map<unknown, unknown>([[true, 1]]), { env: {} })).detail.field,
    '(top level)',
  );
});
