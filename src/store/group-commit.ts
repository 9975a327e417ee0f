/**
 * Group commit: many small durable writes share one fsync. While one batch is being written and
 * synced, whatever is added waits, and then all of it goes out together as the next batch. So a
 * burst of N writes costs about two fsyncs rather than N, and no write ever waits for more than the
 * batch in flight plus its own. Items are committed in the order they were added.
 *
 * The promise of an item resolves only once `commit` for its batch has resolved, i.e. once it is
 * durable; when a batch fails, every item in it is rejected with that error (later batches are
 * still tried: a full disk may come back).
 */

interface Waiting {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** What settled() waits on: the outcome of an item, whichever it was. */
const ignore = (): undefined => undefined;

export class GroupCommit<T> {
  /** The next batch's items, and beside them (same index) who waits for each: the batch goes to `commit` as it is, not copied out. */
  private items: T[] = [];
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;
  /**
   * Settles with the last item added. Items commit in order, so when it has settled every item
   * added before it has too: what settled() waits for, without also waiting for the batches of
   * items added after the call (under a steady stream of writes, that wait would never end early).
   */
  private last: Promise<void> = Promise.resolve();

  /** `commit` writes a batch and makes it durable; it is never called twice at once. */
  constructor(private readonly commit: (batch: readonly T[]) => Promise<void>) {}

  /** Queues an item; resolves once the batch that carries it is durable. */
  add(item: T): Promise<void> {
    const added = new Promise<void>((resolve, reject) => {
      this.items.push(item);
      this.waiting.push({ resolve, reject });
      // Started a microtask later, so that what is added in the same turn goes in the same batch.
      this.running ??= Promise.resolve().then(() => this.drain());
    });
    this.last = added.then(ignore, ignore);
    return added;
  }

  /** Resolves once every item added before the call is committed or has failed. Never rejects. */
  settled(): Promise<void> {
    return this.last;
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0) {
      const batch = this.items;
      const waiting = this.waiting;
      this.items = [];
      this.waiting = [];
      try {
        await this.commit(batch);
        for (const w of waiting) w.resolve();
      } catch (e) {
        for (const w of waiting) w.reject(e);
      }
    }
    this.running = undefined;
  }
}
