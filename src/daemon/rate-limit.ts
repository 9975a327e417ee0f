/**
 * A per-node limit on PIN submissions, on top of the node's own lockout: the node's lockout stops
 * guessing at the lock, this stops a script on the LAN from burning through the attempts (and the
 * owner's patience) in seconds. A token bucket: `perMinute` tries, refilled evenly.
 */
export const DEFAULT_PIN_TRIES_PER_MINUTE = 10;

export class RateLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute = DEFAULT_PIN_TRIES_PER_MINUTE,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes one try for the node; false when none is left. */
  take(node: number): boolean {
    const now = this.clock();
    const b = this.buckets.get(node) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    this.buckets.set(node, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
