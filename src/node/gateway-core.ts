/**
 * The brain of a simulated MySensors 2.3.2 gateway, free of any transport: it takes controller
 * input as the real gateway parses it, answers what the gateway answers itself, routes the rest
 * over a (optionally faulty) radio to virtual nodes, and hands everything meant for the controller
 * to the front ends as 'output' events. tcp-front.ts, serial-front.ts and mqtt-front.ts put it on
 * real sockets.
 *
 * Behaviour follows core/MyGatewayTransport.cpp (gatewayTransportProcess), core/MyProtocol.cpp
 * and core/MyTransport.cpp of MySensors 2.3.2; see controller-input.ts for the parsing quirks.
 */
import { EventEmitter } from 'node:events';
import { Command, Internal, PayloadType, Sensor } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { parseControllerLine, parseControllerMqtt } from './controller-input.ts';
import type { GatewayFault, ParsedInput } from './controller-input.ts';
import { asNodeMessage, fromNodeMessage, stringPayload } from './radio-message.ts';
import type { NodeMessage, RadioMessage } from './radio-message.ts';
import { Radio } from './radio.ts';
import type { RadioFaults } from './radio.ts';
import type { VirtualNode } from './virtual-node.ts';
import { isNodeId, NODE_ID_RANGE } from '../core/protocol/node-id.ts';

/** MYSENSORS_LIBRARY_VERSION of the release simulated. */
export const SIM_GATEWAY_VERSION = '2.3.2';
/** MSG_GW_STARTUP_COMPLETE: exactly 25 characters, so it just fits a payload. */
export const MSG_GW_STARTUP_COMPLETE = 'Gateway startup complete.';
export const GATEWAY_ADDRESS = 0;
export const BROADCAST_ADDRESS = 255;
/** NODE_SENSOR_ID: child 255, the node itself. */
export const NODE_SENSOR_ID = 255;

export type DropReason =
  /** The controller line filled the 100-byte receive buffer. */
  | 'line-too-long'
  /** Fewer than five fields after strtok: dropped without a word. */
  | 'too-few-fields'
  /** No node with that id: the radio send finds no one to acknowledge it. */
  | 'unknown-node'
  /** Lost on the simulated radio (RadioFaults.dropRate). */
  | 'radio-lost'
  /** An MQTT packet longer than PubSubClient's buffer: ignored by the client library. */
  | 'mqtt-packet-too-big';

export interface Dropped {
  reason: DropReason;
  nodeId?: number;
  /** For radio losses: which way the message was going. */
  direction?: 'toNode' | 'fromNode';
}

export interface SimGatewayEvents {
  /** A message from the controller as the gateway parsed it, before the radio: what a sniffer on the gateway's link records. */
  input: [message: RadioMessage];
  /** A message for the controller; every front end prints it in its own way. */
  output: [message: RadioMessage];
  /** Input that would have corrupted the real gateway's memory (and was dropped here). */
  gatewayFault: [fault: GatewayFault];
  dropped: [drop: Dropped];
  /** A message reached a virtual node. */
  delivered: [message: NodeMessage];
}

export interface SimGatewayOptions {
  version?: string;
  radio?: RadioFaults;
  /** Nodes behind the radio; node 0 is the gateway's own sketch (a lock wired to the gateway). */
  nodes?: readonly VirtualNode[];
  /** Non-internal messages to node 0 reach the gateway sketch's receive(): this one, when no node 0 is added. */
  onGatewayMessage?: (message: RadioMessage) => void;
  /** Milliseconds since boot, for heartbeat answers. */
  clock?: () => number;
}

export class SimGateway extends EventEmitter<SimGatewayEvents> {
  readonly version: string;
  readonly radio: Radio;
  /** Every fault recorded, in order. */
  readonly faults: GatewayFault[] = [];
  /** Every drop recorded, in order. */
  readonly drops: Dropped[] = [];
  readonly #nodes = new Map<number, VirtualNode>();
  readonly #received = new Map<number, NodeMessage[]>();
  readonly #onGatewayMessage: ((message: RadioMessage) => void) | undefined;
  readonly #clock: () => number;
  readonly #bootedAt: number;

