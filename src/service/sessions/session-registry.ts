/**
 * One NodeSession per sealed node, made on first use for any node that has a key. Each session's
 * sealed frames go out through the gateway; a gateway that is down fails the write at once.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { frameToMessage } from '../../core/protocol/carriage.ts';
import { ControllerChannel } from '../../core/protocol/controller-channel.ts';
import type { ControllerCounters, ControllerKeyStore } from '../../core/protocol/stores.ts';
import type { SensorValue } from '../../core/protocol/body.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import { NodeSession } from './node-session.ts';
import type { NodeStateView } from './node-session.ts';

export interface SessionRegistryOptions {
  gateway: GatewayTransport;
  keys: ControllerKeyStore;
  counters: ControllerCounters;
  timeoutMs?: number;
  retries?: number;
  clock?: () => number;
  /** An authentic, fresh report from a node's child. */
  onReport: (node: number, child: number, value: SensorValue) => void;
  /** A frame from a node refused, or its answer to a frame MySeal did not send. */
  onRejected: (node: number, child: number, error: MySealError) => void;
}

export class SessionRegistry {
  readonly #sessions = new Map<number, NodeSession>();

  constructor(private readonly opts: SessionRegistryOptions) {}

  /** The session of a node that has a key, created on first use. */
  get(node: number): NodeSession | undefined {
    const existing = this.#sessions.get(node);
    if (existing) return existing;
    if (!this.opts.keys.get(node)) return undefined;
    const { gateway } = this.opts;
    const session = new NodeSession({
      channel: new ControllerChannel({ nodeId: node, keys: this.opts.keys, counters: this.opts.counters }),
      timeoutMs: this.opts.timeoutMs,
      retries: this.opts.retries,
      clock: this.opts.clock,
      write: async (child, frame) => {
        if (!gateway.send(frameToMessage(node, child, frame))) {
          throw new MySealError(ErrorCode.GATEWAY_DOWN, 'gateway is not connected', { node });
        }
      },
      onReport: (child, value) => this.opts.onReport(node, child, value),
      onRejected: (child, error) => this.opts.onRejected(node, child, error),
    });
    this.#sessions.set(node, session);
    return session;
  }

  view(node: number): NodeStateView | undefined {
    return this.get(node)?.view();
  }

  /** Nodes with a session so far. */
  ids(): number[] {
    return [...this.#sessions.keys()];
  }
}
