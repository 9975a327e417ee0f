/**
 * A controller and a node wired together in memory, with a clock the test moves: the fixture of
 * the protocol tests and the one-process demo.
 */
import { MemoryCounters, MemoryKeyStore } from '../core/protocol/stores.ts';
import { ControllerChannel } from '../core/protocol/controller-channel.ts';
import { LoopbackLink } from './loopback-link.ts';
import { Eeprom } from '../node/eeprom.ts';
import { WasmNode } from '../node/wasm-node.ts';
import type { WasmNodeOptions } from '../node/wasm-node.ts';

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
  node?: Partial<WasmNodeOptions>;
  eeprom?: Eeprom;
}

export function makePair(opts: PairOptions = {}) {
  const nodeId = opts.nodeId ?? 5;
  const key = opts.key ?? Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 3) & 0xff);
  const clock = new ManualClock();
  const eeprom = opts.eeprom ?? new Eeprom();
  const pin = opts.pin ?? '1234';
  const keys = new MemoryKeyStore([[nodeId, key]]);
  const counters = new MemoryCounters();
  const nodeOptions: WasmNodeOptions = { nodeId, key, pin, eeprom, clock: clock.read, lockChild: 1, observeCommands: true, ...opts.node };
  const node = new WasmNode(nodeOptions);
  const link = new LoopbackLink(node);
  const channel = new ControllerChannel({ nodeId, keys, counters, clock: clock.read });
  return { nodeId, key, clock, eeprom, nodeOptions, keys, counters, node, link, channel };
}
