/**
 * Gateway addresses as the configuration writes them, and the transport each one needs:
 *
 *   tcp://HOST[:PORT]                       Ethernet gateway (port 5003 by default)
 *   serial:///dev/ttyUSB0[?baud=115200]     serial gateway
 *   mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT][?in=PREFIX&out=PREFIX&client=ID]   MQTT gateway via a broker
 *
 * IPv6 literals go in brackets (tcp://[::1]:5003). Errors name the part that is wrong and never
 * repeat the URL, which may hold a password.
 */
import net from 'node:net';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX, prefixProblem } from '../core/mysensors/mqtt-prefix.ts';
import { describeValue } from '../core/mysensors/text.ts';
import { toHex } from '../core/bytes.ts';
import { DEFAULT_BAUD_RATE, DEFAULT_TCP_PORT } from './defaults.ts';

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;
/** Above any UART a MySensors gateway can drive; anything higher is a typo. */
const MAX_BAUD_RATE = 4_000_000;

export interface TcpGatewayConfig {
  kind: 'tcp';
  /** Without brackets, ready for net.connect. */
  host: string;
  port: number;
}

export interface SerialGatewayConfig {
  kind: 'serial';
  path: string;
  baudRate: number;
}

export interface MqttGatewayConfig {
  kind: 'mqtt';
  /** mqtt://host:port or mqtts://host:port: no credentials, no query. */
  url: string;
  inPrefix: string;
  outPrefix: string;
  clientId: string;
  username?: string;
  password?: string;
}

export type GatewayConfig = TcpGatewayConfig | SerialGatewayConfig | MqttGatewayConfig;

function bad(message: string, part: string): MySealError {
  return new MySealError(ErrorCode.BAD_CONFIG, `gateway URL: ${message}`, { part });
}

/** host:port for logs and URLs, with IPv6 literals in brackets. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** URL() spells an IPv6 host with brackets; sockets want it without. */
function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function parsePort(u: URL, fallback: number): number {
  if (u.port === '') return fallback;
  const port = Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw bad(`port ${u.port} is not 1-65535`, 'port');
  return port;
}

function requireHost(u: URL): string {
  const host = unbracket(u.hostname);
  if (host === '') throw bad('the host is missing', 'host');
  // Hosts of non-special schemes come back percent-encoded rather than refused: refuse them here.
  if (!net.isIP(host) && !/^[A-Za-z0-9._-]+$/.test(host)) throw bad(`host ${describeValue(host)} is not a host name or IP address`, 'host');
  return host;
}

function refuseExtras(u: URL, allowed: readonly string[]): void {
  if (u.hash !== '') throw bad('a #fragment has no meaning here', 'fragment');
  for (const key of u.searchParams.keys()) {
    if (!allowed.includes(key)) {
      const known = allowed.length > 0 ? `; known: ${allowed.join(', ')}` : '';
      throw bad(`query parameter ${describeValue(key)} is not known${known}`, 'query');
    }
  }
}

function single(u: URL, key: string): string | undefined {
  const values = u.searchParams.getAll(key);
  if (values.length > 1) throw bad(`query parameter ${key} is given ${values.length} times`, 'query');
  return values[0];
}

function parseTcp(u: URL): TcpGatewayConfig {
  if (u.username !== '' || u.password !== '') throw bad('tcp gateways take no user or password', 'userinfo');
  if (u.pathname !== '' && u.pathname !== '/') throw bad('tcp gateways take no path', 'path');
  refuseExtras(u, []);
  return { kind: 'tcp', host: requireHost(u), port: parsePort(u, DEFAULT_TCP_PORT) };
}

function parseSerial(u: URL): SerialGatewayConfig {
  if (u.host !== '') throw bad('serial URLs have no host: write serial:///dev/ttyUSB0 (three slashes)', 'host');
  refuseExtras(u, ['baud']);
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    throw bad('the device path is not valid percent-encoding', 'path');
  }
  if (path === '' || path === '/') throw bad('the device path is missing', 'path');
  const baudText = single(u, 'baud');
  let baudRate = DEFAULT_BAUD_RATE;
  if (baudText !== undefined) {
    baudRate = /^[0-9]{1,7}$/.test(baudText) ? Number(baudText) : NaN;
    if (!(baudRate >= 1 && baudRate <= MAX_BAUD_RATE)) {
      throw bad(`baud ${describeValue(baudText)} is not a rate of 1-${MAX_BAUD_RATE}`, 'baud');
    }
  }
  return { kind: 'serial', path, baudRate };
}

/** A prefix as the topic codec accepts it (no wildcards, no trailing '/', no control characters). */
function checkPrefix(prefix: string, which: 'in' | 'out'): string {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) throw bad(`${which} prefix ${describeValue(prefix)} is not usable (topic prefix ${problem})`, which);
  return prefix;
}

function parseMqtt(u: URL): MqttGatewayConfig {
  if (u.pathname !== '' && u.pathname !== '/') throw bad('mqtt URLs take no path; prefixes go in ?in= and ?out=', 'path');
  refuseExtras(u, ['in', 'out', 'client']);
  const host = requireHost(u);
  const secure = u.protocol === 'mqtts:';
  const port = parsePort(u, secure ? DEFAULT_MQTTS_PORT : DEFAULT_MQTT_PORT);
  const inPrefix = checkPrefix(single(u, 'in') ?? MQTT_DEFAULT_IN_PREFIX, 'in');
  const outPrefix = checkPrefix(single(u, 'out') ?? MQTT_DEFAULT_OUT_PREFIX, 'out');
  if (inPrefix === outPrefix) {
    // MySeal would read its own commands back as if the gateway had sent them.
    throw bad('the in and out prefixes are the same', 'in');
  }
  // Web Crypto's global, not node:crypto: loading that module would slow every command that reads the configuration.
  const clientId = single(u, 'client') ?? `myseal-${toHex(crypto.getRandomValues(new Uint8Array(4)))}`;
  if (clientId === '' || clientId.length > 128 || /\p{Cc}/u.test(clientId)) {
    throw bad('client id must be 1-128 characters without control characters', 'client');
  }
  const config: MqttGatewayConfig = {
    kind: 'mqtt',
    url: `${u.protocol}//${hostPort(host, port)}`,
    inPrefix,
    outPrefix,
    clientId,
  };
  if (u.username !== '') config.username = decodeURIComponent(u.username);
  if (u.password !== '') config.password = decodeURIComponent(u.password);
  return config;
}

/** Reads a gateway URL. Throws MySealError(BAD_CONFIG) naming the part that is wrong. */
export function parseGatewayUrl(url: string): GatewayConfig {
  if (typeof url !== 'string' || url.trim() === '') throw bad('empty', 'url');
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    // URL() refuses a bad IPv6 literal or a port above 65535 in the same breath; say which scheme
    // we saw, if any, and nothing else of the text.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
    throw bad(scheme ? `not a valid ${scheme.toLowerCase()} URL (host or port malformed?)` : 'not a URL', 'url');
  }
  switch (u.protocol) {
    case 'tcp:':
      return parseTcp(u);
    case 'serial:':
      return parseSerial(u);
    case 'mqtt:':
    case 'mqtts:':
      return parseMqtt(u);
    default:
      throw bad(`scheme ${describeValue(u.protocol.slice(0, -1))} is not one of tcp, serial, mqtt, mqtts`, 'scheme');
  }
}
