/**
 * A controller and a node wired together in memory, with a clock the test moves: the fixture of
 * the protocol tests and the one-process demo.
 */
import { MemoryCounters, MemoryKeyStore } from '../core/protocol/stores.ts';
import { ControllerChannel } from '../core/protocol/controller-channel.ts';
import { LoopbackLink } from './loopback-link.ts';
import { EepromImageStorage } from '../node/node-storage.ts';
import type { NodeStorage } from '../node/node-storage.ts';
import { provisionNode, SealedNode } from '../node/sealed-node.ts';
import type { SealedNodeOptions } from '../node/sealed-node.ts';

export class ManualClock {
  constructor(public now = 1_000_000) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface PairOptions {
  nodeId?: number;
  key?: Uint8Array;
  pin?: string;
  node?: Partial<SealedNodeOptions>;
  storage?: NodeStorage;
}

export function makePair(opts: PairOptions = {}) {
  const nodeId = opts.nodeId ?? 5;
  const key = opts.key ?? Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 3) & 0xff);
  const clock = new ManualClock();
  const storage = opts.storage ?? new EepromImageStorage();
  provisionNode(storage, key, opts.pin ?? '1234');
  const keys = new MemoryKeyStore([[nodeId, key]]);
  const counters = new MemoryCounters();
  const node = new SealedNode({ nodeId, storage, clock: clock.read, lockChild: 1, ...opts.node });
  const link = new LoopbackLink(node);
  const channel = new ControllerChannel({ nodeId, keys, counters, clock: clock.read });
  return { nodeId, key, clock, storage, keys, counters, node, link, channel };
}
