/**
 * At most `perMinute` tries per key in any 60-second window: a sliding window log, the times of the
 * tries taken in the last minute (never more than `perMinute` of them per key). A token bucket would
 * let twice its rate through after a quiet spell: a full burst, then the refill during the minute.
 *
 * The daemon limits PIN submissions per node with it, on top of the node's own lockout: the node's
 * lockout stops guessing at the lock, this stops a script on the LAN from burning through the
 * attempts (and the owner's patience) in seconds. The web page limits login tries per address.
 */
import { trimOldest } from '../../core/bounded-map.ts';

export const DEFAULT_PIN_TRIES_PER_MINUTE = 10;

const WINDOW_MS = 60_000;

/** A clock that never steps back (Date.now does, with the wall clock), so a window cannot stretch. */
const monotonic = (): number => performance.now();

export class RateLimiter<K = number> {
  /** key -> times of the tries taken within the window, oldest first; a Map keeps insertion order, `take` turns it into use order. */
  private readonly tries = new Map<K, number[]>();

  constructor(
    private readonly perMinute = DEFAULT_PIN_TRIES_PER_MINUTE,
    private readonly clock: () => number = monotonic,
    /** Keys tracked at most; past that the stalest are forgotten, so many keys cannot grow the map. */
    private readonly maxKeys = 1024,
  ) {}

  /** Takes one try for the key; false when the last minute already holds `perMinute` of them. */
  take(key: K): boolean {
    const now = this.clock();
    const recent = this.recent(key, now);
    this.tries.delete(key);
    this.tries.set(key, recent);
    if (recent.length >= this.perMinute) return false;
    recent.push(now);
    trimOldest(this.tries, this.maxKeys);
    return true;
  }

  /** Seconds until the key may try again (0 when it may now). */
  retryAfter(key: K): number {
    const now = this.clock();
    const recent = this.recent(key, now);
    if (recent.length < this.perMinute) return 0;
    return Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
  }

  /**
   * The key's tries within the window, the older ones dropped in place: the list is oldest first
   * (the clock never steps back), so they are at its front. Not a filtered copy: with a high limit
   * the list is hundreds long, and every unlock would copy it.
   */
  private recent(key: K, now: number): number[] {
    const tries = this.tries.get(key);
    if (tries === undefined) return [];
    let expired = 0;
    while (expired < tries.length && now - tries[expired]! >= WINDOW_MS) expired++;
    if (expired > 0) tries.splice(0, expired);
    return tries;
  }
}
