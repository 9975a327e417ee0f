/**
 * Home Assistant's MQTT discovery on the controllers' broker: every sealed node's lock (with Home
 * Assistant's own keypad: the code typed there comes on the command topic and goes to the lock
 * through the service's unlock, rate limit and audit included, and is kept nowhere), its sealed
 * relays as switches and its sealed contacts as binary sensors. Topics and payloads are built in
 * ha-discovery-payloads.ts.
 *
 * State comes from the service alone: the lock's from its session's view (authentic sealed results
 * and reports), a relay's or contact's from the sealed reports the service relays to controllers.
 * Configs and states are retained; configs of nodes no longer sealed, or left on the broker by a
 * run that knew nodes this one does not, are cleared; all is published again when Home Assistant
 * says it is back (its birth message). MySeal's own connection has a last will: `offline`.
 */
import type { EventEmitter } from 'node:events';
import { connect } from 'mqtt';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { describeBrokerUrl } from '../../gateway/mqtt.ts';
import { Command as MsCommand, SetReq } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { ServiceEvents } from '../../service/audit-trail.ts';
import type { LockCommands, RefusalCounter, ServiceState } from '../../service/interfaces.ts';
import type { Downstream, LoggerLike, Outbound } from '../../service/ports.ts';
import {
  availabilityTopic,
  binaryState,
  birthTopic,
  lockAttributes,
  lockStatePayload,
  nodeEntities,
  ownConfigFilter,
  parseLockCommand,
  parseSwitchCommand,
} from './ha-discovery-payloads.ts';
import type { DiscoveryTopics, Entity, SealedChild } from './ha-discovery-payloads.ts';

/** What discovery reaches of the service. */
export interface DiscoveryService extends Pick<LockCommands, 'unlock' | 'lock'>, Pick<ServiceState, 'nodeIds' | 'nodeFacts' | 'nodeView'>, RefusalCounter {
  readonly events: Pick<EventEmitter<ServiceEvents>, 'on' | 'off'>;
  /** Sealed reports reach controllers through these (a relay's, a contact's value). */
  attach(d: Downstream): void;
  detach(d: Downstream): void;
  /** A relay command, under the child's policy like any controller's. */
  fromController(m: MySensorsMessage, source: string): void;
}

export interface HaDiscoveryOptions {
  url: string;
  username?: string;
  password?: string;
  ca?: string;
  clientId?: string;
  topics: DiscoveryTopics;
  /** A node's configured relays and contacts whose values only sealed reports may set. */
  sealedChildren(node: number): readonly SealedChild[];
  logger?: LoggerLike;
  clock?: () => number;
}

/** Where refusals of this edge are counted (with the other controllers'). */
const WHERE = 'controller';
const SOURCE = 'home-assistant';
const RETAINED: IClientPublishOptions = { retain: true, qos: 1 };
/** `<in>/<node>/lock/set` or `<in>/<node>/<child>/set`. */
const COMMAND_TOPIC = /^(\d{1,3})\/(lock|\d{1,3})\/set$/;

export class HaDiscovery implements Downstream {
  readonly id = `mqtt:${SOURCE}`;
  private client: MqttClient | null = null;
  /** Entities announced, by config topic, with the node they belong to. */
  private readonly announced = new Map<string, Entity>();
  private readonly onNode = (node: number): void => this.refreshNode(node);

  constructor(
    private readonly service: DiscoveryService,
    private readonly opts: HaDiscoveryOptions,
  ) {}

