/**
 * The controller's durable stores as one process sees them: the keys and counters outlive the
 * process (the same memory stores are handed to the next one, as files would be), and a process
 * that has died can no longer touch them. Its operations, still on the model's clock, fail at their
 * next step instead of sealing with counters or keys the next process owns.
 */
import { ErrorCode, MySealError } from '../../src/core/errors.ts';
import type { ControllerCounters, ControllerKeyStore, NodeKeys } from '../../src/core/protocol/stores.ts';

export class ProcessStores implements ControllerCounters, ControllerKeyStore {
  #alive = true;

  constructor(
    private readonly counters: ControllerCounters,
    private readonly keys: ControllerKeyStore,
  ) {}

  /** The process died: every later use fails. */
  die(): void {
    this.#alive = false;
  }

  #live(): void {
    if (!this.#alive) throw new MySealError(ErrorCode.STORAGE_IO, 'this controller process has stopped');
  }

  nextSend(nodeId: number): Promise<number> {
    this.#live();
    return this.counters.nextSend(nodeId);
  }

  raiseSendAbove(nodeId: number, floor: number): Promise<void> {
    this.#live();
    return this.counters.raiseSendAbove(nodeId, floor);
  }

  lastReceived(nodeId: number): number {
    return this.counters.lastReceived(nodeId);
  }

  recordReceived(nodeId: number, counter: number): Promise<boolean> {
    this.#live();
    return this.counters.recordReceived(nodeId, counter);
  }

  get(nodeId: number): NodeKeys | undefined {
    return this.keys.get(nodeId);
  }

  has(nodeId: number): boolean {
    return this.keys.has(nodeId);
  }

  setPending(nodeId: number, key: Uint8Array): Promise<void> {
    this.#live();
    return this.keys.setPending(nodeId, key);
  }

  commitPending(nodeId: number): Promise<void> {
    this.#live();
    return this.keys.commitPending(nodeId);
  }

  discardPending(nodeId: number): Promise<void> {
    this.#live();
    return this.keys.discardPending(nodeId);
  }
}
