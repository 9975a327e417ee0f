/**
 * A FrameLink to a node in the same process: the "radio" of unit tests and the one-process
 * demo. It can record every frame (an eavesdropper), jam frames to the node (they are recorded but
 * never delivered), and inject recorded or altered frames, which is all an attacker on the radio or
 * the gateway's LAN can do.
 */
import type { FrameLink, NodeFrame } from '../core/protocol/operation.ts';
import type { ReceiveOutcome, WasmNode } from '../node/wasm-node.ts';
import { GATEWAY_NODE_ID } from '../core/protocol/constants.ts';

export interface RecordedFrame extends NodeFrame {
  direction: 'toNode' | 'toController';
}

export class LoopbackLink implements FrameLink {
  /** Everything that went over the air, in order. */
  readonly recorded: RecordedFrame[] = [];
  /** Outcomes of the node's receive(), in order (what the node accepted or refused, and why). */
  readonly nodeOutcomes: ReceiveOutcome[] = [];
  /** While true, frames to the node are recorded but not delivered (a jammer near the node). */
  jamming = false;
  /** While true, the node's frames are recorded but never reach the controller (a jammer near the gateway). */
  jammingFromNode = false;
  private readonly inbox: NodeFrame[] = [];

  constructor(private readonly node: Pick<WasmNode, 'receive'>) {}

  async send(child: number, frame: Uint8Array): Promise<void> {
    this.recorded.push({ direction: 'toNode', child, frame: Uint8Array.from(frame) });
    if (!this.jamming) this.deliver(child, frame);
  }

  /** Puts a frame on the air as an attacker would, bypassing the jammer; returns the node's verdict. */
  inject(child: number, frame: Uint8Array): ReceiveOutcome {
    return this.deliver(child, frame);
  }

  /** A frame the node sends on its own (a report). */
  fromNode(child: number, frame: Uint8Array): void {
    this.recorded.push({ direction: 'toController', child, frame: Uint8Array.from(frame) });
    if (!this.jammingFromNode) this.inbox.push({ child, frame });
  }

  async receive(_timeoutMs: number): Promise<NodeFrame | null> {
    return this.inbox.shift() ?? null;
  }

  private deliver(child: number, frame: Uint8Array): ReceiveOutcome {
    const outcome = this.node.receive({ sender: GATEWAY_NODE_ID, child, frame: Uint8Array.from(frame) });
    this.nodeOutcomes.push(outcome);
    for (const reply of outcome.replies) this.fromNode(reply.child, reply.frame);
    return outcome;
  }
}
