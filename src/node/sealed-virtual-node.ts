/**
 * A lock node on the simulated radio: sealed frames (C_STREAM type 83) go to the node (WasmNode), its
 * replies go back as sealed frames; any other message goes to an optional plain handler, the
 * way a lock sketch has a receive() that dispatches on the message type.
 */
import { Command } from '../core/mysensors/enums.ts';
import { frameToMessage } from '../core/protocol/carriage.ts';
import { SEALED_STREAM_TYPE } from '../core/protocol/constants.ts';
import type { SensorValue } from '../core/protocol/body.ts';
import type { OutgoingFrame, ReceiveOutcome, WasmNode } from './wasm-node.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { NodeMessage } from './radio-message.ts';
import type { NodeUplink, VirtualNode } from './virtual-node.ts';

export interface SealedVirtualNodeOptions {
  node: WasmNode;
  /** Everything that is not a sealed frame; by default ignored. */
  plain?: (message: NodeMessage) => MySensorsMessage[];
}

export class SealedVirtualNode implements VirtualNode {
  readonly nodeId: number;
  readonly node: WasmNode;
  /** What the node made of each sealed frame, in order (accepted, refused, and why). */
  readonly outcomes: ReceiveOutcome[] = [];
  readonly #plain: ((message: NodeMessage) => MySensorsMessage[]) | undefined;
  #uplink: NodeUplink | null = null;

  constructor(opts: SealedVirtualNodeOptions) {
    this.node = opts.node;
    this.nodeId = opts.node.nodeId;
    this.#plain = opts.plain;
  }

  attach(uplink: NodeUplink): void {
    this.#uplink = uplink;
  }

  receive(m: NodeMessage): MySensorsMessage[] {
    if (m.isEcho) return [];
    if (m.command !== Command.C_STREAM || m.type !== SEALED_STREAM_TYPE) return this.#plain?.(m) ?? [];
    // The sketch reads the bytes as they arrived, whatever the gateway made of the hex.
    const outcome = this.node.receive({ sender: m.sender, child: m.childId, frame: Uint8Array.from(m.data) });
    this.outcomes.push(outcome);
    return outcome.replies.map((r) => this.#toMessage(r));
  }

  /** The lock is turned by hand: the node seals a report and sends it unasked. */
  setLockedByHand(locked: boolean): void {
    this.#send(this.node.setLockedByHand(locked));
  }

  /** The sketch's loop(): an auto-relock when due, its report sent unasked. True when it relocked. */
  poll(): boolean {
    const report = this.node.poll();
    if (report) this.#send(report);
    return report !== null;
  }

  /** A sealed report of any value, sent unasked. */
  report(child: number, value: SensorValue): void {
    this.#send(this.node.report(child, value));
  }

  #send(frame: OutgoingFrame): void {
    if (!this.#uplink) throw new Error(`virtual node ${this.nodeId} is not attached to a gateway`);
    this.#uplink([this.#toMessage(frame)]);
  }

  #toMessage(r: OutgoingFrame): MySensorsMessage {
    return frameToMessage(this.nodeId, r.child, r.frame);
  }
}
