/**
 * The configuration document (parsed YAML or JSON, or an object built in code) checked field by
 * field by hand, defaults applied. Every refusal is BAD_CONFIG naming the field path and the value:
 * `nodes.5.children.1.policy: "open" is not one of seal, refuse, pass`.
 *
 * Checks that involve several fields (a token off loopback, clashing ports) are in rules.ts and run
 * after the environment and the flags have been applied, since either may settle them.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  Section,
  badConfig,
  join,
  mapEntries,
  readBoolean,
  readChoice,
  readIdKey,
  readInteger,
  readString,
  show,
} from './fields.ts';
import type { Origin } from './fields.ts';
import { parseAddressRange } from './address-range.ts';
import type { AddressRange } from './address-range.ts';
import { checkTopicPrefix, parseBrokerUrl, readGatewayField } from './gateway-url.ts';
import { parseHostPort } from './host-port.ts';
import { CHILD_KINDS, LOG_LEVELS, POLICIES } from './types.ts';
import { MAX_NODE_ID, MIN_NODE_ID } from '../core/protocol/node-id.ts';
import type { ChildConfig, ChildKind, Config, NodeConfig, Policy, TlsFiles } from './types.ts';

export const DEFAULTS = {
  listen: '127.0.0.1:5003',
  mqttInPrefix: 'myseal-in',
  mqttOutPrefix: 'myseal-out',
  // 7325 spells SEAL on a phone keypad; no common home-automation service uses it (Domoticz and openHAB hold 8080).
  httpListen: '127.0.0.1:7325',
  rateLimitPerMinute: 10,
  digitTimeoutMs: 10_000,
  submitKey: '#',
  clearKey: '*',
  pinLength: 4,
  logLevel: 'info',
  auditMaxBytes: 1024 * 1024,
  auditKeep: 5,
  discoveryPrefix: 'homeassistant',
} as const;

/** Child 255 is the node itself. */
export const MAX_CHILD = 254;

const TOP = [
  'gateway',
  'listen',
  'mqttProxy',
  'mqttCredentialsFile',
  'mqttCaFile',
  'controllers',
  'http',
  'stateDir',
  'pinEntry',
  'nodes',
  'log',
  'homeAssistant',
] as const;

export interface DocumentContext {
  origin: Origin;
  /** Relative paths in the document are resolved against this (the config file's directory). */
  baseDir: string;
  /** Used when the document names no stateDir. */
  defaultStateDir: string;
}

