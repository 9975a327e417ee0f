/**
 * Whether the gateway itself answers, not only whether the link to it is up. Over MQTT the link is
 * to the broker, and a MySensors 2.3.2 gateway sets no last will: a dead gateway leaves the link up
 * while commands vanish into the broker. An Ethernet gateway that loses power without closing its
 * TCP connection leaves it half-open until keepalive notices, minutes later.
 *
 * Any line from the gateway (a node's message, a refused line, anything) proves it alive; a batch of
 * lines (one chunk) proves it once. When the
 * link has been quiet for probeAfterMs, and at every (re)connect, the watch asks the gateway for its
 * version, `0;255;3;0;2;`, which every MySensors gateway answers itself on every transport
 * (core/MyGatewayTransport.cpp: `0;255;3;0;2;2.3.2`). No line at all within answerTimeoutMs of the
 * probe: the gateway is not answering, until it says something again. Operations ask confirm()
 * first, so a command to a silent gateway fails as "gateway unreachable" within answerTimeoutMs
 * instead of waiting out the lock's timeouts.
 *
 * A transport whose connection reaches the gateway itself (TCP) is told to abandon() it when the
 * gateway stops answering on it, so the link reconnects as after any loss.
 */
import { Command, Internal } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import { Waiter } from '../../core/waiter.ts';

/** Quiet time on the link before the gateway is asked whether it is still there. */
export const PROBE_AFTER_MS = 5_000;
/** How long a probe may go without any line from the gateway before it counts as not answering. */
export const ANSWER_TIMEOUT_MS = 2_000;

export interface GatewayWatchTimings {
  probeAfterMs?: number;
  answerTimeoutMs?: number;
}

export interface GatewayWatchOptions extends GatewayWatchTimings {
  /** For the time last heard (health) and the quiet time; Date.now by default. */
  clock?: () => number;
  /** The gateway stopped answering (false), or spoke again after that (true): for the log. */
  onChange?: (answering: boolean) => void;
}

/** I_VERSION to the gateway itself; the empty payload is what controllers send too. */
const VERSION_REQUEST: MySensorsMessage = { nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: Internal.I_VERSION, payload: '' };

function isVersionAnswer(m: MySensorsMessage): boolean {
  return m.nodeId === 0 && m.command === Command.C_INTERNAL && m.type === Internal.I_VERSION && !m.echo;
}

interface Probe {
  /** Any line from the gateway since the probe went out. */
  heard: boolean;
  /** The stalled-process allowance was used (see #expire). */
  extended: boolean;
  deadline: number;
  timer: NodeJS.Timeout;
}

export class GatewayWatch {
  readonly #gateway: GatewayTransport;
  readonly #probeAfterMs: number;
  readonly #answerTimeoutMs: number;
  readonly #clock: () => number;
  readonly #onChange: (answering: boolean) => void;
  /** Callers of confirm() waiting for the verdict: each gets the next one offered. */
  readonly #waiters = new Waiter<boolean>();
  #lastHeard: number | null = null;
  /** Something was heard on the current connection. */
  #heardOnLink = false;
  /** A probe went unanswered and nothing was heard since. */
  #silent = false;
  #probe: Probe | null = null;
  /** The last line heard or probe sent on this connection: the quiet time counts from here. */
  #lastActivity = 0;
  #quietTimer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #onLine = (): void => this.#heard();
  readonly #onConnected = (): void => this.#linkUp();
  readonly #onDisconnected = (): void => this.#linkDown();

