/**
 * Reconnect delays for the gateway transports: exponential with jitter, reset once a connection
 * has proved itself by staying up.
 */

/** First retry soon: a gateway reboot or a broker restart is usually over within a second. */
export const BACKOFF_INITIAL_MS = 250;
/** Doubling reaches the cap in eight steps (250 ms to 32 s), about a minute of trying in all. */
export const BACKOFF_FACTOR = 2;
/**
 * A gateway that stays away is retried twice a minute: cheap for both ends, and a lock command
 * queued meanwhile waits at most 30 s longer than it has to.
 */
export const BACKOFF_MAX_MS = 30_000;
/**
 * ±20%: daemons (or transports of one daemon) that lost the same gateway at the same moment do
 * not retry in lockstep, and an ESP gateway with two client slots is not hit by both at once.
 */
export const BACKOFF_JITTER = 0.2;
/**
 * A connection that stays up this long counts as healthy: its loss starts again from the first
 * delay. A gateway that accepts and drops at once (a full client slot does exactly that) keeps
 * backing off instead of being hammered every 250 ms.
 */
export const BACKOFF_STABLE_MS = 10_000;

export interface BackoffOptions {
  initialMs?: number;
  factor?: number;
  maxMs?: number;
  jitter?: number;
  stableMs?: number;
  /** Uniform in [0, 1); tests pass a fixed one. */
  random?: () => number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: number;
  readonly stableMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  #attempt = 0;
  #upSince: number | null = null;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? BACKOFF_INITIAL_MS;
    this.factor = opts.factor ?? BACKOFF_FACTOR;
    this.maxMs = opts.maxMs ?? BACKOFF_MAX_MS;
    this.jitter = opts.jitter ?? BACKOFF_JITTER;
    this.stableMs = opts.stableMs ?? BACKOFF_STABLE_MS;
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? (() => performance.now());
    // Bad settings are a bug in the caller: fail at construction, not at the first outage.
    if (!(this.initialMs > 0) || !(this.factor >= 1) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError('backoff needs initialMs > 0, factor >= 1 and maxMs >= initialMs');
    }
    if (!(this.jitter >= 0 && this.jitter < 1) || !(this.stableMs >= 0)) {
      throw new RangeError('backoff needs 0 <= jitter < 1 and stableMs >= 0');
    }
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call counts one more attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.#attempt, 64));
    this.#attempt++;
    const spread = 1 + this.jitter * (2 * this.#random() - 1);
    return Math.max(1, Math.round(base * spread));
  }

  /** The link came up. */
  connected(): void {
    this.#upSince = this.#now();
  }

  /** The link went down: back to the first delay if it had been up for stableMs. */
  disconnected(): void {
    if (this.#upSince !== null && this.#now() - this.#upSince >= this.stableMs) this.reset();
    this.#upSince = null;
  }

  /**
   * The link carried valid gateway traffic: a gateway that talks is a working gateway, so a loss
   * after this reconnects from the first delay (a gateway restarting twice in a row is back in
   * 250 ms, not 4 s). A peer that accepts and drops without a word still backs off.
   */
  proven(): void {
    this.reset();
  }

  reset(): void {
    this.#attempt = 0;
  }
}
