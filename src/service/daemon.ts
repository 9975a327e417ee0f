/**
 * The daemon's core, transport-free: it owns the gateway link, keeps one NodeSession per sealed
 * node, relays plain traffic both ways unchanged, turns authentic sealed reports into the plain
 * messages controllers understand, applies the per-child policy to controllers' plain commands,
 * and runs PIN entry and one-shot operations. Listeners (the TCP and MQTT proxies, HTTP) plug in
 * around it; serve.ts wires them together.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, MySealError, isMySealError } from '../core/errors.ts';
import type { GatewayTransport } from '../gateway/transport.ts';
import { Command as MsCommand, commandName, SetReq, typeName } from '../core/mysensors/enums.ts';
import { parseLine } from '../core/mysensors/line.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { Op, Status } from '../core/protocol/body.ts';
import type { Command, ResultBody, SensorValue } from '../core/protocol/body.ts';
import { frameToMessage, isSealedMessage, messageToFrame } from '../core/protocol/carriage.ts';
import { DEFAULT_LOCK_CHILD } from '../core/protocol/constants.ts';
import { ControllerChannel } from '../core/protocol/controller-channel.ts';
import type { OperationOutcome } from '../core/protocol/operation.ts';
import { textToValue, valueToText } from '../core/protocol/value-text.ts';
import type { ControllerCounters, ControllerKeyStore } from '../core/protocol/stores.ts';
import { NodeSession } from './sessions/node-session.ts';
import type { NodeStateView } from './sessions/node-session.ts';
import { PinEntry } from './lock/pin-entry.ts';
import { RateLimiter } from './lock/rate-limit.ts';
import type { DigitOutcome } from './lock/pin-entry.ts';
import type { AuditEvent, AuditInput } from '../audit/audit-log.ts';
import { controllerText, describeOutcome } from './lock/outcome.ts';
import type { OutcomeReport } from './lock/outcome.ts';
import { HeldCommands, HOLD_MS } from './routing/held-commands.ts';
import { refusedLineNotice, undeliveredNotice } from './routing/notice.ts';
import type { UndeliveredCode } from './routing/notice.ts';
import { RecentSends } from './routing/recent-sends.ts';
import { GatewayWatch } from './health/gateway-watch.ts';
import type { GatewayWatchTimings } from './health/gateway-watch.ts';
import { controllerMayReach } from './routing/controller-allow-list.ts';

export type ChildPolicy = 'seal' | 'refuse' | 'pass';
export type ChildKind = 'lock' | 'relay' | 'contact' | 'sensor';

export interface ChildOptions {
  kind: ChildKind;
  /** What happens to a controller's plain command to this child. */
  policy: ChildPolicy;
  pinLength?: number;
  /** Sets to this child go challenge-bound. */
  critical?: boolean;
  /** Plain C_SET and C_REQ from this child reach controllers (otherwise only sealed reports do). */
  acceptPlain?: boolean;
}

export interface NodeOptions {
  name?: string;
  children: ReadonlyMap<number, ChildOptions>;
  /** Controllers may reboot the node and send it firmware (controller-allow-list.ts). */
  allowFirmwareUpdate?: boolean;
}

/** Where the daemon's audit entries go (AuditLog; a list in tests). Never a PIN, a digit or a key. */
export interface AuditSink {
  append(entry: AuditInput): void;
}

export interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

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
  /** PIN entry's submit and clear keys (pinEntry.submitKey / clearKey; '#' and '*' by default). */
  submitKey?: string;
  clearKey?: string;
  /**
   * Nodes that still run the original sketch (docs/migrating.md): an unlock for them goes out as the
   * original script's AES-ECB line, which anyone who records it can replay. `line` builds it.
   */
  legacy?: { nodes: ReadonlySet<number>; line: (node: number, pin: string) => string };
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

/**
 * What controllers are sent: a message, and the gateway's own line when it is passed on unchanged
 * (then `line` is what a line-based listener writes; `message` is absent when MySeal's strict
 * parser refused the line but it is still legal gateway output, such as a string with ';').
 */
