/**
 * The gateway URL in the configuration, read by the one gateway URL parser (src/gateway/parse-url.ts)
 * so that what the config accepts is exactly what `serve` can connect to:
 *
 *   tcp://HOST[:PORT]                                  (port default 5003)
 *   serial:///dev/PATH[?baud=115200]
 *   mqtt://HOST[:PORT][?in=mygateway1-in&out=mygateway1-out]   (or mqtts://)
 *
 * One rule is the config's own: no user name or password in the URL, which would show in process
 * lists (--gateway, $MYSEAL_GATEWAY) and could be repeated into logs. A broker's login goes in a
 * private file instead (mqttCredentialsFile, config/mqtt-credentials.ts).
 */
import { isMySealError } from '../core/errors.ts';
import { parseGatewayUrl } from '../gateway/parse-url.ts';
import { badConfig, show } from './fields.ts';
import type { Origin } from './fields.ts';
import type { GatewayConfig } from './types.ts';

/** A configuration field holding the gateway URL: parseGatewayUrl, with the config's own rule and its errors naming the field. */
export function readGatewayField(value: unknown, field: string, origin: Origin = {}): GatewayConfig {
  if (typeof value !== 'string' || value === '') {
    throw badConfig(field, `${show(value)} is not a URL (tcp://HOST:PORT, serial:///dev/PATH or mqtt://HOST:PORT)`, origin);
  }
  refuseCredentials(value, field, origin, 'the gateway URL', 'mqttCredentialsFile');
  try {
    const transport = parseGatewayUrl(value);
    return { url: value, scheme: transport.kind, transport };
  } catch (e) {
    if (!isMySealError(e)) throw e;
    throw badConfig(field, `${show(value)}: ${e.reason}`, origin);
  }
}

/**
 * Credentials are checked before anything echoes the value: a user name or password in a URL would
 * show in process lists (--gateway, $MYSEAL_GATEWAY) and could be repeated into logs.
 */
function refuseCredentials(value: string, field: string, origin: Origin, what: string, instead: string): void {
  if (/^[a-z]+:\/\/[^/?#]*@/i.test(value)) {
    throw badConfig(field, `a user name or password in ${what} is not allowed: it would show in process lists and logs (use ${instead})`, origin);
  }
}

/**
 * A broker for controllers (controllers.mqtt): mqtt://HOST[:PORT] or mqtts://HOST[:PORT], nothing
 * more. Its topic prefixes are mqttProxy's, its login is in controllers.mqttCredentialsFile.
 * Returns the URL with the default port filled in.
 */
export function parseBrokerUrl(value: unknown, field: string, origin: Origin = {}): string {
  if (typeof value !== 'string' || !/^mqtts?:\/\//i.test(value)) {
    throw badConfig(field, `${show(value)} is not an mqtt://HOST:PORT or mqtts://HOST:PORT URL`, origin);
  }
  refuseCredentials(value, field, origin, 'a broker URL', 'controllers.mqttCredentialsFile');
  if (/[?#]/.test(value)) throw badConfig(field, `${show(value)}: no query here (the topic prefixes are mqttProxy's)`, origin);
  let transport;
  try {
    transport = parseGatewayUrl(value);
  } catch (e) {
    if (!isMySealError(e)) throw e;
    throw badConfig(field, `${show(value)}: ${e.reason.replace(/^gateway URL: /, '')}`, origin);
  }
  if (transport.kind !== 'mqtt') throw badConfig(field, `${show(value)} is not an MQTT broker URL`, origin);
  return transport.url;
}

/** The MQTT in/out prefixes of an mqtt:// gateway (defaults applied); undefined for other schemes. */
export function gatewayTopicPrefixes(gateway: GatewayConfig): { inPrefix: string; outPrefix: string } | undefined {
  const t = gateway.transport;
  return t.kind === 'mqtt' ? { inPrefix: t.inPrefix, outPrefix: t.outPrefix } : undefined;
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
