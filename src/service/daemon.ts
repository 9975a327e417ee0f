/**
 * The service, transport-free: it owns the gateway link and composes the parts that do the work:
 * the catalogue of nodes (catalogue/), one session per sealed node (sessions/), routing both ways
 * with the per-child policy (routing/), lock operations with PIN entry and the rate limit (lock/),
 * and the health counters and gateway watch (health/). Edges (the proxies, HTTP, the web page, the
 * CLI) reach it through the narrow interfaces of interfaces.ts; app/ builds it from the configuration.
 */
import type { EventEmitter } from 'node:events';
import type { MySealError } from '../core/errors.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { ControllerCounters, ControllerKeyStore } from '../core/protocol/stores.ts';
import type { AuditInput } from '../audit/schema.ts';
import type { GatewayTransport } from '../gateway/transport.ts';
import { AuditTrail } from './audit-trail.ts';
import type { ServiceEvents } from './audit-trail.ts';
import { NodeCatalogue } from './catalogue/node-catalogue.ts';
import type { NodeOptions } from './catalogue/node-catalogue.ts';
import { HealthCounters } from './health/counters.ts';
import { GatewayReadiness } from './health/gateway-readiness.ts';
import { GatewayWatch } from './health/gateway-watch.ts';
import type { GatewayWatchTimings } from './health/gateway-watch.ts';
import type { ApiService, HealthView, NodeFacts, WebService } from './interfaces.ts';
import type { LegacyLine } from './lock/legacy-unlock.ts';
import { LockOperations } from './lock/lock-operations.ts';
import type { OutcomeReport } from './lock/outcome.ts';
import type { DigitOutcome } from './lock/pin-entry.ts';
import { RateLimiter } from './lock/rate-limit.ts';
import { noopLogger } from './ports.ts';
import type { AuditSink, Downstream, LoggerLike } from './ports.ts';
import { Controllers } from './routing/controllers.ts';
import { FromController } from './routing/from-controller.ts';
import { FromGateway } from './routing/from-gateway.ts';
import { HeldCommands, HOLD_MS } from './routing/held-commands.ts';
import { RecentSends } from './routing/recent-sends.ts';
import type { NodeSession, NodeStateView } from './sessions/node-session.ts';
import { SessionRegistry } from './sessions/session-registry.ts';
import { watchGatewayLink } from './health/gateway-log.ts';

export type { ChildKind, ChildOptions, ChildPolicy, NodeOptions } from './catalogue/node-catalogue.ts';
export type { AuditSink, Downstream, LoggerLike, Outbound } from './ports.ts';
export type { ServiceEvents as DaemonEvents } from './audit-trail.ts';

export interface DaemonOptions {
  gateway: GatewayTransport;
  keys: ControllerKeyStore;
  counters: ControllerCounters;
  nodes: ReadonlyMap<number, NodeOptions>;
  audit?: AuditSink;
  logger?: LoggerLike;
  timeoutMs?: number;
  retries?: number;
  digitTimeoutMs?: number;
  /** PIN entry's submit and clear keys ('#' and '*' by default). */
  submitKey?: string;
  clearKey?: string;
  /**
   * Nodes that still run the original sketch (docs/migrating.md): an unlock for them goes out as the
   * original script's AES-ECB line, which anyone who records it can replay. `line` builds it.
   */
  legacy?: { nodes: ReadonlySet<number>; line: LegacyLine };
  /**
   * How long a command (a controller's, or an operation from HTTP, the CLI or PIN entry) waits for
   * a gateway that is reconnecting before it is reported failed (held-commands.ts, HOLD_MS).
   */
  holdMs?: number;
  /** PIN submissions per node and minute, across every way in (HTTP, MQTT, CLI). */
  pinTriesPerMinute?: number;
  /** How soon a gateway that stopped answering is noticed (gateway-watch.ts); tests shorten it. */
  gatewayWatch?: GatewayWatchTimings;
  clock?: () => number;
}

export class Daemon implements ApiService, WebService {
  /** Live changes for the web page's event stream and the MQTT bridge's results. */
  readonly events: EventEmitter<ServiceEvents>;
  readonly #gateway: GatewayTransport;
  readonly #catalogue: NodeCatalogue;
  readonly #health: HealthCounters;
  readonly #audit: AuditTrail;
  readonly #watch: GatewayWatch;
  readonly #readiness: GatewayReadiness;
  readonly #sessions: SessionRegistry;
  readonly #controllers: Controllers;
  readonly #fromGateway: FromGateway;
  readonly #fromController: FromController;
  readonly #held: HeldCommands;
  readonly #operations: LockOperations;
  #stopping = false;