export interface Outbound {
  message?: MySensorsMessage;
  line?: string;
  /**
   * MySeal's word to one controller about a command of its that was not delivered (notice.ts): a
   * TCP controller gets it as the gateway's log message `0;255;3;0;9;<notice>`, MQTT under
   * `<out>/0/255/3/0/9`. Never broadcast.
   */
  notice?: string;
}

/** Someone who receives what the gateway says: a controller on the proxy port, an MQTT bridge. */
export interface Downstream {
  readonly id: string;
  send(item: Outbound): void;
}

/** Refusals of MySeal's strict line rules that are still legal output of a real gateway. */
const PASSED_ON_AS_IS: ReadonlySet<ErrorCode> = new Set([ErrorCode.PAYLOAD_FORBIDDEN_CHAR]);

/** The original sketch's lock child, and the lock child of a sealed node without one configured. */
const LEGACY_LOCK_CHILD = DEFAULT_LOCK_CHILD;

const noopLogger: LoggerLike = { info() {}, warn() {}, error() {}, debug() {} };

/** What the status page follows live. */
export interface DaemonEvents {
  /** An audit entry as it is written (never a PIN, a digit or a key). */
  audit: [entry: AuditInput & { ts: string }];
  /** A node's state may have changed (after a result, a report, a refused frame). */
  node: [node: number];
  /** The outcome of an unlock, whichever way its PIN came (for `<out>/N/result` on MQTT). */
  result: [report: OutcomeReport];
}

export class Daemon {
  /** Live changes for the web page's event stream. */
  readonly events = new EventEmitter<DaemonEvents>();
  private readonly opts: DaemonOptions;
  private readonly log: LoggerLike;
  private readonly sessions = new Map<number, NodeSession>();
  private readonly downstream = new Set<Downstream>();
  readonly pinEntry: PinEntry<OutcomeReport>;
  /** Counts of refused frames and bad input by error code name: the security and health counters. */
  readonly counters = new Map<string, number>();
  /** Every node heard through the gateway, sealed or not: when, and how often (health). */
  private readonly heard = new Map<number, { lastSeen: number; messages: number }>();
  private readonly clock: () => number;
  private readonly pinTries: RateLimiter;
  /** Controllers' plain commands waiting for a gateway that is reconnecting. */
  private readonly held: HeldCommands;
  /** Plain commands just sent, in case the link drops under them. */
  private readonly recent: RecentSends;
  /** Operations waiting for the gateway link (gatewayUp), woken by the one connected handler. */
  private readonly upWaiters: Set<(up: boolean) => void>;
  private stopping = false;
  /** Whether the gateway itself answers, beyond the link being up (an MQTT gateway behind a live broker). */
  private readonly watch: GatewayWatch;
  /** How long a command waits for a gateway that is reconnecting. */
  private readonly holdMs: number;