  start(): void {
    const t = this.opts.topics;
    const client = connect(this.opts.url, {
      clientId: this.opts.clientId ?? `myseal-discovery-${process.pid}`,
      username: this.opts.username,
      password: this.opts.password,
      ...(this.opts.ca === undefined ? {} : { ca: this.opts.ca }),
      rejectUnauthorized: true,
      reconnectPeriod: 2_000,
      queueQoSZero: false,
      will: { topic: availabilityTopic(t), payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    this.client = client;
    client.on('connect', () => {
      client.publish(availabilityTopic(t), 'online', RETAINED);
      client.subscribe([birthTopic(t), `${t.inPrefix}/+/+/set`, ownConfigFilter(t)], { qos: 1 });
      this.publishAll();
      this.opts.logger?.info({ broker: describeBrokerUrl(this.opts.url), prefix: t.prefix, entities: this.announced.size }, 'Home Assistant discovery published');
    });
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    // Connection failures are said by the MQTT bridge on the same broker; this client retries quietly.
    client.on('error', () => undefined);
    this.service.attach(this);
    this.service.events.on('node', this.onNode);
  }

  async stop(): Promise<void> {
    this.service.events.off('node', this.onNode);
    this.service.detach(this);
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) await client.publishAsync(availabilityTopic(this.opts.topics), 'offline', RETAINED).catch(() => undefined);
    await client.endAsync(true);
  }

  /** Every node's entities and states (at connect, and when Home Assistant comes back). */
  private publishAll(): void {
    const nodes = new Set([...this.service.nodeIds(), ...[...this.announced.values()].map((e) => e.node)]);
    for (const node of nodes) this.refreshNode(node, true);
  }

  /** The node's entities as they are now: new or changed configs published, gone ones cleared, states sent. */
  private refreshNode(node: number, force = false): void {
    const client = this.client;
    if (!client?.connected) return;
    const facts = this.service.nodeFacts(node);
    const entities = facts.sealed
      ? nodeEntities(this.opts.topics, { node, name: facts.name, lock: facts.lock, children: this.opts.sealedChildren(node) })
      : [];
    const now = new Set(entities.map((e) => e.configTopic));
    for (const [topic, old] of this.announced) {
      if (old.node !== node || now.has(topic)) continue;
      this.clear(topic, old);
    }
    for (const e of entities) {
      const before = this.announced.get(e.configTopic);
      if (force || before === undefined || JSON.stringify(before.config) !== JSON.stringify(e.config)) {
        client.publish(e.configTopic, JSON.stringify(e.config), RETAINED);
      }
      this.announced.set(e.configTopic, e);
      if (e.component === 'lock') this.publishLock(e);
    }
  }

  private clear(configTopic: string, e: Entity | undefined): void {
    this.announced.delete(configTopic);
    if (!this.client?.connected) return;
    this.client.publish(configTopic, '', RETAINED);
    if (e === undefined) return;
    this.client.publish(e.stateTopic, '', RETAINED);
    if (e.attributesTopic !== undefined) this.client.publish(e.attributesTopic, '', RETAINED);
  }

  /** The lock's bolt and attributes from its session's view: authentic results and reports only. */
  private publishLock(e: Entity): void {
    const view = this.service.nodeView(e.node);
    if (!view || !this.client) return;
    const state = lockStatePayload(view);
    if (state !== undefined) this.client.publish(e.stateTopic, state, RETAINED);
    if (e.attributesTopic !== undefined) this.client.publish(e.attributesTopic, JSON.stringify(lockAttributes(view, (this.opts.clock ?? Date.now)())), RETAINED);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const t = this.opts.topics;
    if (topic === birthTopic(t)) {
      if (payload.toString('utf8') === 'online') this.publishAll();
      return;
    }
    if (topic.startsWith(`${t.prefix}/`)) {
      // A config retained on the broker that this run does not announce: left by a removed node.
      if (retained && payload.length > 0 && !this.announced.has(topic)) this.clear(topic, undefined);
      return;
    }
    const rest = topic.startsWith(`${t.inPrefix}/`) ? topic.slice(t.inPrefix.length + 1) : '';
    const command = COMMAND_TOPIC.exec(rest);
    if (!command) return;
    // A retained command would be carried out again at every reconnect; and a code left retained
    // on the broker would be there for anyone allowed to subscribe.
    if (retained) {
      this.service.countCode(WHERE, 'RETAINED_MESSAGE', { topic });
      return;
    }
    // An empty message is how a retained one is deleted (the clean-up of one left there): no command.
    if (payload.length === 0) return;
    const node = Number(command[1]);
    const entity = [...this.announced.values()].find((e) => e.node === node && e.commandTopic === topic);
    if (entity === undefined) {
      this.service.countCode(WHERE, 'NOT_SEALED', { node });
      return;
    }
    if (entity.component === 'lock') this.onLockCommand(node, payload);
    else this.onSwitchCommand(node, entity.child as number, payload);
  }

  private onLockCommand(node: number, payload: Buffer): void {
    const command = parseLockCommand(payload);
    // The payload may hold a code: it is never logged, only counted.
    if (command === undefined) {
      this.service.countCode(WHERE, 'BAD_COMMAND', { node });
      return;
    }
    // Results reach the state topics through the node event that their audit entry raises.
    const done = command.action === 'UNLOCK' ? this.service.unlock(node, command.pin, SOURCE) : this.service.lock(node, SOURCE);
    done.catch(() => undefined);
  }

  private onSwitchCommand(node: number, child: number, payload: Buffer): void {
    const value = parseSwitchCommand(payload);
    if (value === undefined) {
      this.service.countCode(WHERE, 'BAD_COMMAND', { node, child });
      return;
    }
    this.service.fromController({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: SetReq.V_STATUS, payload: value }, this.id);
  }

  /**
   * What the service tells controllers: a sealed relay's or contact's value sets its entity's
   * state. The service passes no plain value of such a child (from-gateway.ts drops them), so what
   * comes here for an announced relay or contact is a sealed report. Notices are for the MySensors
   * controllers; Home Assistant sees the outcome in the state.
   */
  send(item: Outbound): void {
    const m = item.message;
    if (!m || m.command !== MsCommand.C_SET || !this.client?.connected) return;
    for (const e of this.announced.values()) {
      if (e.node !== m.nodeId || e.child !== m.childId || e.component === 'lock') continue;
      const state = binaryState(m.payload);
      if (state !== undefined) this.client.publish(e.stateTopic, state, RETAINED);
    }
  }
}
