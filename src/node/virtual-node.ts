/**
 * Virtual nodes: what sits at the far end of the simulated radio. A node gets each message the
 * gateway routes to it (after the node stack has sent any echo) and returns what its sketch sends
 * back; a node that reports on its own sends through the uplink it is given when added.
 */
import { Command } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { NodeMessage } from './radio-message.ts';

/** Sends messages from the node to the gateway, over the radio. */
export type NodeUplink = (messages: readonly MySensorsMessage[]) => void;

export interface VirtualNode {
  readonly nodeId: number;
  /**
   * A message for this node. Returns what the node sends back, in controller form: nodeId is the
   * sender (overwritten with the node's id anyway), C_STREAM payloads are hex, others text.
   */
  receive(message: NodeMessage): MySensorsMessage[];
  /** Called once when the node joins a gateway. */
  attach?(uplink: NodeUplink): void;
}

export interface PlainValue {
  child: number;
  type: number;
  value: string;
}

export interface PlainVirtualNodeOptions {
  nodeId: number;
  /** Values known from the start (what a sketch reads from EEPROM at boot). */
  initial?: readonly PlainValue[];
  /** Report every value a C_SET stores, as relay sketches do to confirm a switch. */
  confirmSets?: boolean;
}

/**
 * A simple sketch: stores C_SET values per child and type, answers C_REQ with the stored value
 * (as a C_SET), ignores everything else. Like most real sketches it has no notion of who asks.
 */
export class PlainVirtualNode implements VirtualNode {
  readonly nodeId: number;
  readonly #values = new Map<string, string>();
  readonly #confirmSets: boolean;
  #uplink: NodeUplink | null = null;

  constructor(opts: PlainVirtualNodeOptions) {
    this.nodeId = opts.nodeId;
    this.#confirmSets = opts.confirmSets ?? false;
    for (const v of opts.initial ?? []) this.#values.set(key(v.child, v.type), v.value);
  }

  attach(uplink: NodeUplink): void {
    this.#uplink = uplink;
  }

  value(child: number, type: number): string | undefined {
    return this.#values.get(key(child, type));
  }

  /** A change made at the node (a button, a sensor reading): stored and reported. */
  change(child: number, type: number, value: string): void {
    this.#values.set(key(child, type), value);
    this.#uplink?.([this.#set(child, type, value)]);
  }

  receive(m: NodeMessage): MySensorsMessage[] {
    if (m.isEcho) return [];
    if (m.command === Command.C_SET) {
      this.#values.set(key(m.childId, m.type), m.text);
      return this.#confirmSets ? [this.#set(m.childId, m.type, m.text)] : [];
    }
    if (m.command === Command.C_REQ) {
      const value = this.#values.get(key(m.childId, m.type));
      return value === undefined ? [] : [this.#set(m.childId, m.type, value)];
    }
    return [];
  }

  #set(child: number, type: number, value: string): MySensorsMessage {
    return { nodeId: this.nodeId, childId: child, command: Command.C_SET, echo: false, type, payload: value };
  }
}

function key(child: number, type: number): string {
  return `${child}/${type}`;
}
