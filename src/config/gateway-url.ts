/**
 * The gateway URL's scheme and basic shape. Only what can be judged without opening anything: the
 * transports parse the details (baud rate, topics, default ports) when they connect.
 *
 *   tcp://HOST[:PORT]                                  (port default 5003)
 *   serial:///dev/PATH[?baud=115200]
 *   mqtt://HOST[:PORT][?in=mygateway1-in&out=mygateway1-out]
 */
import { badConfig, show } from './fields.ts';
import type { Origin } from './fields.ts';
import { GATEWAY_SCHEMES } from './types.ts';
import type { GatewayConfig, GatewayScheme } from './types.ts';

export const DEFAULT_TCP_PORT = 5003;
export const DEFAULT_GATEWAY_IN_PREFIX = 'mygateway1-in';
export const DEFAULT_GATEWAY_OUT_PREFIX = 'mygateway1-out';

const FORMS = 'tcp://HOST:PORT, serial:///dev/PATH?baud=115200 or mqtt://HOST:PORT?in=PREFIX&out=PREFIX';

export function parseGatewayUrl(value: unknown, field: string, origin: Origin = {}): GatewayConfig {
  if (typeof value !== 'string' || value === '') throw badConfig(field, `${show(value)} is not a URL (${FORMS})`, origin);
  // Credentials are checked before anything echoes the value: a URL holding a password must not
  // have it repeated into an error message (and from there into a log).
  if (/^[a-z]+:\/\/[^/?#]*@/i.test(value)) {
    throw badConfig(
      field,
      'a user name or password in the gateway URL is not allowed: it would show in process lists and logs',
      origin,
    );
  }
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === undefined || !(GATEWAY_SCHEMES as readonly string[]).includes(scheme)) {
    throw badConfig(field, `${show(value)} does not start with tcp://, serial:// or mqtt:// (lower case)`, origin);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badConfig(field, `${show(value)} is not a valid URL (${FORMS})`, origin);
  }
  if (url.hash !== '') throw badConfig(field, `${show(value)}: a gateway URL has no #fragment`, origin);
  const s = scheme as GatewayScheme;
  if (s === 'serial') checkSerial(url, value, field, origin);
  else checkNetwork(url, s, value, field, origin);
  return { url: value, scheme: s };
}

function checkNetwork(url: URL, scheme: 'tcp' | 'mqtt', value: string, field: string, origin: Origin): void {
  if (url.hostname === '') throw badConfig(field, `${show(value)} names no host`, origin);
  if (url.port === '0') throw badConfig(field, `${show(value)}: port 0 is not a port to connect to`, origin);
  if (url.pathname !== '' && url.pathname !== '/') {
    throw badConfig(field, `${show(value)}: a ${scheme} gateway URL has no path`, origin);
  }
  if (scheme === 'tcp') {
    if (url.search !== '') throw badConfig(field, `${show(value)}: a tcp gateway URL takes no ?options`, origin);
    return;
  }
  const params = checkParams(url, ['in', 'out'], value, field, origin);
  const inPrefix = params.get('in') ?? DEFAULT_GATEWAY_IN_PREFIX;
  const outPrefix = params.get('out') ?? DEFAULT_GATEWAY_OUT_PREFIX;
  checkTopicPrefix(inPrefix, field, origin, 'in=');
  checkTopicPrefix(outPrefix, field, origin, 'out=');
  if (inPrefix === outPrefix) throw badConfig(field, `${show(value)}: in and out must be different prefixes`, origin);
}

function checkSerial(url: URL, value: string, field: string, origin: Origin): void {
  if (url.hostname !== '' || url.port !== '') {
    throw badConfig(field, `${show(value)}: a serial URL has three slashes and a device path, e.g. serial:///dev/ttyUSB0`, origin);
  }
  if (url.pathname.length < 2 || url.pathname.endsWith('/')) {
    throw badConfig(field, `${show(value)} names no serial device`, origin);
  }
  const params = checkParams(url, ['baud'], value, field, origin);
  const baud = params.get('baud');
  if (baud !== undefined && (!/^[1-9][0-9]{2,7}$/.test(baud) || Number(baud) > 4_000_000)) {
    throw badConfig(field, `${show(value)}: baud is not a rate like 115200`, origin);
  }
}

/** Known query parameters, each at most once; anything else is a typo to report, not to ignore. */
function checkParams(url: URL, allowed: readonly string[], value: string, field: string, origin: Origin): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, v] of url.searchParams) {
    if (!allowed.includes(name)) {
      throw badConfig(field, `${show(value)}: unknown option ${show(name)} (expected ${allowed.join(', ')})`, origin);
    }
    if (out.has(name)) throw badConfig(field, `${show(value)}: option ${show(name)} given twice`, origin);
    out.set(name, v);
  }
  return out;
}

/** The MQTT in/out prefixes of an mqtt:// gateway URL (defaults applied); undefined for other schemes. */
export function gatewayTopicPrefixes(gateway: GatewayConfig): { inPrefix: string; outPrefix: string } | undefined {
  if (gateway.scheme !== 'mqtt') return undefined;
  const params = new URL(gateway.url).searchParams;
  return {
    inPrefix: params.get('in') ?? DEFAULT_GATEWAY_IN_PREFIX,
    outPrefix: params.get('out') ?? DEFAULT_GATEWAY_OUT_PREFIX,
  };
}

/**
 * An MQTT topic prefix: levels separated by '/', none empty, no wildcards (a prefix is published
 * to, and '+' or '#' there would be a subscription pattern), no leading '$' (broker-reserved).
 */
export function checkTopicPrefix(prefix: string, field: string, origin: Origin, label = ''): void {
  const ok =
    prefix.length > 0 &&
    prefix.length <= 100 &&
    !/[+#\p{Cc}\s]/u.test(prefix) &&
    !prefix.startsWith('$') &&
    prefix.split('/').every((level) => level !== '');
  if (!ok) {
    throw badConfig(
      field,
      `${label}${show(prefix)} is not an MQTT topic prefix (levels separated by '/', none empty, no '+', '#', spaces or leading '$')`,
      origin,
    );
  }
}
