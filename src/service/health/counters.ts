/**
 * The security and health counters: refused input by where it came from and its error code
 * (`gateway:AUTH_FAILED`, `http:CROSS_SITE`), commands not delivered (`undelivered:GATEWAY_DOWN`),
 * and every node heard through the gateway, when and how often.
 */
import type { MySealError } from '../../core/errors.ts';
import type { LineBatch } from '../../core/mysensors/line-batch.ts';
import { headerNode } from '../../core/mysensors/line-header.ts';
import type { LoggerLike } from '../ports.ts';

export interface NodeHeard {
  node: number;
  lastSeen: number;
  messages: number;
}

export class HealthCounters {
  readonly #counts = new Map<string, number>();
  readonly #heard = new Map<number, { lastSeen: number; messages: number }>();

  constructor(
    private readonly log: LoggerLike,
    private readonly clock: () => number,
  ) {}

  /** The counts so far, by key. */
  get counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  /** Counts refused input (and logs it without its content). */
  refused(error: MySealError, where: string): void {
    this.refusedCode(where, error.codeName, error.detail);
  }

  /** The same, for input refused before it became a MySealError (an HTTP request turned away). */
  refusedCode(where: string, code: string, detail: Readonly<Record<string, string | number | boolean>> = {}): void {
    this.bump(`${where}:${code}`);
    this.log.warn({ where, code, detail }, 'refused input');
  }

  /** One more under `key`, without a log line (the caller says what happened its own way). */
  bump(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** The gateway passed on something from this node. */
  heardFrom(node: number): void {
    const heard = this.#node(node);
    heard.lastSeen = this.clock();
    heard.messages++;
  }

  /** heardFrom for every valid line of a batch: they all came at the same moment. */
  heardLines(batch: LineBatch): void {
    const now = this.clock();
    let last = -1;
    let heard: { lastSeen: number; messages: number } | undefined;
    for (let i = 0; i < batch.size; i++) {
      const header = batch.header(i);
      if (header < 0) continue;
      const node = headerNode(header);
      if (node !== last || heard === undefined) {
        heard = this.#node(node);
        heard.lastSeen = now;
        last = node;
      }
      heard.messages++;
    }
  }

  #node(node: number): { lastSeen: number; messages: number } {
    let heard = this.#heard.get(node);
    if (heard === undefined) this.#heard.set(node, (heard = { lastSeen: 0, messages: 0 }));
    return heard;
  }

  /** Every node heard, by id. */
  nodesHeard(): NodeHeard[] {
    return [...this.#heard].sort(([a], [b]) => a - b).map(([node, h]) => ({ node, ...h }));
  }
}