  constructor(opts: DaemonOptions) {
    this.opts = opts;
    this.log = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? Date.now;
    this.pinTries = new RateLimiter(opts.pinTriesPerMinute, opts.clock);
    this.pinEntry = new PinEntry<OutcomeReport>(
      {
        digitTimeoutMs: opts.digitTimeoutMs,
        submitKey: opts.submitKey,
        clearKey: opts.clearKey,
        pinLength: (node) => this.lockChild(node)?.options.pinLength ?? 4,
        onFirstDigit: (node) => {
          const lock = this.lockChild(node);
          if (lock) this.session(node)?.prefetchChallenge(lock.child);
        },
        onTimeout: (node, digits) => this.audit({ event: 'digit', node, source: 'pin-entry', result: 'timeout', detail: { count: digits } }),
      },
      (node, pin) => this.unlock(node, pin, 'pin-entry'),
    );
    // Before the daemon's own listeners: a line proves the gateway alive before anything acts on it.
    this.watch = new GatewayWatch(opts.gateway, {
      ...opts.gatewayWatch,
      clock: this.clock,
      onChange: (answering) => {
        if (answering) this.log.info({ gateway: opts.gateway.description }, 'gateway answering again');
        else this.log.warn({ gateway: opts.gateway.description }, 'gateway not answering');
      },
    });
    opts.gateway.on('message', (m, raw) => this.fromGateway(m, raw));
    opts.gateway.on('invalid', (e, raw) => {
      this.count(e, 'gateway');
      // A node's string with ';' is legal gateway output that MySeal would never send itself: it still
      // reaches controllers as it was. Anything else refused (wrong field counts, bad numbers, broken
      // hex, garbage) does not, and a sealed-frame line never does: those are MySeal's alone.
      if (raw !== undefined && PASSED_ON_AS_IS.has(e.code) && !/^\d+;\d+;4;\d;83;/.test(raw)) {
        this.broadcast({ line: raw });
      }
    });
    this.holdMs = opts.holdMs ?? HOLD_MS;
    this.held = new HeldCommands({
      clock: this.clock,
      holdMs: this.holdMs,
      expired: (c) => this.undelivered(c.message, c.source, 'GATEWAY_DOWN'),
    });
    this.recent = new RecentSends(this.clock);
    this.upWaiters = new Set();
    // A gateway that cannot be reached (or a broker that refuses the login) is said once per cause,
    // not at every retry: the backoff retries for as long as it takes.
    let lastFailure = '';
    opts.gateway.on('failed', (reason) => {
      if (reason !== lastFailure) this.log.error({ gateway: opts.gateway.description, reason }, 'gateway connection failed');
      lastFailure = reason;
    });
    opts.gateway.on('connected', () => {
      lastFailure = '';
      this.log.info({ gateway: opts.gateway.description }, 'gateway connected');
      this.held.flush((c) => this.sendPlain(c.message, c.source));
      for (const wake of [...this.upWaiters]) wake(true);
    });
    opts.gateway.on('disconnected', (reason) => {
      this.log.warn({ gateway: opts.gateway.description, reason }, 'gateway disconnected');
      const lost = this.recent.lost();
      if (this.stopping) return;
      for (const r of lost) this.undelivered(r.message, r.source, 'LINK_LOST');
    });
  }

  start(): void {
    this.opts.gateway.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pinEntry.close();
    this.held.drop();
    // Operations still waiting for the link end now (gateway_down), not when their wait runs out.
    for (const wake of [...this.upWaiters]) wake(false);
    this.watch.close();
    await this.opts.gateway.stop();
  }

  // ---- sessions and configuration ----------------------------------------------------------

  /** The session of a node that has a key, created on first use. */
  session(node: number): NodeSession | undefined {
    const existing = this.sessions.get(node);
    if (existing) return existing;
    if (!this.opts.keys.get(node)) return undefined;
    const channel = new ControllerChannel({ nodeId: node, keys: this.opts.keys, counters: this.opts.counters });
    const session = new NodeSession({
      channel,
      timeoutMs: this.opts.timeoutMs,
      retries: this.opts.retries,
      clock: this.opts.clock,
      write: async (child, frame) => {
        if (!this.opts.gateway.send(frameToMessage(node, child, frame))) {
          throw new MySealError(ErrorCode.GATEWAY_DOWN, 'gateway is not connected', { node });
        }
      },
      onReport: (child, value) => this.relayReport(node, child, value),
      onRejected: (child, error) => {
        this.count(error, 'node');
        // The detail says what the node answered to a frame MySeal did not send; nothing secret.
        const detail = error.code === ErrorCode.UNEXPECTED_RESULT ? { ...error.detail } : undefined;
        this.audit({ event: 'security', node, child, source: `node:${node}`, result: error.codeName, ...(detail ? { detail } : {}) });
      },
    });
    this.sessions.set(node, session);
    return session;
  }

  nodeView(node: number): NodeStateView | undefined {
    return this.session(node)?.view();
  }

  nodeIds(): number[] {
    return [...new Set([...this.opts.nodes.keys(), ...this.sessions.keys()])].sort((a, b) => a - b);
  }

