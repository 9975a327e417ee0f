/**
 * For an MQTT gateway, controllers move to a second pair of topic prefixes (default myseal-in /
 * myseal-out) in place of the gateway's: MySeal hears them there, applies the same policy as on its
 * TCP port, and publishes what the gateway says (plain traffic unchanged, sealed reports as plain
 * values) under the out prefix. The same bridge takes PIN digits and publishes results:
 *
 *   <in>/<node>/<child>/<command>/<echo>/<type>   a controller's MySensors message
 *   <in>/<node>/digit                             payload: one key (0-9, # or *)
 *   <out>/<node>/<child>/<command>/<echo>/<type>  what the gateway (or MySeal for a node) says
 *   <out>/<node>/result                           JSON: the outcome of a submitted PIN
 */
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { ErrorCode, isMySealError, MySealError } from '../errors.ts';
import { formatTopic, parseTopic } from '../mysensors/mqtt-topic.ts';
import type { Daemon, Downstream, Outbound } from '../daemon/daemon.ts';

export interface MqttBridgeOptions {
  url: string;
  inPrefix: string;
  outPrefix: string;
  username?: string;
  password?: string;
  clientId?: string;
}

const DIGIT_TOPIC = /^(\d{1,3})\/digit$/;

export class MqttBridge implements Downstream {
  readonly id: string;
  private client: MqttClient | null = null;

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: MqttBridgeOptions,
  ) {
    this.id = `mqtt:${opts.inPrefix}`;
  }

  start(): void {
    const client = connect(this.opts.url, {
      clientId: this.opts.clientId ?? `myseal-bridge-${process.pid}`,
      username: this.opts.username,
      password: this.opts.password,
      reconnectPeriod: 2_000,
      queueQoSZero: false,
    });
    this.client = client;
    client.on('connect', () => {
      client.subscribe([`${this.opts.inPrefix}/+/+/+/+/+`, `${this.opts.inPrefix}/+/digit`]);
    });
    client.on('message', (topic, payload, packet) => {
      // A retained command or digit would be carried out again at every reconnect (Home Assistant
      // publishes retained by default): commands are events, never state, so retained ones are refused.
      if (packet.retain) {
        this.daemon.count(new MySealError(ErrorCode.RETAINED_MESSAGE, 'retained message ignored'), 'controller');
        return;
      }
      this.onMessage(topic, payload);
    });
    client.on('error', () => undefined); // reconnects by itself; the gateway link reports health
    this.daemon.attach(this);
  }

  async stop(): Promise<void> {
    this.daemon.detach(this);
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync(true);
  }

  private onMessage(topic: string, payload: Uint8Array): void {
    const rest = topic.startsWith(`${this.opts.inPrefix}/`) ? topic.slice(this.opts.inPrefix.length + 1) : '';
    const digit = DIGIT_TOPIC.exec(rest);
    if (digit) {
      this.onDigit(Number(digit[1]), Buffer.from(payload).toString('utf8').trim());
      return;
    }
    const parsed = parseTopic(topic, payload, this.opts.inPrefix);
    if (!parsed.ok) {
      this.daemon.count(parsed.error, 'controller');
      return;
    }
    this.daemon.fromController(parsed.value, this.id);
  }

  private onDigit(node: number, key: string): void {
    try {
      const outcome = this.daemon.digit(node, key, this.id);
      if (outcome.state !== 'submitted') return;
      outcome.result.then(
        (report) => {
          const { httpStatus: _h, exitCode: _e, ...body } = report;
          this.client?.publish(`${this.opts.outPrefix}/${node}/result`, JSON.stringify(body));
        },
        () => undefined,
      );
    } catch (e) {
      this.daemon.count(isMySealError(e) ? e : new MySealError(ErrorCode.BAD_PIN, 'bad digit', { node }), 'controller');
    }
  }

  send(item: Outbound): void {
    if (!item.message || !this.client?.connected) return;
    const { topic, payload } = formatTopic(item.message, this.opts.outPrefix);
    this.client.publish(topic, payload);
  }
}