  constructor(opts: DaemonOptions) {
    const log = opts.logger ?? noopLogger;
    const clock = opts.clock ?? Date.now;
    const gateway = (this.#gateway = opts.gateway);
    this.#catalogue = new NodeCatalogue(opts.nodes, (node) => opts.keys.has(node), opts.legacy?.nodes);
    this.#health = new HealthCounters(log, clock);
    this.#audit = new AuditTrail(opts.audit, log, clock);
    this.events = this.#audit.events;
    this.#controllers = new Controllers(log);
    // Before the service's own listeners: a line proves the gateway alive before anything acts on it.
    this.#watch = new GatewayWatch(gateway, {
      ...opts.gatewayWatch,
      clock,
      onChange: (answering) => {
        if (answering) log.info({ gateway: gateway.description }, 'gateway answering again');
        else log.warn({ gateway: gateway.description }, 'gateway not answering');
      },
    });
    this.#readiness = new GatewayReadiness(gateway, this.#watch, opts.holdMs ?? HOLD_MS);
    const recent = new RecentSends(clock);
    this.#held = new HeldCommands({ clock, holdMs: this.#readiness.holdMs, expired: (c) => this.#fromController.expired(c.message, c.source) });
    this.#sessions = new SessionRegistry({
      gateway,
      keys: opts.keys,
      counters: opts.counters,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      clock: opts.clock,
      onReport: (node, child, value) => this.#fromGateway.report(node, child, value),
      onRejected: (node, child, error) => this.#fromGateway.rejected(node, child, error),
    });
    const parts = { gateway, catalogue: this.#catalogue, sessions: this.#sessions, controllers: this.#controllers, health: this.#health, audit: this.#audit, log };
    this.#fromGateway = new FromGateway({ ...parts, watch: this.#watch, recent });
    this.#fromController = new FromController({ ...parts, readiness: this.#readiness, held: this.#held, recent });
    const pinTries = new RateLimiter(opts.pinTriesPerMinute, opts.clock);
    this.#operations = new LockOperations({
      ...parts,
      readiness: this.#readiness,
      pinTries,
      legacy: opts.legacy && { gateway, line: opts.legacy.line, readiness: this.#readiness, pinTries, audit: this.#audit, log },
      pinEntry: { digitTimeoutMs: opts.digitTimeoutMs, submitKey: opts.submitKey, clearKey: opts.clearKey },
    });
    gateway.on('message', (m, raw) => this.#fromGateway.message(m, raw));
    gateway.on('invalid', (e, raw) => this.#fromGateway.invalid(e, raw));
    gateway.on('lines', (batch) => this.#fromGateway.lines(batch));
    watchGatewayLink(gateway, log, {
      up: () => {
        this.#fromController.linkUp();
        this.#readiness.linkUp();
      },
      lost: () => {
        if (!this.#stopping) this.#fromController.linkLost();
      },
    });
  }

  start(): void {
    this.#gateway.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#operations.close();
    this.#held.drop();
    this.#readiness.close();
    this.#watch.close();
    await this.#gateway.stop();
  }

  // ---- controllers (the TCP proxy, the MQTT bridge) -----------------------------------------

  attach(d: Downstream): void {
    this.#controllers.attach(d);
  }

  detach(d: Downstream): void {
    this.#controllers.detach(d);
  }

  /** A controller's message: passed on, sealed or refused by the child's policy. */
  fromController(m: MySensorsMessage, source: string): void {
    this.#fromController.message(m, source);
  }

  /** A line from a controller that could not be read: counted, and its sender told. */
  refusedFromController(error: MySealError, source: string): void {
    this.#fromController.refusedLine(error, source);
  }

  // ---- lock operations and PIN entry -----------------------------------------------------------

  digit(node: number, key: string, source: string): DigitOutcome<OutcomeReport> {
    return this.#operations.digit(node, key, source);
  }

  bufferedDigits(node: number): number {
    return this.#operations.bufferedDigits(node);
  }

  get keys(): { submitKey: string; clearKey: string } {
    return this.#operations.keys;
  }

  unlock(node: number, pin: string, source: string, opts: { legacy?: boolean } = {}): Promise<OutcomeReport> {
    return this.#operations.unlock(node, pin, source, opts);
  }

  lock(node: number, source: string): Promise<OutcomeReport> {
    return this.#operations.lock(node, source);
  }

  status(node: number, source: string): Promise<OutcomeReport> {
    return this.#operations.status(node, source);
  }

  setPin(node: number, oldPin: string, newPin: string, source: string): Promise<OutcomeReport> {
    return this.#operations.setPin(node, oldPin, newPin, source);
  }

  rotateKey(node: number, source: string): Promise<OutcomeReport> {
    return this.#operations.rotateKey(node, source);
  }

  // ---- state, health, counters -----------------------------------------------------------------

  /** The session of a node that has a key, created on first use. */
  session(node: number): NodeSession | undefined {
    return this.#sessions.get(node);
  }

  nodeView(node: number): NodeStateView | undefined {
    return this.#sessions.view(node);
  }

  nodeIds(): number[] {
    return [...new Set([...this.#catalogue.configured(), ...this.#sessions.ids()])].sort((a, b) => a - b);
  }

  nodeFacts(node: number): NodeFacts {
    return {
      name: this.#catalogue.name(node) ?? null,
      sealed: this.#catalogue.sealed(node),
      lock: this.#catalogue.lockChild(node) !== undefined,
      pinLength: this.#catalogue.pinLength(node),
    };
  }

  health(): HealthView {
    return {
      gatewayConnected: this.#gateway.connected,
      gatewayAnswering: this.#watch.answering,
      gatewayLastHeard: this.#watch.lastHeard,
      gateway: this.#gateway.description,
      nodes: this.#health.nodesHeard(),
    };
  }

  /** The security and health counters, live (read-only). */
  get counters(): ReadonlyMap<string, number> {
    return this.#health.counts;
  }

  counterValues(): Record<string, number> {
    return Object.fromEntries(this.#health.counts);
  }

  /** Counts refused input (and logs it without its content). */
  count(error: MySealError, where: string): void {
    this.#health.refused(error, where);
  }

  countCode(where: string, code: string, detail?: Readonly<Record<string, string | number | boolean>>): void {
    this.#health.refusedCode(where, code, detail);
  }

  recordAudit(entry: AuditInput): void {
    this.#audit.record(entry);
  }

  auditWritten(): Promise<void> {
    return this.#audit.written();
  }
}