  /** The gateway link and every node heard through it, for the health endpoint and status page. */
  health(): {
    gatewayConnected: boolean;
    gatewayAnswering: boolean;
    gatewayLastHeard: number | null;
    gateway: string;
    nodes: { node: number; lastSeen: number; messages: number }[];
  } {
    return {
      gatewayConnected: this.opts.gateway.connected,
      gatewayAnswering: this.watch.answering,
      gatewayLastHeard: this.watch.lastHeard,
      gateway: this.opts.gateway.description,
      nodes: [...this.heard].sort(([a], [b]) => a - b).map(([node, h]) => ({ node, ...h })),
    };
  }

  private lockChild(node: number): { child: number; options: ChildOptions } | undefined {
    for (const [child, options] of this.opts.nodes.get(node)?.children ?? []) {
      if (options.kind === 'lock') return { child, options };
    }
    const known = this.opts.keys.get(node) !== undefined || this.isLegacy(node);
    return known ? { child: LEGACY_LOCK_CHILD, options: { kind: 'lock', policy: 'refuse' } } : undefined;
  }

  private isLegacy(node: number): boolean {
    return this.opts.legacy?.nodes.has(node) ?? false;
  }

  /** Counts refused input (and logs it without its content). */
  count(error: MySealError, where: string): void {
    this.countCode(where, error.codeName, error.detail);
  }

  /** The same, for input refused before it became a MySealError (an HTTP request the API turned away). */
  countCode(where: string, code: string, detail: Readonly<Record<string, string | number | boolean>> = {}): void {
    const key = `${where}:${code}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    this.log.warn({ where, code, detail }, 'refused input');
  }

  private audit(entry: AuditInput): void {
    try {
      this.opts.audit?.append(entry);
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : 'unknown' }, 'audit log write failed');
    }
    this.events.emit('audit', { ts: new Date(this.clock()).toISOString(), ...entry });
    if (entry.node !== undefined) this.events.emit('node', entry.node);
  }

  // ---- downstream (controllers) ------------------------------------------------------------

  attach(d: Downstream): void {
    this.downstream.add(d);
  }

  detach(d: Downstream): void {
    this.downstream.delete(d);
  }

  private broadcast(item: Outbound): void {
    for (const d of this.downstream) {
      try {
        d.send(item);
      } catch (e) {
        this.log.warn({ downstream: d.id, err: e instanceof Error ? e.message : 'unknown' }, 'downstream send failed');
      }
    }
  }

  /** A notice for one controller alone: the one whose id is `source`, if it is still connected. */
  private reply(source: string, notice: string): void {
    for (const d of this.downstream) {
      if (d.id !== source) continue;
      try {
        d.send({ notice });
      } catch (e) {
        this.log.warn({ downstream: d.id, err: e instanceof Error ? e.message : 'unknown' }, 'downstream send failed');
      }
    }
  }

  /**
   * A controller's command that MySeal did not deliver (or cannot say was delivered): counted under
   * undelivered:<CODE>, logged and audited without its payload, and reported to its sender. (The
   * audit log's flood guard bounds what an outage under heavy controller traffic costs in fsyncs.)
   */
  private undelivered(m: MySensorsMessage, source: string, code: UndeliveredCode, result?: string): void {
    const key = `undelivered:${code}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    const detail = { command: commandName(m.command), type: typeName(m.command, m.type) };
    this.log.warn({ source, node: m.nodeId, child: m.childId, code, ...detail }, 'controller command not delivered');
    this.audit({ event: 'set', node: m.nodeId, child: m.childId, source, result: result ?? `not delivered: ${code}`, detail });
    // What is sent to a lock, or to a node on the original sketch, may carry PIN material: no payload.
    const guarded = this.isLegacy(m.nodeId) || this.lockChild(m.nodeId)?.child === m.childId;
    this.reply(source, undeliveredNotice(m, code, !guarded));
  }

  /** A line from a controller that could not be read: counted under controller:<CODE>, and its sender told. */
  refusedFromController(error: MySealError, source: string): void {
    this.count(error, 'controller');
    this.reply(source, refusedLineNotice(error.codeName));
  }