  constructor(opts: SimGatewayOptions = {}) {
    super();
    this.version = opts.version ?? SIM_GATEWAY_VERSION;
    this.radio = new Radio(opts.radio);
    this.#onGatewayMessage = opts.onGatewayMessage;
    this.#clock = opts.clock ?? (() => performance.now());
    this.#bootedAt = this.#clock();
    for (const node of opts.nodes ?? []) this.addNode(node);
  }

  addNode(node: VirtualNode): void {
    const id = node.nodeId;
    if (!isNodeId(id)) throw new RangeError(`node id ${id} is not ${NODE_ID_RANGE}`);
    if (this.#nodes.has(id)) throw new Error(`node ${id} is already on this gateway`);
    this.#nodes.set(id, node);
    this.#received.set(id, []);
    node.attach?.((messages) => (id === GATEWAY_ADDRESS ? this.#fromOwnSketch(messages) : this.fromNode(id, messages)));
  }

  removeNode(nodeId: number): void {
    this.#nodes.delete(nodeId);
  }

  getNode(nodeId: number): VirtualNode | undefined {
    return this.#nodes.get(nodeId);
  }

  /** What a node has received so far, in order (echo requests included, as the node saw them). */
  received(nodeId: number): readonly NodeMessage[] {
    return this.#received.get(nodeId) ?? [];
  }

  /**
   * What the gateway sends when a controller connects (or, on serial, when it boots):
   * I_GATEWAY_READY, then its presentation as a node. Like all its output, to every client it has
   * (the Ethernet front ends send it to all connected clients, not just the newcomer).
   */
  announce(): void {
    this.#output(this.#internal(Internal.I_GATEWAY_READY, MSG_GW_STARTUP_COMPLETE));
    this.present();
  }

  /**
   * presentNode() on a gateway: child 255 presented with the library version, as
   * S_ARDUINO_REPEATER_NODE, because MySensors.h turns on MY_REPEATER_FEATURE for every gateway with
   * a sensor network (this one has a radio); only a gateway without a radio presents S_ARDUINO_NODE.
   */
  present(): void {
    this.#output({
      ...this.#internal(Sensor.S_ARDUINO_REPEATER_NODE, this.version),
      command: Command.C_PRESENTATION,
    });
  }

  /** One line from the controller, without its line end, as the transport's reader cut it. */
  controllerLine(line: Uint8Array | string): void {
    this.#handle(parseControllerLine(line));
  }

  /** The transport's reader threw away an over-long line. */
  controllerLineTooLong(): void {
    this.#drop({ reason: 'line-too-long' });
  }

  /** One MQTT message from the controller; see parseControllerMqtt for streamChars. */
  controllerMqtt(topic: string, payload: Uint8Array, inPrefix: string, streamChars?: Uint8Array): void {
    this.#handle(parseControllerMqtt(topic, payload, inPrefix, streamChars));
  }

  /** An MQTT packet the client library ignored. */
  controllerPacketTooBig(): void {
    this.#drop({ reason: 'mqtt-packet-too-big' });
  }

  /** Messages a node sends on its own (reports), over the radio to the gateway and on to the controller. */
  fromNode(nodeId: number, messages: readonly MySensorsMessage[]): void {
    for (const m of messages) this.#uplink(fromNodeMessage(nodeId, m));
  }

  /**
   * What the gateway's own sketch sends (node 0): _sendRoute() hands a message whose destination is
   * the gateway itself straight to the gateway transport, sender 0, no radio.
   */
  #fromOwnSketch(messages: readonly MySensorsMessage[]): void {
    for (const m of messages) this.#output(fromNodeMessage(GATEWAY_ADDRESS, m));
  }

  /** Drops whatever is still in the air. */
  close(): void {
    this.radio.close();
  }

