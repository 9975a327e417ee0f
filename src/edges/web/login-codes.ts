/**
 * One-time login codes: what `myseal login-link` puts in the link a phone opens, so that signing
 * in there needs no typing of the API token.
 *
 * A code is 32 random bytes (256 bits), shown once and kept here only as its SHA-256, like a
 * session: a lookup compares digests, so neither a memory dump nor the time a lookup takes gives a
 * usable code away. A code works once, within `ttlMs` of being made; redeeming it deletes it first,
 * so two requests racing with the same code cannot both get in. Codes live in memory only: a
 * daemon restart kills every link not yet opened, which is the safe direction. At most `max` are
 * live at once (the oldest goes first), so asking in a loop cannot grow the map.
 */
import { trimOldest } from '../../core/bounded-map.ts';
import { issueSecret, presentedDigest } from './handed-out-secret.ts';

/** A link is for the phone in the user's hand: ten minutes is ample, and short for a stray screenshot. */
export const LOGIN_CODE_TTL_MS = 10 * 60 * 1000;
export const MAX_LOGIN_CODES = 16;

export interface LoginCode {
  /** Goes into the link once; not kept. */
  code: string;
  /** When it stops working (ms since the epoch, the store's clock). */
  expiresAt: number;
}

export interface LoginCodeStoreOptions {
  ttlMs?: number;
  max?: number;
  clock?: () => number;
}

export class LoginCodeStore {
  readonly ttlMs: number;
  private readonly max: number;
  private readonly clock: () => number;
  /** digest -> expiry, oldest first. */
  private readonly live = new Map<string, number>();

  constructor(opts: LoginCodeStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? LOGIN_CODE_TTL_MS;
    this.max = opts.max ?? MAX_LOGIN_CODES;
    this.clock = opts.clock ?? Date.now;
  }

  create(): LoginCode {
    this.sweep();
    trimOldest(this.live, this.max - 1);
    const { secret, digest } = issueSecret();
    const expiresAt = this.clock() + this.ttlMs;
    this.live.set(digest, expiresAt);
    return { code: secret, expiresAt };
  }

  /** True once for a live code; the code is dead afterwards, whatever the answer. */
  redeem(code: string): boolean {
    const key = presentedDigest(code);
    if (key === undefined) return false;
    const expiresAt = this.live.get(key);
    if (expiresAt === undefined) return false;
    this.live.delete(key);
    return this.clock() <= expiresAt;
  }

  /** Codes made and neither used nor expired. */
  get size(): number {
    this.sweep();
    return this.live.size;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [key, expiresAt] of this.live) if (now > expiresAt) this.live.delete(key);
  }
}