  /** A message MySeal composes for controllers (a relayed report, a lock state, a result text). */
  private send(message: MySensorsMessage): void {
    this.broadcast({ message });
  }

  // ---- gateway to controllers --------------------------------------------------------------

  private fromGateway(m: MySensorsMessage, raw?: string): void {
    const heard = this.heard.get(m.nodeId) ?? { lastSeen: 0, messages: 0 };
    heard.lastSeen = this.clock();
    heard.messages++;
    this.heard.set(m.nodeId, heard);
    this.recent.heard(m);
    // The answer to MySeal's own probe is MySeal's: no controller asked (gateway-watch.ts, claimsAnswer).
    if (this.watch.claimsAnswer(m)) return;
    if (!isSealedMessage(m)) {
      if (this.plainForged(m)) return;
      this.broadcast({ message: m, line: raw });
      return;
    }
    if (m.echo) return; // the echo of a frame we sent: nothing to open
    const sealed = messageToFrame(m);
    if (!sealed.ok) {
      this.count(sealed.error, 'gateway');
      return;
    }
    const session = this.session(m.nodeId);
    if (!session) {
      this.count(new MySealError(ErrorCode.NO_KEY, 'sealed frame from a node without a key', { node: m.nodeId }), 'node');
      return;
    }
    session.deliver(sealed.value.child, sealed.value.frame);
  }

  /**
   * True (and counted, logged, audited) for a plain value or request from a child MySeal seals:
   * every child of a node with a key, unless configured acceptPlain. Such a line is what anyone
   * with access to the gateway link or the radio can forge (`5;1;1;0;36;0`, the door "unlocked"),
   * so controllers never see it; they learn the child's state from authentic sealed reports alone.
   * Presentations and internal messages (sketch name, battery, heartbeat) still pass.
   */
  private plainForged(m: MySensorsMessage): boolean {
    if (m.command !== MsCommand.C_SET && m.command !== MsCommand.C_REQ) return false;
    if (this.opts.keys.get(m.nodeId) === undefined) return false;
    if (this.opts.nodes.get(m.nodeId)?.children.get(m.childId)?.acceptPlain === true) return false;
    const detail = { command: commandName(m.command), type: typeName(m.command, m.type) };
    this.count(new MySealError(ErrorCode.PLAIN_FROM_SEALED_NODE, 'plain value from a sealed child dropped', { node: m.nodeId, child: m.childId, ...detail }), 'gateway');
    this.audit({ event: 'security', node: m.nodeId, child: m.childId, source: 'gateway', result: 'PLAIN_FROM_SEALED_NODE', detail });
    return true;
  }

