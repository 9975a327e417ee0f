/**
 * What the controller side needs from storage. The protocol code depends on these interfaces only;
 * src/store/ has the durable file-backed implementations and memory ones for tests and the demo.
 */
import { MAX_COUNTER } from './constants.ts';

export interface ControllerCounters {
  /**
   * Returns a controller-to-node counter never returned before for this node, even across a crash:
   * a durable store reserves counters ahead on disk (written and fsynced) before handing one out.
   * Counters start at 1 and strictly increase. The counter is taken at once (a concurrent call gets
   * the next one) and handed over once the reservation covering it is durable: only then may a frame
   * carry it. Throws at once what needs no disk (a bad or unknown node, counters used up); an I/O
   * failure rejects, and that counter is skipped, never handed out.
   */
  nextSend(nodeId: number): Promise<number>;
  /** Makes every later nextSend() return more than `floor` (resync after a stale-counter result); durable when it resolves. */
  raiseSendAbove(nodeId: number, floor: number): Promise<void>;
  /** The highest node-to-controller counter accepted so far (0 when none). */
  lastReceived(nodeId: number): number;
  /**
   * Accepts a node counter above every one accepted before: at once (a second call with it, or a
   * lower one, gets false and writes nothing), and durably when the promise resolves with true.
   * Callers act on the frame only after true: "persist before acting" (docs/protocol.md, section 6).
   */
  recordReceived(nodeId: number, counter: number): Promise<boolean>;
}

export interface NodeKeys {
  /** The key in force for the node. */
  key: Uint8Array;
  /** A rotated key the node has not yet confirmed under; both are tried until it does. */
  pendingKey?: Uint8Array;
}

export interface ControllerKeyStore {
  /** The node's keys, or undefined when the node has none. */
  get(nodeId: number): NodeKeys | undefined;
  /** Whether the node has a key: get() without copying the key to answer (asked for many gateway lines). */
  has(nodeId: number): boolean;
  /**
   * Records a rotated key as pending; durable when the promise resolves (before the rotation frame
   * is sent). Asynchronous so that a daemon's event loop never waits on the disk for it.
   */
  setPending(nodeId: number, key: Uint8Array): Promise<void>;
  /** The node confirmed under the pending key: it becomes the key, the old one is forgotten; durable on resolve. */
  commitPending(nodeId: number): Promise<void>;
  /** The node answered under the old key after a rotation: the pending key is dropped; durable on resolve. */
  discardPending(nodeId: number): Promise<void>;
}


/** In-memory counters for unit tests and the one-process demo: not crash-safe by design. */
export class MemoryCounters implements ControllerCounters {
  private readonly send = new Map<number, number>();
  private readonly received = new Map<number, number>();

  nextSend(nodeId: number): Promise<number> {
    const next = (this.send.get(nodeId) ?? 0) + 1;
    if (next > MAX_COUNTER) throw new RangeError('counter space exhausted');
    this.send.set(nodeId, next);
    return Promise.resolve(next);
  }

  raiseSendAbove(nodeId: number, floor: number): Promise<void> {
    if ((this.send.get(nodeId) ?? 0) < floor) this.send.set(nodeId, floor);
    return Promise.resolve();
  }

  lastReceived(nodeId: number): number {
    return this.received.get(nodeId) ?? 0;
  }

  recordReceived(nodeId: number, counter: number): Promise<boolean> {
    if (counter <= this.lastReceived(nodeId)) return Promise.resolve(false);
    this.received.set(nodeId, counter);
    return Promise.resolve(true);
  }
}

export class MemoryKeyStore implements ControllerKeyStore {
  private readonly keys = new Map<number, NodeKeys>();

  constructor(initial: Iterable<[number, Uint8Array]> = []) {
    for (const [node, key] of initial) this.keys.set(node, { key: Uint8Array.from(key) });
  }

  get(nodeId: number): NodeKeys | undefined {
    return this.keys.get(nodeId);
  }

  has(nodeId: number): boolean {
    return this.keys.has(nodeId);
  }

  setPending(nodeId: number, key: Uint8Array): Promise<void> {
    const entry = this.keys.get(nodeId);
    if (!entry) throw new RangeError(`no key for node ${nodeId}`);
    entry.pendingKey = Uint8Array.from(key);
    return Promise.resolve();
  }

  commitPending(nodeId: number): Promise<void> {
    const entry = this.keys.get(nodeId);
    if (entry?.pendingKey) this.keys.set(nodeId, { key: entry.pendingKey });
    return Promise.resolve();
  }

  discardPending(nodeId: number): Promise<void> {
    const entry = this.keys.get(nodeId);
    if (entry) delete entry.pendingKey;
    return Promise.resolve();
  }
}
