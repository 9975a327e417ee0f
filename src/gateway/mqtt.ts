/**
 * The link to a MySensors MQTT gateway through a broker: what the gateway publishes under its out
 * prefix comes in as messages, and sends are published under its in prefix (QoS 0, not retained,
 * as the gateway itself publishes).
 *
 * Credentials are handed to mqtt.js and nowhere else: never in the description, an event or an error.
 */
import { EventEmitter } from 'node:events';
import { connect } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Command } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { formatTopic, MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX, parseTopic } from '../core/mysensors/mqtt-topic.ts';
import type { BackoffOptions } from './backoff.ts';
import { ReconnectTimer } from './reconnect-timer.ts';
import type { GatewayEvents, GatewayTransport } from './transport.ts';

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

/** The URL without user, password, query or fragment: safe for logs. */
/** A broker URL for logs: scheme, host and path, never a user or password it might carry. */
export function describeBrokerUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'mqtt (unparsable URL)';
  }
}

export class MqttGateway extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly inPrefix: string;
  readonly outPrefix: string;
  readonly description: string;
  readonly #url: string;
  readonly #clientOptions: IClientOptions;
  readonly #reconnect: ReconnectTimer;
  #client: MqttClient | null = null;
  #connected = false;
  #running = false;
  #lastError = '';

  constructor(opts: MqttGatewayOptions) {
    super();
    this.#url = opts.url;
    this.inPrefix = opts.inPrefix ?? MQTT_DEFAULT_IN_PREFIX;
    this.outPrefix = opts.outPrefix ?? MQTT_DEFAULT_OUT_PREFIX;
    // Fail now on a prefix no topic could be built from, not at the first send.
    formatTopic(PROBE, this.inPrefix);
    formatTopic(PROBE, this.outPrefix);
    this.description = `${describeBrokerUrl(opts.url)} (in ${this.inPrefix}, out ${this.outPrefix})`;
    this.#clientOptions = {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      // mqtts://: the broker's certificate must check out (against `ca` when given, else the
      // system's CAs); a broker that cannot prove who it is gets neither the login nor a command.
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      rejectUnauthorized: true,
      clean: true,
      keepalive: MQTT_KEEPALIVE_S,
      connectTimeout: opts.connectTimeoutMs ?? MQTT_CONNECT_TIMEOUT_MS,
      // mqtt.js retries on a fixed setInterval whose period cannot change once it runs, so it
      // cannot back off; it is switched off and reconnect() is called on our own schedule.
      reconnectPeriod: 0,
      // A command published after an outage could be long stale: never queue while offline.
      queueQoSZero: false,
      // The subscription is made again on every connect (below), so mqtt.js need not.
      resubscribe: false,
      manualConnect: true,
    };
    this.#reconnect = new ReconnectTimer(() => this.#attempt(), opts.backoff);
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#client = this.#createClient();
    this.#client.connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#reconnect.cancel();
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    // Graceful when connected (a DISCONNECT, so the broker drops the session at once); forced
    // otherwise, since there is nobody to say goodbye to.
    await client.endAsync(!client.connected);
    this.#setDown('stopped');
  }

  send(message: MySensorsMessage): boolean {
    const { topic, payload } = formatTopic(message, this.inPrefix); // throws for a message a gateway would mangle
    if (!this.#connected || !this.#client) return false;
    const body = message.command === Command.C_STREAM ? payload + STREAM_PAYLOAD_TERMINATOR : payload;
    this.#client.publish(topic, body, { qos: 0, retain: false });
    return true;
  }

  #createClient(): MqttClient {
    const client = connect(this.#url, this.#clientOptions);
    const filter = `${this.outPrefix}/+/+/+/+/+`;
    client.on('connect', () => {
      client.subscribe(filter, { qos: 0 }, (err) => {
        if (client !== this.#client) return;
        if (err) {
          // A broker ACL refusing the subscription: without it nothing would ever arrive.
          this.#lastError = `subscription refused: ${err.message}`;
          client.end(true);
          return;
        }
        this.#connected = true;
        this.#reconnect.backoff.connected();
        this.emit('connected');
      });
    });
    client.on('message', (topic, payload) => {
      if (client !== this.#client) return;
      const parsed = parseTopic(topic, payload, this.outPrefix);
      if (parsed.ok) this.emit('message', parsed.value);
      else this.emit('invalid', parsed.error);
    });
    client.on('error', (err: Error & { code?: string | number }) => {
      // Broker refusals (bad credentials, client id) and socket errors; neither holds the password.
      this.#lastError = typeof err.code === 'string' ? err.code : err.message;
    });
    client.on('close', () => {
      if (client !== this.#client) return;
      const reason = this.#lastError === '' ? 'connection closed' : this.#lastError;
      if (!this.#connected && this.#running) this.emit('failed', reason);
      this.#setDown(reason);
      if (this.#running) this.#reconnect.schedule();
    });
    return client;
  }

  #attempt(): void {
    if (!this.#running || !this.#client) return;
    this.#lastError = '';
    this.#client.reconnect();
  }

  #setDown(reason: string): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#reconnect.backoff.disconnected();
    this.emit('disconnected', reason);
  }
}

/** Any valid message: used only to check prefixes with the codec's own rules. */
const PROBE: MySensorsMessage = { nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: 2, payload: '' };