  /** An authentic, fresh report becomes the plain message the node would have sent. */
  private relayReport(node: number, child: number, value: SensorValue): void {
    this.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: value.type, payload: valueToText(value) });
    this.audit({ event: 'report', node, child, source: `node:${node}`, result: 'accepted', detail: { type: value.type } });
  }

  // ---- controllers to the gateway ----------------------------------------------------------

  /**
   * A controller's message: passed on, sealed or refused by the child's policy. Whatever is not
   * delivered is reported to its sender (undelivered): none is lost without a word.
   */
  fromController(m: MySensorsMessage, source: string): void {
    if (isSealedMessage(m)) {
      // Only MySeal itself puts sealed frames on the gateway link: counters stay in one place.
      this.count(new MySealError(ErrorCode.NOT_SEALED, 'a controller sent a raw sealed frame', { node: m.nodeId }), 'controller');
      this.audit({ event: 'security', node: m.nodeId, child: m.childId, source, result: 'raw sealed frame refused' });
      this.reply(source, undeliveredNotice(m, 'NOT_SEALED', false));
      return;
    }
    const child = this.opts.nodes.get(m.nodeId)?.children.get(m.childId);
    const sealedNode = this.opts.keys.get(m.nodeId) !== undefined;
    const command = m.command === MsCommand.C_SET || m.command === MsCommand.C_REQ;
    if (sealedNode && !command && !controllerMayReach(m, this.opts.nodes.get(m.nodeId)?.allowFirmwareUpdate === true)) {
      this.log.info({ source, node: m.nodeId, command: commandName(m.command), type: typeName(m.command, m.type) }, 'controller message to a sealed node refused');
      this.undelivered(m, source, 'NOT_ALLOWED', 'refused: not allowed to a sealed node');
      return;
    }
    const policy = child?.policy ?? (sealedNode && m.childId === this.lockChild(m.nodeId)?.child ? 'refuse' : 'pass');
    if (policy === 'pass' || !command) {
      this.passOn(m, source);
      return;
    }
    if (policy === 'refuse') {
      this.log.info({ source, node: m.nodeId, child: m.childId }, 'plain command to a sealed child refused');
      this.undelivered(m, source, 'REFUSED_BY_POLICY', 'refused by policy');
      return;
    }
    void this.sealForController(m, child!, source);
  }

  /** A plain message for the gateway: sent now, or held while the link is down (held-commands.ts). */
  private passOn(m: MySensorsMessage, source: string): void {
    // Behind commands already waiting, so that one controller's commands keep their order.
    if (this.held.size === 0 && this.sendPlain(m, source)) return;
    if (!this.held.hold(m, source)) this.undelivered(m, source, 'GATEWAY_DOWN');
  }

  /** True when the message went on the link (and is remembered in case the link drops under it). */
  private sendPlain(m: MySensorsMessage, source: string): boolean {
    let sent: boolean;
    try {
      sent = this.opts.gateway.send(m);
    } catch (e) {
      // A message the gateway would mangle; parseLine already refuses those, so this is a last guard.
      if (isMySealError(e)) this.count(e, 'controller');
      this.undelivered(m, source, 'FAILED');
      return true;
    }
    if (sent) this.recent.record(m, source);
    return sent;
  }

  /**
   * Resolves true once the gateway link is up, false after waitMs without it. The waiters hang on
   * the daemon's own 'connected' handler, not on the gateway one listener each: an outage under load
   * has many operations waiting at once.
   */
  private gatewayUp(waitMs: number): Promise<boolean> {
    if (this.opts.gateway.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (up: boolean): void => {
        clearTimeout(timer);
        this.upWaiters.delete(done);
        resolve(up);
      };
      const timer = setTimeout(() => done(false), waitMs);
      this.upWaiters.add(done);
    });
  }

  /** The link is up (after a reconnect wait of holdMs at most) and the gateway answers (gateway-watch.ts). */
  private async gatewayReady(): Promise<boolean> {
    return (await this.gatewayUp(this.holdMs)) && (await this.watch.confirm());
  }

  /**
   * A node that did not answer, behind a gateway that does not answer either: the gateway is the
   * cause and is named (gateway unreachable), not the node.
   */
  private async blameGateway(e: unknown, node: number): Promise<unknown> {
    if (!isMySealError(e, ErrorCode.TIMEOUT) || (await this.watch.confirm())) return e;
    return new MySealError(ErrorCode.GATEWAY_DOWN, 'the gateway does not answer', { node });
  }

  private async sealForController(m: MySensorsMessage, child: ChildOptions, source: string): Promise<void> {
    const session = this.session(m.nodeId);
    if (!session) {
      this.undelivered(m, source, 'NO_KEY');
      return;
    }
    let command: Command;
    try {
      if (m.command === MsCommand.C_REQ) {
        command = { op: Op.Status };
      } else if (child.kind === 'lock' && m.type === SetReq.V_LOCK_STATUS && m.payload === '1') {
        command = { op: Op.Lock };
      } else if (child.kind === 'lock') {
        this.undelivered(m, source, 'NEEDS_PIN', 'refused: unlocking needs the PIN');
        return;
      } else {
        command = { op: Op.Set, value: textToValue(m.type, m.payload) };
      }
    } catch (e) {
      if (isMySealError(e)) this.count(e, 'controller');
      this.undelivered(m, source, 'BAD_VALUE');
      return;
    }
    // A sealed command waits for a reconnecting gateway as long as a plain one would (holdMs).
    if (!(await this.gatewayReady())) {
      this.undelivered(m, source, 'GATEWAY_DOWN');
      return;
    }
    let out: OperationOutcome;
    try {
      // `critical` binds sets and locks to a challenge; a status request stays a plain COMMAND.
      out = await session.run(m.childId, command, { critical: child.critical === true && command.op !== Op.Status });
    } catch (caught) {
      const e = await this.blameGateway(caught, m.nodeId);
      const code = isMySealError(e, ErrorCode.GATEWAY_DOWN) ? 'GATEWAY_DOWN' : isMySealError(e, ErrorCode.TIMEOUT) ? 'TIMEOUT' : 'FAILED';
      this.undelivered(m, source, code, isMySealError(e) ? e.codeName : 'error');
      return;
    }
    const result = describeOutcome(m.nodeId, out.result).result;
    if (out.result.status === Status.Done || out.result.status === Status.Locked) {
      this.audit({ event: 'set', node: m.nodeId, child: m.childId, source, result });
      // The echo a controller asked for (Domoticz waits for it and repeats the command otherwise),
      // as the node stack would have sent it, then the value that now holds.
      if (m.echo) this.send({ ...m, command: MsCommand.C_SET, echo: true });
      this.send({ ...m, command: MsCommand.C_SET, echo: false });
    } else if (out.result.status === Status.LockStatus) {
      this.audit({ event: 'set', node: m.nodeId, child: m.childId, source, result });
      this.broadcastLockState(m.nodeId, m.childId, out.result.locked);
    } else {
      this.undelivered(m, source, 'REFUSED_BY_NODE', result);
    }
  }

  private broadcastLockState(node: number, child: number, locked: boolean): void {
    this.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: SetReq.V_LOCK_STATUS, payload: locked ? '1' : '0' });
  }

  private broadcastText(node: number, child: number, report: OutcomeReport): void {
    this.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: SetReq.V_TEXT, payload: controllerText(report) });
  }

  // ---- operations (HTTP, CLI, PIN entry) ------------------------------------------------------

  /** One key press of PIN entry for a node. */
  digit(node: number, key: string, source: string): DigitOutcome<OutcomeReport> {
    if (!this.lockChild(node)) throw new MySealError(ErrorCode.NO_KEY, 'no sealed lock on this node', { node });
    const outcome = this.pinEntry.press(node, key);
    // The audit records that a key was pressed and the buffer's length, never the key.
    const entry: AuditInput = { event: 'digit', node, source, result: outcome.state, detail: outcome.state === 'buffered' ? { count: outcome.count } : {} };
    // The last key's unlock frame goes out in this turn's microtasks (the challenge was prefetched):
    // its entry, an fsync, is written right after rather than holding the frame back. Still before
    // anything the node answers can be read, so the audit keeps its order.
    if (outcome.state === 'submitted') setImmediate(() => this.audit(entry));
    else this.audit(entry);
    return outcome;
  }

  /**
   * Unlocks with a PIN. A node configured legacyEcb gets the original format whichever way it is
   * asked; `legacy: true` (`myseal unlock --legacy-ecb`) insists on it, and is refused for a node the
   * configuration does not put in legacy mode: a replayable line goes out only where the owner
   * said so.
   */
  unlock(node: number, pin: string, source: string, opts: { legacy?: boolean } = {}): Promise<OutcomeReport> {
    if (this.isLegacy(node)) return this.legacyUnlock(node, pin, source);
    if (opts.legacy === true) {
      const report = describeOutcome(node, new MySealError(ErrorCode.REFUSED_BY_POLICY, 'not in legacy mode', { node }));
      this.audit({ event: 'legacy', node, child: LEGACY_LOCK_CHILD, source, result: report.result });
      return Promise.resolve(report);
    }
    return this.lockOperation(node, { op: Op.Unlock, pin }, 'unlock', source);
  }

  /** The original format: sent, never confirmed (the old sketch does not answer), and replayable. */
  private async legacyUnlock(node: number, pin: string, source: string): Promise<OutcomeReport> {
    if (!this.pinTries.take(node)) return describeOutcome(node, new MySealError(ErrorCode.RATE_LIMITED, 'too many PIN tries', { node }));
    const ready = await this.gatewayReady();
    let report: OutcomeReport;
    try {
      const parsed = parseLine(this.opts.legacy!.line(node, pin));
      if (!parsed.ok) throw parsed.error;
      report = ready && this.opts.gateway.send(parsed.value)
        ? { node, result: 'sent_legacy', ok: true, text: 'sent (legacy, replayable)', httpStatus: 200, exitCode: 0 }
        : describeOutcome(node, new MySealError(ErrorCode.GATEWAY_DOWN, 'legacy line not sent', { node }));
    } catch (e) {
      // No legacy key for the node, most likely: say so, rather than blame the gateway.
      this.log.error({ node, code: isMySealError(e) ? e.codeName : 'error' }, 'legacy line not built');
      report = describeOutcome(node, e);
    }
    this.audit({ event: 'legacy', node, child: LEGACY_LOCK_CHILD, source, result: report.result });
    this.events.emit('result', report);
    return report;
  }

  lock(node: number, source: string): Promise<OutcomeReport> {
    return this.lockOperation(node, { op: Op.Lock }, 'lock', source);
  }

  status(node: number, source: string): Promise<OutcomeReport> {
    return this.lockOperation(node, { op: Op.Status }, 'status', source);
  }

  setPin(node: number, oldPin: string, newPin: string, source: string): Promise<OutcomeReport> {
    return this.lockOperation(node, { op: Op.SetPin, oldPin, newPin }, 'set_pin', source);
  }

  private async lockOperation(node: number, command: Command, event: AuditEvent, source: string): Promise<OutcomeReport> {
    const lock = this.lockChild(node);
    const session = this.session(node);
    if (!lock || !session) throw new MySealError(ErrorCode.NO_KEY, 'no sealed lock on this node', { node });
    const finish = (report: OutcomeReport): OutcomeReport => {
      if (command.op === Op.Unlock) this.events.emit('result', report);
      return report;
    };
    if ((command.op === Op.Unlock || command.op === Op.SetPin) && !this.pinTries.take(node)) {
      const report = describeOutcome(node, new MySealError(ErrorCode.RATE_LIMITED, 'too many PIN tries', { node }));
      this.audit({ event, node, child: lock.child, source, result: report.result });
      return finish(report);
    }
    let out: OperationOutcome;
    try {
      // A gateway that is reconnecting gets the same short wait as controllers' commands do, and one
      // not heard from lately is asked whether it is there (gateway-watch.ts). (No await at all when
      // it was heard just now, as after the first digit's challenge: the last digit's path to the frame.)
      if (!this.watch.heardRecently() && !(await this.gatewayReady())) throw new MySealError(ErrorCode.GATEWAY_DOWN, 'gateway is not connected or does not answer', { node });
      // A lock child configured critical gets every LOCK challenge-bound, whichever way it came.
      out = await session.run(lock.child, command, { critical: command.op === Op.Lock && lock.options.critical === true });
    } catch (e) {
      const report = describeOutcome(node, await this.blameGateway(e, node));
      this.audit({ event, node, child: lock.child, source, result: report.result });
      this.broadcastText(node, lock.child, report);
      return finish(report);
    }
    const report = describeOutcome(node, out.result);
    this.audit({ event, node, child: lock.child, source, result: report.result, detail: report.detail });
    this.announce(node, lock.child, out.result, report);
    return finish(report);
  }

  /** Tells controllers what happened, in the plain messages they understand. */
  private announce(node: number, child: number, r: ResultBody, report: OutcomeReport): void {
    if (r.status === Status.Unlocked) this.broadcastLockState(node, child, false);
    if (r.status === Status.Locked) this.broadcastLockState(node, child, true);
    if (r.status === Status.LockStatus) this.broadcastLockState(node, child, r.locked);
    this.broadcastText(node, child, report);
  }
}