  #handle(parsed: ParsedInput): void {
    for (const fault of parsed.faults) {
      this.faults.push(fault);
      this.emit('gatewayFault', fault);
    }
    if (parsed.drop) this.#drop({ reason: parsed.drop });
    if (parsed.message) {
      this.emit('input', parsed.message);
      this.#process(parsed.message);
    }
  }

  /** gatewayTransportProcess(): the gateway's own messages first, everything else to the radio. */
  #process(m: RadioMessage): void {
    if (m.destination === GATEWAY_ADDRESS) {
      if (m.requestEcho) {
        // The gateway echoes for itself: a copy flagged as echo, without the request.
        this.#output({ ...m, sender: GATEWAY_ADDRESS, destination: m.sender, requestEcho: false, isEcho: true });
      }
      const own = this.#nodes.get(GATEWAY_ADDRESS);
      if (m.command === Command.C_INTERNAL) this.#internalForGateway(m);
      else if (own) this.#toOwnSketch(own, m);
      else this.#onGatewayMessage?.(m);
      return;
    }
    if (m.destination === BROADCAST_ADDRESS) {
      // Sent over the radio: the gateway's own sketch does not receive it.
      for (const node of this.#nodes.values()) if (node.nodeId !== GATEWAY_ADDRESS) this.#downlink(node, m);
      return;
    }
    const node = this.#nodes.get(m.destination);
    if (!node) {
      this.#drop({ reason: 'unknown-node', nodeId: m.destination });
      return;
    }
    this.#downlink(node, m);
  }

  /** The internal messages a 2.3.2 gateway answers itself; the others change nothing visible here. */
  #internalForGateway(m: RadioMessage): void {
    switch (m.type) {
      case Internal.I_VERSION:
        this.#output(this.#internal(Internal.I_VERSION, this.version));
        break;
      case Internal.I_PRESENTATION:
        this.present();
        break;
      case Internal.I_HEARTBEAT_REQUEST: {
        const data = new Uint8Array(4);
        new DataView(data.buffer).setUint32(0, Math.floor(this.#clock() - this.#bootedAt) >>> 0, true);
        this.#output({ ...this.#internal(Internal.I_HEARTBEAT_RESPONSE, ''), payloadType: PayloadType.P_ULONG32, data });
        break;
      }
      default:
        break;
    }
  }

  /** A controller's message for the gateway's own sketch: its receive(), without a radio in between. */
  #toOwnSketch(node: VirtualNode, m: RadioMessage): void {
    const seen = asNodeMessage(m);
    this.#received.get(GATEWAY_ADDRESS)?.push(seen);
    this.emit('delivered', seen);
    this.#fromOwnSketch(node.receive(seen));
  }

  /** Gateway to node, over the radio; then the node stack: echo first, then the sketch's receive(). */
  #downlink(node: VirtualNode, m: RadioMessage): void {
    const delivered = this.radio.transmit(() => {
      const seen = asNodeMessage({ ...m, destination: node.nodeId });
      this.#received.get(node.nodeId)?.push(seen);
      this.emit('delivered', seen);
      if (m.requestEcho && m.destination !== BROADCAST_ADDRESS) {
        this.#uplink({ ...m, sender: node.nodeId, destination: GATEWAY_ADDRESS, requestEcho: false, isEcho: true });
      }
      for (const reply of node.receive(seen)) this.#uplink(fromNodeMessage(node.nodeId, reply));
    });
    if (!delivered) this.#drop({ reason: 'radio-lost', nodeId: node.nodeId, direction: 'toNode' });
  }

  /** Node to gateway, over the radio, and out to the controller. */
  #uplink(m: RadioMessage): void {
    const delivered = this.radio.transmit(() => this.#output(m));
    if (!delivered) this.#drop({ reason: 'radio-lost', nodeId: m.sender, direction: 'fromNode' });
  }

  /** buildGw(): from the gateway itself, child 255, C_INTERNAL, no echo. */
  #internal(type: number, text: string): RadioMessage {
    return {
      sender: GATEWAY_ADDRESS,
      destination: GATEWAY_ADDRESS,
      childId: NODE_SENSOR_ID,
      command: Command.C_INTERNAL,
      requestEcho: false,
      isEcho: false,
      type,
      ...stringPayload(new TextEncoder().encode(text)),
    };
  }

  #output(m: RadioMessage): void {
    this.emit('output', m);
  }

  #drop(d: Dropped): void {
    this.drops.push(d);
    this.emit('dropped', d);
  }
}
