/**
 * A FrameLink over a gateway transport: sealed frames to one node go out as C_STREAM type-83
 * messages, and that node's type-83 messages come back as frames. Everything else the gateway
 * says (other nodes, plain messages, echoes) is none of this link's business.
 */
import { ErrorCode, MySealError } from '../core/errors.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { frameToMessage, isSealedMessage, messageToFrame } from '../core/protocol/carriage.ts';
import type { FrameLink, NodeFrame } from '../core/protocol/operation.ts';
import { Waiter } from '../core/waiter.ts';
import type { GatewayTransport } from './transport.ts';

/**
 * Frames kept while nobody is receiving (reports between operations). A node sends a handful at
 * most; the bound only stops a babbling node from growing memory without end. Oldest go first.
 */
export const FRAME_LINK_QUEUE_LIMIT = 32;

export class GatewayFrameLink implements FrameLink {
  readonly nodeId: number;
  /** Frames dropped because the queue was full. */
  dropped = 0;
  readonly #transport: GatewayTransport;
  readonly #queue: NodeFrame[] = [];
  /** Receives waiting for the next frame, oldest first. */
  readonly #receivers = new Waiter<NodeFrame>();
  readonly #onMessage = (m: MySensorsMessage): void => this.#take(m);

  constructor(transport: GatewayTransport, nodeId: number) {
    this.#transport = transport;
    this.nodeId = nodeId;
    transport.on('message', this.#onMessage);
  }

  async send(child: number, frame: Uint8Array): Promise<void> {
    const message = frameToMessage(this.nodeId, child, frame);
    if (!this.#transport.send(message)) {
      // Reported as such (not as a timeout): the caller says "gateway unreachable", exit code 13.
      throw new MySealError(ErrorCode.GATEWAY_DOWN, 'gateway not connected', { node: this.nodeId });
    }
  }

  receive(timeoutMs: number): Promise<NodeFrame | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return this.#receivers.wait(undefined, timeoutMs);
  }

  /** Stops listening; pending receives resolve with null. */
  close(): void {
    this.#transport.off('message', this.#onMessage);
    this.#receivers.close();
    this.#queue.length = 0;
  }

  #take(m: MySensorsMessage): void {
    // Echoes repeat what we sent; they are not the node speaking.
    if (m.nodeId !== this.nodeId || m.echo || !isSealedMessage(m)) return;
    const opened = messageToFrame(m);
    if (!opened.ok) return;
    const frame: NodeFrame = { child: opened.value.child, frame: opened.value.frame };
    if (this.#receivers.offer(frame)) return;
    if (this.#queue.length >= FRAME_LINK_QUEUE_LIMIT) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(frame);
  }
}
