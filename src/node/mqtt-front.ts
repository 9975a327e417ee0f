/**
 * The simulated gateway as an MQTT client of a broker, as a MySensors MQTT gateway: client id
 * 'mysensors-1', subscribed to `<in>/+/+/+/+/+`, publishing what it has for the controller under
 * `<out>/node/child/command/echo/type` (QoS 0, not retained). On every (re)connect it presents
 * itself and subscribes again (reconnectMQTT()), and sends the startup message.
 *
 * By default the stream payloads it reads go through a model of PubSubClient's packet buffer
 * (pubsub-buffer.ts), as on a real gateway; `pubSubBuffer: false` reads them as sent.
 */
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Command } from '../core/mysensors/enums.ts';
import { MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX } from '../core/mysensors/mqtt-topic.ts';
import { atoi, strtok } from './c-string.ts';
import type { SimGateway } from './gateway-core.ts';
import { formatGatewayMqtt } from './gateway-output.ts';
import { PubSubBuffer } from './pubsub-buffer.ts';
import type { RadioMessage } from './radio-message.ts';

/** MY_MQTT_CLIENT_ID of the examples. */
export const DEFAULT_GATEWAY_CLIENT_ID = 'mysensors-1';
/** The gateway retries a lost broker about once a second (reconnectMQTT's delay(1000)). */
const GATEWAY_RECONNECT_MS = 1_000;
const SLASH = 0x2f;

export interface SimMqttFrontOptions {
  url: string;
  clientId?: string;
  inPrefix?: string;
  outPrefix?: string;
  pubSubBuffer?: boolean;
  reconnectMs?: number;
  /** The gateway's broker login (MY_MQTT_USER, MY_MQTT_PASSWORD). */
  username?: string;
  password?: string;
  /** PEM CA certificates for an mqtts:// broker. */
  ca?: string;
}

export class SimMqttFront {
  readonly url: string;
  readonly clientId: string;
  readonly inPrefix: string;
  readonly outPrefix: string;
  readonly #gateway: SimGateway;
  readonly #buffer: PubSubBuffer | null;
  readonly #reconnectMs: number;
  readonly #login: { username?: string; password?: string; ca?: string };
  #client: MqttClient | null = null;
  readonly #encoder = new TextEncoder();
  readonly #onOutput = (m: RadioMessage): void => this.#publish(m);

  constructor(gateway: SimGateway, opts: SimMqttFrontOptions) {
    this.#gateway = gateway;
    this.url = opts.url;
    this.clientId = opts.clientId ?? DEFAULT_GATEWAY_CLIENT_ID;
    this.inPrefix = opts.inPrefix ?? MQTT_DEFAULT_IN_PREFIX;
    this.outPrefix = opts.outPrefix ?? MQTT_DEFAULT_OUT_PREFIX;
    this.#buffer = opts.pubSubBuffer === false ? null : new PubSubBuffer();
    this.#reconnectMs = opts.reconnectMs ?? GATEWAY_RECONNECT_MS;
    this.#login = {
      ...(opts.username === undefined ? {} : { username: opts.username }),
      ...(opts.password === undefined ? {} : { password: opts.password }),
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    };
  }

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  /** Connects; resolves once subscribed and announced (the first time). */
  async start(): Promise<void> {
    const client = connect(this.url, {
      clientId: this.clientId,
      ...this.#login,
      clean: true,
      reconnectPeriod: this.#reconnectMs,
      resubscribe: false,
      queueQoSZero: false,
    });
    this.#client = client;
    client.on('error', () => {
      // Refused or lost: mqtt.js retries every reconnectMs, as the gateway loop does.
    });
    client.on('message', (topic, payload) => this.#receive(topic, payload));
    const ready = new Promise<void>((resolve) => {
      client.on('connect', () => {
        // reconnectMQTT(): present first, then subscribe (the order matters to the buffer model:
        // the SUBSCRIBE packet is built over the tail of the presentation).
        this.#gateway.announce();
        const filter = `${this.inPrefix}/+/+/+/+/+`;
        this.#buffer?.subscribe(this.#encoder.encode(filter));
        client.subscribe(filter, { qos: 0 }, () => resolve());
      });
    });
    this.#gateway.on('output', this.#onOutput);
    await ready;
  }

  async close(): Promise<void> {
    this.#gateway.off('output', this.#onOutput);
    const client = this.#client;
    this.#client = null;
    if (client) await client.endAsync(true);
  }

  #receive(topic: string, payload: Buffer): void {
    const bytes = new Uint8Array(payload);
    if (!this.#buffer) {
      this.#gateway.controllerMqtt(topic, bytes, this.inPrefix);
      return;
    }
    const stored = this.#buffer.receivePublish(this.#encoder.encode(topic), bytes);
    if (!stored) {
      this.#gateway.controllerPacketTooBig();
      return;
    }
    const streamChars = this.#buffer.runFrom(stored.payloadAt);
    this.#gateway.controllerMqtt(topic, bytes, this.inPrefix, streamChars);
    // protocolMQTT2MyMessage terminates string payloads in place; for a stream it writes nothing.
    if (!isStreamTopic(topic, this.inPrefix)) this.#buffer.terminate(stored.end);
  }

  #publish(m: RadioMessage): void {
    const client = this.#client;
    if (!client?.connected) return; // gatewayTransportSend returns false while disconnected
    const { topic, payload } = formatGatewayMqtt(m, this.outPrefix);
    if (this.#buffer && !this.#buffer.publish(this.#encoder.encode(topic), payload)) return;
    client.publish(topic, Buffer.from(payload), { qos: 0, retain: false });
  }
}

/** Whether the gateway's parser takes this topic's command level as C_STREAM. */
function isStreamTopic(topic: string, inPrefix: string): boolean {
  const encoder = new TextEncoder();
  const command = strtok(encoder.encode(topic).subarray(encoder.encode(inPrefix).length + 1), SLASH)[2];
  return command !== undefined && atoi(command) === Command.C_STREAM;
}
