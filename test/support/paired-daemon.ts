/**
 * A Daemon in front of a FakeGateway holding one virtual sealed node (the memory pair's), its audit
 * entries kept in an array: the start of most service tests. Not started, so a test can attach
 * controllers first.
 */
import { makePair } from '../../src/demo/memory-pair.ts';
import type { AuditInput } from '../../src/audit/schema.ts';
import { Daemon } from '../../src/service/daemon.ts';
import type { ChildOptions } from '../../src/service/daemon.ts';
import { FakeGateway } from './fake-gateway.ts';

export interface PairedDaemonOptions {
  pair?: Parameters<typeof makePair>[0];
  /** The node's children as configured; none (the daemon's defaults) when absent. */
  children?: [number, ChildOptions][];
  timeoutMs?: number;
  retries?: number;
}

export function pairedDaemon(opts: PairedDaemonOptions = {}) {
  const p = makePair(opts.pair);
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const audit: AuditInput[] = [];
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: opts.children ? new Map([[p.nodeId, { children: new Map(opts.children) }]]) : new Map(),
    audit: { append: (e) => audit.push(e) },
    timeoutMs: opts.timeoutMs ?? 200,
    retries: opts.retries ?? 0,
    holdMs: 50,
  });
  return { p, gateway, daemon, audit };
}