  constructor(gateway: GatewayTransport, opts: GatewayWatchOptions = {}) {
    this.#gateway = gateway;
    this.#probeAfterMs = opts.probeAfterMs ?? PROBE_AFTER_MS;
    this.#answerTimeoutMs = opts.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    this.#clock = opts.clock ?? Date.now;
    this.#onChange = opts.onChange ?? (() => undefined);
    gateway.on('message', this.#onLine);
    gateway.on('invalid', this.#onLine);
    gateway.on('lines', this.#onLine);
    gateway.on('connected', this.#onConnected);
    gateway.on('disconnected', this.#onDisconnected);
    if (gateway.connected) this.#linkUp();
  }

  /** The link is up, the gateway was heard on it, and no probe has gone unanswered since. */
  get answering(): boolean {
    return this.#gateway.connected && this.#heardOnLink && !this.#silent;
  }

  /** When the gateway last said anything (clock ms), on this connection or an earlier one; null if never. */
  get lastHeard(): number | null {
    return this.#lastHeard;
  }

  /** Answering, and heard within the quiet time: an operation can go ahead without asking. */
  heardRecently(): boolean {
    return this.answering && this.#lastHeard !== null && this.#clock() - this.#lastHeard < this.#probeAfterMs;
  }

  /**
   * Resolves true when the gateway was heard recently, or says anything within answerTimeoutMs of
   * a probe (one probe serves every caller waiting at the time); false when the link is down or the
   * probe goes unanswered, and at once while the last probe, sent within the quiet time, went
   * unanswered (the next one is due at its usual time).
   */
  confirm(): Promise<boolean> {
    if (this.#closed || !this.#gateway.connected) return Promise.resolve(false);
    if (this.heardRecently()) return Promise.resolve(true);
    if (this.#silent && this.#probe === null && this.#clock() - this.#lastActivity < this.#probeAfterMs) return Promise.resolve(false);
    const verdict = this.#waiters.wait();
    if (!this.#sendProbe()) this.#settle(false);
    return verdict.then((answering) => answering === true);
  }

  /**
   * True for the gateway's answer to the watch's own outstanding probe, once per probe: the daemon
   * keeps it from controllers, which did not ask. A controller that asks itself (Home Assistant's
   * pymysensors sends I_VERSION when it connects) gets the answer to its own request, which comes
   * separately: the gateway answers every request once. An answer that comes after its probe was
   * given up is passed on; that is harmless, as a controller takes an unasked version answer as
   * news of the gateway's version and nothing more. (A probe the gateway never got could take the
   * answer to a controller's question asked within the same answerTimeoutMs; the controllers that
   * check for one ask again before they give up: openHAB's bridge a second later, pymysensors'
   * keep-alive every 10 s, dropping the link only after 20 s without a word.)
   */
  claimsAnswer(m: MySensorsMessage): boolean {
    if (this.#probe === null || !isVersionAnswer(m)) return false;
    clearTimeout(this.#probe.timer);
    this.#probe = null;
    return true;
  }

  /** Stops watching: timers cleared, waiting callers told false. */
  close(): void {
    this.#closed = true;
    this.#gateway.off('message', this.#onLine);
    this.#gateway.off('invalid', this.#onLine);
    this.#gateway.off('lines', this.#onLine);
    this.#gateway.off('connected', this.#onConnected);
    this.#gateway.off('disconnected', this.#onDisconnected);
    this.#linkDown();
  }

  #linkUp(): void {
    if (this.#closed) return;
    this.#heardOnLink = false;
    this.#silent = false;
    this.#lastActivity = this.#clock();
    // Asked at once: over MQTT nothing else would come from a gateway on its own. A serial or TCP
    // gateway sends its startup lines at connect anyway, which answer as well as the version does.
    this.#sendProbe();
    this.#armQuietTimer();
  }

  #linkDown(): void {
    if (this.#probe) clearTimeout(this.#probe.timer);
    this.#probe = null;
    if (this.#quietTimer) clearTimeout(this.#quietTimer);
    this.#quietTimer = null;
    this.#heardOnLink = false;
    this.#silent = false;
    this.#settle(false);
  }

  #heard(): void {
    const now = this.#clock();
    this.#lastHeard = now;
    this.#lastActivity = now;
    this.#heardOnLink = true;
    if (this.#probe) this.#probe.heard = true;
    if (this.#silent) {
      this.#silent = false;
      this.#onChange(true);
    }
    this.#settle(true);
  }

  #settle(answering: boolean): void {
    // Asked for every chunk the gateway sends: nothing to do, and nothing made, while nobody waits.
    if (this.#waiters.size > 0) this.#waiters.offerAll(answering);
  }

  /** False when the link would not take it. One probe at a time: each answer claims one probe. */
  #sendProbe(): boolean {
    if (this.#probe !== null) return true;
    if (!this.#gateway.send(VERSION_REQUEST)) return false;
    const now = this.#clock();
    this.#lastActivity = now;
    this.#probe = { heard: false, extended: false, deadline: now + this.#answerTimeoutMs, timer: this.#expireIn(this.#answerTimeoutMs) };
    return true;
  }

  /** Not unref'd, unlike the quiet timer: callers may be waiting for the verdict (confirm()). */
  #expireIn(ms: number): NodeJS.Timeout {
    return setTimeout(() => this.#expire(), ms);
  }

  #expire(): void {
    const probe = this.#probe;
    if (!probe) return;
    // A timer that fires well after its time means this process was stalled (a busy machine): the
    // answer may be sitting unread. It gets one more full wait instead of the gateway the blame.
    if (!probe.extended && this.#clock() - probe.deadline > this.#answerTimeoutMs / 4) {
      probe.extended = true;
      probe.deadline = this.#clock() + this.#answerTimeoutMs;
      probe.timer = this.#expireIn(this.#answerTimeoutMs);
      return;
    }
    // Lines already received but not yet read are read first (the poll phase comes before this).
    setImmediate(() => {
      if (this.#probe !== probe) return;
      this.#probe = null;
      if (probe.heard) {
        this.#settle(true);
        return;
      }
      const wasSilent = this.#silent;
      this.#silent = true;
      this.#settle(false);
      if (!wasSilent) this.#onChange(false);
      this.#gateway.abandon?.('the gateway did not answer');
    });
  }

  /** Probes whenever the link has been quiet for probeAfterMs (counting from the last probe too). */
  #armQuietTimer(): void {
    if (this.#closed || this.#quietTimer !== null) return;
    // While a probe is out, its expiry comes first: look again no sooner than that.
    const wait = Math.max(this.#probe === null ? 0 : this.#answerTimeoutMs, this.#lastActivity + this.#probeAfterMs - this.#clock());
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = null;
      if (!this.#gateway.connected) return;
      if (this.#probe === null && this.#clock() - this.#lastActivity >= this.#probeAfterMs) this.#sendProbe();
      this.#armQuietTimer();
    }, wait);
    this.#quietTimer.unref();
  }
}