/** A whole document to a Config. `null` (an empty file) is an empty document: all defaults. */
export function documentToConfig(doc: unknown, ctx: DocumentContext): Config {
  const { origin } = ctx;
  const top = new Section(doc === null || doc === undefined ? {} : doc, '', TOP, origin);

  const gatewayValue = top.take('gateway');
  const gateway = gatewayValue === undefined ? undefined : readGatewayField(gatewayValue, 'gateway', origin);
  const listen = parseHostPort(top.take('listen') ?? DEFAULTS.listen, 'listen', origin);

  const proxy = new Section(top.take('mqttProxy') ?? {}, 'mqttProxy', ['inPrefix', 'outPrefix'], origin);
  const inPrefix = readString(proxy.take('inPrefix') ?? DEFAULTS.mqttInPrefix, proxy.field('inPrefix'), origin, 100);
  checkTopicPrefix(inPrefix, proxy.field('inPrefix'), origin);
  const outPrefix = readString(proxy.take('outPrefix') ?? DEFAULTS.mqttOutPrefix, proxy.field('outPrefix'), origin, 100);
  checkTopicPrefix(outPrefix, proxy.field('outPrefix'), origin);

  const optionalPath = (value: unknown, field: string): string | undefined => (value === undefined ? undefined : readPath(value, field, ctx));
  const mqttCredentialsFile = optionalPath(top.take('mqttCredentialsFile'), 'mqttCredentialsFile');
  const mqttCaFile = optionalPath(top.take('mqttCaFile'), 'mqttCaFile');
  const controllers = readControllers(top.take('controllers'), ctx);

  const http = new Section(top.take('http') ?? {}, 'http', ['listen', 'tokenFile', 'rateLimitPerMinute', 'tls'], origin);
  const tokenFileValue = http.take('tokenFile');
  const tlsValue = http.take('tls');
  const httpConfig = {
    listen: parseHostPort(http.take('listen') ?? DEFAULTS.httpListen, http.field('listen'), origin),
    tokenFile: tokenFileValue === undefined ? undefined : readPath(tokenFileValue, http.field('tokenFile'), ctx),
    rateLimitPerMinute: readInteger(
      http.take('rateLimitPerMinute') ?? DEFAULTS.rateLimitPerMinute,
      http.field('rateLimitPerMinute'),
      1,
      600,
      origin,
    ),
    ...(tlsValue === undefined ? {} : { tls: readTls(tlsValue, http.field('tls'), ctx) }),
  };

  const stateDirValue = top.take('stateDir');
  const stateDir = stateDirValue === undefined ? ctx.defaultStateDir : readPath(stateDirValue, 'stateDir', ctx);

  const log = new Section(top.take('log') ?? {}, 'log', ['level', 'auditMaxBytes', 'auditKeep'], origin);
  const logConfig = {
    level: readChoice(log.take('level') ?? DEFAULTS.logLevel, log.field('level'), LOG_LEVELS, origin),
    // At least 4 KiB so that one line always fits; at most 1 GiB.
    auditMaxBytes: readInteger(log.take('auditMaxBytes') ?? DEFAULTS.auditMaxBytes, log.field('auditMaxBytes'), 4096, 1024 ** 3, origin),
    // At least one old file: rotation must never simply throw the audit trail away.
    auditKeep: readInteger(log.take('auditKeep') ?? DEFAULTS.auditKeep, log.field('auditKeep'), 1, 100, origin),
  };

  const ha = new Section(top.take('homeAssistant') ?? {}, 'homeAssistant', ['discovery', 'prefix'], origin);
  const discoveryPrefix = readString(ha.take('prefix') ?? DEFAULTS.discoveryPrefix, ha.field('prefix'), origin, 100);
  checkTopicPrefix(discoveryPrefix, ha.field('prefix'), origin);
  const homeAssistant = { discovery: readBoolean(ha.take('discovery') ?? true, ha.field('discovery'), origin), prefix: discoveryPrefix };

  return {
    gateway,
    listen,
    mqttProxy: { inPrefix, outPrefix },
    mqttCredentialsFile,
    mqttCaFile,
    controllers,
    http: httpConfig,
    stateDir,
    pinEntry: readPinEntry(top.take('pinEntry'), origin),
    nodes: readNodes(top.take('nodes'), origin),
    log: logConfig,
    homeAssistant,
    file: origin.file,
  };
}

function readControllers(value: unknown, ctx: DocumentContext): Config['controllers'] {
  const { origin } = ctx;
  const s = new Section(value ?? {}, 'controllers', ['allow', 'mqtt', 'mqttCredentialsFile', 'mqttCaFile'], origin);
  const allowValue = s.take('allow');
  let allow: AddressRange[] | undefined;
  if (allowValue !== undefined) {
    const field = s.field('allow');
    // One address alone is a list of one, as it reads.
    const items = Array.isArray(allowValue) ? (allowValue as unknown[]) : [allowValue];
    if (items.length === 0) throw badConfig(field, 'is an empty list (leave it out for the default: loopback clients only)', origin);
    if (items.length > 256) throw badConfig(field, 'has more than 256 entries (use networks: 192.168.1.0/24)', origin);
    allow = items.map((item, i) => {
      const range = parseAddressRange(item);
      if (!range.ok) throw badConfig(`${field}.${i}`, range.error.reason, origin);
      return range.value;
    });
  }
  const urlValue = s.take('mqtt');
  const credentials = s.take('mqttCredentialsFile');
  const ca = s.take('mqttCaFile');
  if (urlValue === undefined) {
    for (const [name, v] of [['mqttCredentialsFile', credentials], ['mqttCaFile', ca]] as const) {
      if (v !== undefined) throw badConfig(s.field(name), 'is for controllers.mqtt, which is not set', origin);
    }
    return { allow, mqtt: undefined };
  }
  const url = parseBrokerUrl(urlValue, s.field('mqtt'), origin);
  const caFile = ca === undefined ? undefined : readPath(ca, s.field('mqttCaFile'), ctx);
  if (caFile !== undefined && !url.startsWith('mqtts:')) throw badConfig(s.field('mqttCaFile'), 'is for an mqtts:// broker; controllers.mqtt is mqtt://', origin);
  return {
    allow,
    mqtt: { url, credentialsFile: credentials === undefined ? undefined : readPath(credentials, s.field('mqttCredentialsFile'), ctx), caFile },
  };
}

