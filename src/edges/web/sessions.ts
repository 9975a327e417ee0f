/**
 * The web page's login sessions and the limit on login tries.
 *
 * A session is 32 random bytes, handed to the browser once as an HttpOnly cookie and kept here only
 * as its SHA-256 (a memory dump shows no usable cookie, and a lookup compares digests, not the
 * secret). Sessions live in memory: a daemon restart logs everyone out, which is the safe direction.
 * A session ends on logout or after `idleMs` without a request; at most `max` live at once (the
 * least recently used goes first), so logging in in a loop cannot grow the map.
 */
import { trimOldest } from '../../core/bounded-map.ts';
import { RateLimiter } from '../../service/lock/rate-limit.ts';
import { issueSecret, presentedDigest, secretDigest } from './handed-out-secret.ts';

/** 12 hours without a request ends a session. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const MAX_SESSIONS = 64;

export interface SessionStoreOptions {
  idleMs?: number;
  max?: number;
  clock?: () => number;
}

export class SessionStore {
  readonly idleMs: number;
  private readonly max: number;
  private readonly clock: () => number;
  /** digest -> last use; a Map keeps insertion order, which `touch` turns into use order. */
  private readonly live = new Map<string, number>();
  private readonly endListeners = new Set<(digest: string) => void>();

  constructor(opts: SessionStoreOptions = {}) {
    this.idleMs = opts.idleMs ?? SESSION_IDLE_MS;
    this.max = opts.max ?? MAX_SESSIONS;
    this.clock = opts.clock ?? Date.now;
  }

  /** A new session; the returned id goes into the cookie and is not kept. */
  create(): string {
    this.sweep();
    trimOldest(this.live, this.max - 1, (key) => this.drop(key));
    const { secret, digest } = issueSecret();
    this.live.set(digest, this.clock());
    return secret;
  }

  /** True for a live session, which counts as its activity. */
  valid(id: string): boolean {
    const key = presentedDigest(id);
    if (key === undefined) return false;
    const last = this.live.get(key);
    if (last === undefined) return false;
    const now = this.clock();
    if (now - last > this.idleMs) {
      this.drop(key);
      return false;
    }
    this.live.delete(key);
    this.live.set(key, now);
    return true;
  }

  /** A session known by its digest is still live; not activity (the event stream asks on each heartbeat). */
  aliveDigest(key: string): boolean {
    const last = this.live.get(key);
    if (last === undefined) return false;
    if (this.clock() - last <= this.idleMs) return true;
    this.drop(key);
    return false;
  }

  end(id: string): void {
    this.drop(secretDigest(id));
  }

  get size(): number {
    return this.live.size;
  }

  /** Called with the digest of every session that ends (logout, idle, evicted). */
  onEnd(listener: (digest: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** The digest a session is known by to `onEnd` listeners. */
  static digest(id: string): string {
    return secretDigest(id);
  }

  private sweep(): void {
    const now = this.clock();
    for (const [key, last] of this.live) if (now - last > this.idleMs) this.drop(key);
  }

  private drop(key: string): void {
    if (!this.live.delete(key)) return;
    for (const l of this.endListeners) l(key);
  }
}

/**
 * Login tries per remote address: `perMinute` in any sliding minute. Every try counts (right or
 * wrong), checked before the token is compared, so guessing costs a minute per `perMinute` guesses.
 * At most `maxAddresses` addresses are tracked; past that the stalest are forgotten.
 */
export class AttemptLimiter extends RateLimiter<string> {
  constructor(perMinute = 5, clock: () => number = Date.now, maxAddresses = 1024) {
    super(perMinute, clock, maxAddresses);
  }
}
