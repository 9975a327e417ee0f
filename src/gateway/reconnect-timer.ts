/**
 * One pending reconnect at a time, delayed by a Backoff: the gateway link can never end up with two
 * connection attempts racing each other after a burst of errors.
 */
import { Backoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';

export class ReconnectTimer {
  readonly backoff: Backoff;
  readonly #attempt: () => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(attempt: () => void, backoff: Backoff | BackoffOptions = {}) {
    this.#attempt = attempt;
    this.backoff = backoff instanceof Backoff ? backoff : new Backoff(backoff);
  }

  get pending(): boolean {
    return this.#timer !== null;
  }

  /** Schedules the next attempt unless one is already pending; returns the delay (0 if already pending). */
  schedule(): number {
    if (this.#timer !== null) return 0;
    const delay = this.backoff.next();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#attempt();
    }, delay);
    return delay;
  }

  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
