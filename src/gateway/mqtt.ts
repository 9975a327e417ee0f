/**
 * The link to a MySensors MQTT gateway through a broker: what the gateway publishes under its out
 * prefix comes in as messages, and sends are published under its in prefix (QoS 0, not retained,
 * as the gateway itself publishes). Opening a broker session is all that is MQTT's own: the link
 * (link.ts) reconnects, so mqtt.js's own reconnect is off.
 *
 * Credentials are handed to mqtt.js and nowhere else: never in the description, an event or an error.
 */
import { connect } from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { Command } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { formatTopic, MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX, parseTopic } from '../core/mysensors/mqtt-topic.ts';
import type { BackoffOptions } from './backoff.ts';
import { GatewayLink } from './link.ts';
import type { GatewayStream, StreamSink } from './link.ts';

/** A broker that does not answer CONNECT by then is given up and retried with backoff. */
export const MQTT_CONNECT_TIMEOUT_MS = 10_000;
/** Seconds between MQTT pings: a dead broker connection is noticed within about 1.5 times this. */
export const MQTT_KEEPALIVE_S = 30;

/**
 * Sent after the hex of every C_STREAM payload. A MySensors MQTT gateway decodes stream hex with
 * `while (*payload)` straight out of PubSubClient's packet buffer, which is not terminated at the
 * payload's end: without a 0 byte it goes on into whatever an earlier, longer packet (often the
 * gateway's own last publish) left behind, so a frame arrives with stale bytes appended (or
 * overflows the 25-byte stack buffer). A trailing 0 stops the decoder exactly at the end; every
 * other reader of the topic sees the hex followed by one NUL.
 */
const STREAM_PAYLOAD_TERMINATOR = '\0';

/** One message as it is published. */
export interface Publication {
  topic: string;
  payload: string;
}

/** A message as published to the gateway's in prefix; throws for one a gateway would mangle. */
export function publicationFor(message: MySensorsMessage, inPrefix: string): Publication {
  const { topic, payload } = formatTopic(message, inPrefix);
  return { topic, payload: message.command === Command.C_STREAM ? payload + STREAM_PAYLOAD_TERMINATOR : payload };
}

export interface MqttTarget {
  /** mqtt://host:port or mqtts://host:port, without credentials. */
  url: string;
  /** Where the gateway publishes (MY_MQTT_PUBLISH_TOPIC_PREFIX). */
  outPrefix: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM CA certificates to trust for an mqtts:// broker instead of the system's. */
  ca?: string;
  connectTimeoutMs?: number;
}

function clientOptions(target: MqttTarget): IClientOptions {
  return {
    clientId: target.clientId,
    username: target.username,
    password: target.password,
    // mqtts://: the broker's certificate must check out (against `ca` when given, else the
    // system's CAs); a broker that cannot prove who it is gets neither the login nor a command.
    ...(target.ca === undefined ? {} : { ca: target.ca }),
    rejectUnauthorized: true,
    clean: true,
    keepalive: MQTT_KEEPALIVE_S,
    connectTimeout: target.connectTimeoutMs ?? MQTT_CONNECT_TIMEOUT_MS,
    // mqtt.js retries on a fixed setInterval whose period cannot change once it runs, so it cannot
    // back off; and reconnecting is the link's job. Each attempt is a session of its own.
    reconnectPeriod: 0,
    // A command published after an outage could be long stale: never queue while offline.
    queueQoSZero: false,
    // The subscription is made on every connect (below), so mqtt.js need not.
    resubscribe: false,
  };
}

/** A broker session subscribed to the gateway's out prefix, resolved once the subscription holds. */
export function openMqtt(target: MqttTarget, sink: StreamSink, signal: AbortSignal): Promise<GatewayStream<Publication>> {
  return new Promise((resolve, reject) => {
    const client = connect(target.url, clientOptions(target));
    let lastError = '';
    let subscribed = false;
    let ended: (reason: string) => void = () => undefined;
    const endedWith = new Promise<string>((r) => (ended = r));
    // Forced: nobody to say goodbye to yet. Settled here, since a session never made may not 'close'.
    const onAbort = (): void => void client.end(true, () => reject(new Error('stopped')));
    signal.addEventListener('abort', onAbort, { once: true });
    client.on('connect', () => {
      client.subscribe(`${target.outPrefix}/+/+/+/+/+`, { qos: 0 }, (err) => {
        if (err) {
          // A broker ACL refusing the subscription: without it nothing would ever arrive.
          lastError = `subscription refused: ${err.message}`;
          client.end(true);
          return;
        }
        if (signal.aborted) return;
        subscribed = true;
        signal.removeEventListener('abort', onAbort);
        resolve({
          write: ({ topic, payload }) => void client.publish(topic, payload, { qos: 0, retain: false }),
          ended: endedWith,
          // Graceful when connected (a DISCONNECT, so the broker drops the session at once).
          close: async () => void (await client.endAsync(!client.connected)),
        });
      });
    });
    client.on('message', (topic, payload) => sink.message(parseTopic(topic, payload, target.outPrefix)));
    client.on('error', (err: Error & { code?: string | number }) => {
      // Broker refusals (bad credentials, client id) and socket errors; neither holds the password.
      lastError = typeof err.code === 'string' ? err.code : err.message;
    });
    client.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      client.end(true); // a session is never resumed: the next attempt opens a new one
      const reason = lastError === '' ? 'connection closed' : lastError;
      if (subscribed) ended(reason);
      else reject(new Error(reason));
    });
  });
}

export interface MqttGatewayOptions {
  /** mqtt://host:port or mqtts://host:port, without credentials. */
  url: string;
  /** Where the gateway takes commands (MY_MQTT_SUBSCRIBE_TOPIC_PREFIX). */
  inPrefix?: string;
  /** Where the gateway publishes (MY_MQTT_PUBLISH_TOPIC_PREFIX). */
  outPrefix?: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM CA certificates to trust for an mqtts:// broker instead of the system's. */
  ca?: string;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
}

/** A broker URL for logs: scheme, host and path, never a user or password it might carry. */
export function describeBrokerUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'mqtt (unparsable URL)';
  }
}

export class MqttGateway extends GatewayLink<Publication> {
  readonly inPrefix: string;
  readonly outPrefix: string;

  constructor(opts: MqttGatewayOptions) {
    const inPrefix = opts.inPrefix ?? MQTT_DEFAULT_IN_PREFIX;
    const outPrefix = opts.outPrefix ?? MQTT_DEFAULT_OUT_PREFIX;
    // Fail now on a prefix no topic could be built from, not at the first send.
    formatTopic(PROBE, inPrefix);
    formatTopic(PROBE, outPrefix);
    const { url, clientId, username, password, ca, connectTimeoutMs } = opts;
    const target: MqttTarget = { url, outPrefix, clientId, username, password, ca, connectTimeoutMs };
    super({
      description: `${describeBrokerUrl(opts.url)} (in ${inPrefix}, out ${outPrefix})`,
      open: (sink, signal) => openMqtt(target, sink, signal),
      encode: (message) => publicationFor(message, inPrefix),
      backoff: opts.backoff,
    });
    this.inPrefix = inPrefix;
    this.outPrefix = outPrefix;
  }
}

/** Any valid message: used only to check prefixes with the codec's own rules. */
const PROBE: MySensorsMessage = { nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: 2, payload: '' };