function readPinEntry(value: unknown, origin: Origin): Config['pinEntry'] {
  const s = new Section(value ?? {}, 'pinEntry', ['digitTimeoutMs', 'submitKey', 'clearKey'], origin);
  const digitTimeoutMs = readInteger(s.take('digitTimeoutMs') ?? DEFAULTS.digitTimeoutMs, s.field('digitTimeoutMs'), 1000, 120_000, origin);
  const submitKey = readKeyChar(s.take('submitKey') ?? DEFAULTS.submitKey, s.field('submitKey'), origin);
  const clearKey = readKeyChar(s.take('clearKey') ?? DEFAULTS.clearKey, s.field('clearKey'), origin);
  if (submitKey === clearKey) {
    throw badConfig(s.field('clearKey'), `${show(clearKey)} is also the submitKey; they must differ`, origin);
  }
  return { digitTimeoutMs, submitKey, clearKey };
}

/** One printable, non-digit character: a digit there could never be typed as part of a PIN. */
function readKeyChar(value: unknown, field: string, origin: Origin): string {
  // YAML reads an unquoted `#` as a comment and `*` as an alias; a number is a likely slip too.
  if (typeof value !== 'string' || !/^[\x21-\x7e]$/.test(value) || /[0-9]/.test(value)) {
    throw badConfig(field, `${show(value)} is not one printable character other than a digit (quote it: '#')`, origin);
  }
  return value;
}

function readNodes(value: unknown, origin: Origin): ReadonlyMap<number, NodeConfig> {
  const nodes = new Map<number, NodeConfig>();
  if (value === undefined) return nodes;
  const entries = mapEntries(value, 'nodes', origin);
  if (entries === undefined) throw badConfig('nodes', `${show(value)} is not a map of node id to node`, origin);
  for (const [key, raw] of entries) {
    const path = join('nodes', key);
    const id = readIdKey(key, path, MIN_NODE_ID, MAX_NODE_ID, 'node', origin);
    if (nodes.has(id)) throw badConfig(path, `node ${id} appears twice`, origin);
    nodes.set(id, readNode(raw, path, origin));
  }
  return nodes;
}

function readNode(value: unknown, path: string, origin: Origin): NodeConfig {
  const s = new Section(value ?? {}, path, ['name', 'children', 'legacyEcb', 'allowFirmwareUpdate'], origin);
  const name = s.take('name');
  const childrenValue = s.take('children');
  const children = new Map<number, ChildConfig>();
  if (childrenValue !== undefined) {
    const field = s.field('children');
    const entries = mapEntries(childrenValue, field, origin);
    if (entries === undefined) throw badConfig(field, `${show(childrenValue)} is not a map of child id to child`, origin);
    for (const [key, raw] of entries) {
      const childPath = join(field, key);
      const id = readIdKey(key, childPath, 0, MAX_CHILD, 'child', origin);
      if (children.has(id)) throw badConfig(childPath, `child ${id} appears twice`, origin);
      children.set(id, readChild(raw, childPath, origin));
    }
    // The node library drives one lock, and the daemon sends lock commands to one child.
    const locks = [...children].filter(([, c]) => c.kind === 'lock').map(([id]) => id);
    if (locks.length > 1) throw badConfig(field, `has ${locks.length} lock children (${locks.join(', ')}); a node has one lock`, origin);
  }
  const legacy = s.take('legacyEcb');
  const firmware = s.take('allowFirmwareUpdate');
  return {
    ...(name === undefined ? {} : { name: readString(name, s.field('name'), origin, 64) }),
    children,
    legacyEcb: legacy === undefined ? false : readBoolean(legacy, s.field('legacyEcb'), origin),
    allowFirmwareUpdate: firmware === undefined ? false : readBoolean(firmware, s.field('allowFirmwareUpdate'), origin),
  };
}

