/**
 * The one way MySeal waits for an answer: a caller waits for the first item that matches, with a
 * deadline; whoever receives items offers them. A frame from a node, a gateway coming up, a reply
 * to a request: each is an offer, and each wait ends exactly once, with the item or with null
 * (deadline passed, or the waiter closed). No I/O here: items come from whoever owns the link.
 */

interface Pending<T> {
  match: (item: T) => boolean;
  resolve: (item: T | null) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Waiter<T> {
  readonly #pending: Pending<T>[] = [];
  #closed = false;

  /** How many waits are open. */
  get size(): number {
    return this.#pending.length;
  }

  /**
   * Resolves with the first item offered from now on that `match` accepts, or null once `timeoutMs`
   * passes (no deadline when it is Infinity) or the waiter is closed.
   */
  wait(match: (item: T) => boolean = () => true, timeoutMs = Infinity): Promise<T | null> {
    if (this.#closed || !(timeoutMs > 0)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const pending: Pending<T> = { match, resolve, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(() => this.#settle(pending, null), timeoutMs);
      }
      this.#pending.push(pending);
    });
  }

  /** Hands the item to the oldest wait that accepts it; false when none did (the caller keeps it). */
  offer(item: T): boolean {
    const pending = this.#pending.find((p) => p.match(item));
    if (!pending) return false;
    this.#settle(pending, item);
    return true;
  }

  /** Hands the item to every wait that accepts it (news for all, such as "the link is up"); how many took it. */
  offerAll(item: T): number {
    const takers = this.#pending.filter((p) => p.match(item));
    for (const p of takers) this.#settle(p, item);
    return takers.length;
  }

  /** Ends every open wait with null; later waits end at once. */
  close(): void {
    this.#closed = true;
    for (const p of [...this.#pending]) this.#settle(p, null);
  }

  #settle(pending: Pending<T>, item: T | null): void {
    const at = this.#pending.indexOf(pending);
    if (at < 0) return;
    this.#pending.splice(at, 1);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.resolve(item);
  }
}
