/**
 * Controllers on MQTT. For an MQTT gateway, controllers move to a second pair of topic prefixes
 * (default myseal-in / myseal-out) in place of the gateway's: MySeal hears them there, applies the
 * same policy as on its TCP port, and publishes what the gateway says (plain traffic unchanged,
 * sealed reports as plain values) under the out prefix. For a TCP or serial gateway
 * (controllers.mqtt), the same prefixes on a broker of the user's carry PIN entry alone: digits in,
 * results out. Either way:
 *
 *   <in>/<node>/<child>/<command>/<echo>/<type>   a controller's MySensors message (MQTT gateway only)
 *   <in>/<node>/digit                             payload: one key (0-9, the submit or the clear key)
 *   <out>/<node>/<child>/<command>/<echo>/<type>  what the gateway (or MySeal for a node) says (MQTT gateway only)
 *   <out>/0/255/3/0/9                             MySeal's word about a controller command it did not deliver
 *   <out>/<node>/result                           JSON: the outcome of every unlock, whichever way its PIN came
 */
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { describeBrokerUrl } from '../../gateway/mqtt.ts';
import { formatTopic, parseTopic } from '../../core/mysensors/mqtt-topic.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { Daemon, Downstream, LoggerLike, Outbound } from '../../service/daemon.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';

export interface MqttBridgeOptions {
  url: string;
  inPrefix: string;
  outPrefix: string;
  username?: string;
  password?: string;
  /** PEM CA certificates for an mqtts:// broker. */
  ca?: string;
  clientId?: string;
  /**
   * Whether controllers' MySensors messages travel here too (an MQTT gateway). False: PIN entry only
   * (digits and results), the controllers' messages going through the TCP port.
   */
  messages?: boolean;
  logger?: LoggerLike;
}

const DIGIT_TOPIC = /^(\d{1,3})\/digit$/;

export class MqttBridge implements Downstream {
  readonly id: string;
  private client: MqttClient | null = null;
  private readonly messages: boolean;
  private readonly onResult = (report: OutcomeReport): void => this.publishResult(report);

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: MqttBridgeOptions,
  ) {
    this.id = `mqtt:${opts.inPrefix}`;
    this.messages = opts.messages ?? true;
  }

  start(): void {
    const client = connect(this.opts.url, {
      clientId: this.opts.clientId ?? `myseal-bridge-${process.pid}`,
      username: this.opts.username,
      password: this.opts.password,
      ...(this.opts.ca === undefined ? {} : { ca: this.opts.ca }),
      rejectUnauthorized: true,
      reconnectPeriod: 2_000,
      queueQoSZero: false,
    });
    this.client = client;
    let lastError = '';
    client.on('connect', () => {
      lastError = '';
      const topics = [`${this.opts.inPrefix}/+/digit`];
      if (this.messages) topics.push(`${this.opts.inPrefix}/+/+/+/+/+`);
      client.subscribe(topics);
      this.opts.logger?.info({ broker: describeBrokerUrl(this.opts.url), prefixes: `${this.opts.inPrefix} / ${this.opts.outPrefix}` }, 'controller MQTT connected');
    });
    client.on('message', (topic, payload, packet) => {
      // A retained command or digit would be carried out again at every reconnect (Home Assistant
      // publishes retained by default): commands are events, never state, so retained ones are refused.
      if (packet.retain) {
        this.daemon.refusedFromController(new MySealError(ErrorCode.RETAINED_MESSAGE, 'retained message ignored'), this.id);
        return;
      }
      this.onMessage(topic, payload);
    });
    client.on('error', (err: Error & { code?: string | number }) => {
      // It reconnects by itself. A refused login is said once per cause; the password is in neither
      // the code nor the broker's answer.
      const reason = typeof err.code === 'string' ? err.code : err.message;
      if (reason !== lastError) this.opts.logger?.warn({ broker: describeBrokerUrl(this.opts.url), reason }, 'controller MQTT connection failed');
      lastError = reason;
    });
    if (this.messages) this.daemon.attach(this);
    this.daemon.events.on('result', this.onResult);
  }

  async stop(): Promise<void> {
    this.daemon.events.off('result', this.onResult);
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
      this.daemon.refusedFromController(parsed.error, this.id);
      return;
    }
    this.daemon.fromController(parsed.value, this.id);
  }

  private onDigit(node: number, key: string): void {
    try {
      const outcome = this.daemon.digit(node, key, this.id);
      // The result is published when the daemon announces it (publishResult), like any unlock's.
      if (outcome.state === 'submitted') outcome.result.catch(() => undefined);
    } catch (e) {
      this.daemon.count(isMySealError(e) ? e : new MySealError(ErrorCode.BAD_PIN, 'bad digit', { node }), 'controller');
    }
  }

  /** Every unlock's outcome, whichever way its PIN came (HTTP, MQTT, the CLI, the web page). */
  private publishResult(report: OutcomeReport): void {
    if (!this.client?.connected) return;
    this.client.publish(`${this.opts.outPrefix}/${report.node}/result`, JSON.stringify(report));
  }

  send(item: Outbound): void {
    if (!this.client?.connected) return;
    if (item.notice !== undefined) {
      this.client.publish(`${this.opts.outPrefix}/0/255/3/0/9`, item.notice);
      return;
    }
    if (item.lines) {
      for (let i = 0; i < item.lines.count; i++) this.#publish(item.lines.message(i));
    } else this.#publish(item.message);
  }

  /** A line MySeal's parser refused (no message) has no topic to go under. */
  #publish(m: MySensorsMessage | undefined): void {
    if (!m || !this.client) return;
    const { topic, payload } = formatTopic(m, this.opts.outPrefix);
    this.client.publish(topic, payload);
  }
}