const DEFAULT_POLICY: Readonly<Record<ChildKind, Policy>> = { lock: 'refuse', relay: 'seal', contact: 'pass', sensor: 'pass' };

function readChild(value: unknown, path: string, origin: Origin): ChildConfig {
  const s = new Section(value ?? {}, path, ['kind', 'policy', 'pinLength', 'critical', 'acceptPlain'], origin);
  const kindValue = s.take('kind');
  if (kindValue === undefined) throw badConfig(s.field('kind'), `is missing (one of ${CHILD_KINDS.join(', ')})`, origin);
  const kind = readChoice(kindValue, s.field('kind'), CHILD_KINDS, origin);
  const policyValue = s.take('policy');
  const policy = policyValue === undefined ? DEFAULT_POLICY[kind] : readChoice(policyValue, s.field('policy'), POLICIES, origin);
  const pinValue = s.take('pinLength');
  if (pinValue !== undefined && kind !== 'lock') {
    throw badConfig(s.field('pinLength'), `only a lock has a PIN; this child is a ${kind}`, origin);
  }
  const criticalValue = s.take('critical');
  const critical = criticalValue === undefined ? false : readBoolean(criticalValue, s.field('critical'), origin);
  if (critical && policy !== 'seal') {
    // A challenge protects a sealed frame; on a refused or passed child the flag would promise a
    // protection that does not exist.
    throw badConfig(s.field('critical'), `true needs policy seal (this child's policy is ${policy})`, origin);
  }
  const plainValue = s.take('acceptPlain');
  const acceptPlain = plainValue === undefined ? false : readBoolean(plainValue, s.field('acceptPlain'), origin);
  if (acceptPlain && kind === 'lock') {
    // A lock's state from a plain line is exactly the forgery sealing exists to stop.
    throw badConfig(s.field('acceptPlain'), 'a lock takes its state from sealed reports only', origin);
  }
  return {
    kind,
    policy,
    ...(kind === 'lock' ? { pinLength: readInteger(pinValue ?? DEFAULTS.pinLength, s.field('pinLength'), 4, 8, origin) } : {}),
    critical,
    acceptPlain,
  };
}

/** http.tls: both files, or no TLS at all. */
function readTls(value: unknown, path: string, ctx: DocumentContext): TlsFiles {
  const s = new Section(value, path, ['cert', 'key'], ctx.origin);
  const cert = s.take('cert');
  const key = s.take('key');
  if (cert === undefined) throw badConfig(s.field('cert'), 'is missing (the certificate file, PEM)', ctx.origin);
  if (key === undefined) throw badConfig(s.field('key'), 'is missing (the private key file, PEM, mode 0600)', ctx.origin);
  return { cert: readPath(cert, s.field('cert'), ctx), key: readPath(key, s.field('key'), ctx) };
}

/** A path setting: text, made absolute against the file's directory (or the working directory). */
export function readPath(value: unknown, field: string, ctx: { origin: Origin; baseDir: string }): string {
  const text = readString(value, field, ctx.origin, 4096);
  return isAbsolute(text) ? resolve(text) : resolve(ctx.baseDir, text);
}
