// @ts-check
/**
 * What the page knows of the daemon: its nodes, the gateway, the refusal counters, all on the
 * server's clock. Filled from /api/overview and kept current by `node` events; the views read it.
 */

/** @import { GatewaySummary, NodeEvent, NodeSummary, Overview } from './vocabulary.js' */
/** @import { ServerClock } from './clock.js' */

export class Site {
  /** @type {Map<number, NodeSummary>} node id -> summary */
  nodes = new Map();
  /** @type {GatewaySummary | null} */
  gateway = null;
  /** @type {Record<string, number>} refused input since the daemon started, by "where:CODE" */
  counters = {};
  onlineWindowMs = 300_000;
  /** @type {ServerClock} */
  clock;

  /** @param {ServerClock} clock */
  constructor(clock) {
    this.clock = clock;
  }

  /** @param {Overview} o */
  applyOverview(o) {
    this.clock.sync(o.now);
    this.onlineWindowMs = o.onlineWindowMs;
    this.gateway = o.gateway;
    this.counters = o.counters;
    this.nodes = new Map(o.nodes.map((x) => [x.node, x]));
  }

  /**
   * A node's new state; true when what the lock picker lists changed (a lock added or renamed).
   * @param {NodeEvent} x
   */
  applyNode(x) {
    if (typeof x.now === 'number') this.clock.sync(x.now);
    const before = this.nodes.get(x.node);
    this.nodes.set(x.node, x);
    return !before || before.lock !== x.lock || before.name !== x.name;
  }

  /** The nodes that take PIN digits, by id. */
  locks() {
    return this.sorted().filter((x) => x.lock);
  }

  /** Every node, by id. */
  sorted() {
    return [...this.nodes.values()].sort((a, b) => a.node - b.node);
  }

  /** @param {NodeSummary} n heard through the gateway within the daemon's online window */
  isOnline(n) {
    return n.heardAt !== null && n.heardAt !== undefined && this.clock.now() - n.heardAt <= this.onlineWindowMs;
  }

  /**
   * "Front door (#5)" or "node 5", for a line about the node.
   * @param {number} node
   */
  describe(node) {
    const x = this.nodes.get(node);
    return x?.name ? `${x.name} (#${node})` : `node ${node}`;
  }
}

/** @param {NodeSummary} n "Front door" or "Node 5" */
export function nodeLabel(n) {
  return n.name ? n.name : `Node ${n.node}`;
}
