/**
 * An in-process stand-in for a gateway transport, for unit tests of the daemon: messages the daemon
 * sends go to virtual nodes (the WebAssembly node behind the C_STREAM carriage, or a plain handler), and
 * their answers come back as 'message' events on the next turn of the event loop. Integration tests
 * use the real transports against the simulated gateway in src/node/ instead.
 */
import { EventEmitter } from 'node:events';
import type { GatewayEvents, GatewayTransport } from '../../src/gateway/transport.ts';
import { Command, Internal } from '../../src/core/mysensors/enums.ts';
import { assertValidMessage } from '../../src/core/mysensors/message.ts';
import type { MySensorsMessage } from '../../src/core/mysensors/message.ts';
import { frameToMessage, messageToFrame } from '../../src/core/protocol/carriage.ts';
import type { WasmNode } from '../../src/node/wasm-node.ts';

export class FakeGateway extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly description = 'fake://gateway';
  connected = true;
  /**
   * False plays a gateway that died behind a link that stays up (an MQTT broker): whatever is sent
   * is taken by the link and lost, and nothing comes back.
   */
  alive = true;
  /** Messages for nodes, in order (not the version requests the gateway answers itself). */
  readonly sent: MySensorsMessage[] = [];
  private readonly nodes = new Map<number, WasmNode>();
  plainHandler: ((m: MySensorsMessage) => MySensorsMessage[]) | undefined;

  addSealedNode(node: WasmNode): void {
    this.nodes.set(node.nodeId, node);
  }

  start(): void {
    this.emit('connected');
  }

  async stop(): Promise<void> {
    this.connected = false;
  }

  send(message: MySensorsMessage): boolean {
    assertValidMessage(message);
    if (!this.connected) return false;
    if (!this.alive) return true;
    if (message.nodeId === 0 && message.command === Command.C_INTERNAL && message.type === Internal.I_VERSION) {
      // As every MySensors gateway does (core/MyGatewayTransport.cpp): MySeal asks it whether it is there.
      setImmediate(() => this.fromNode({ ...message, payload: '2.3.2' }));
      return true;
    }
    this.sent.push(message);
    const node = this.nodes.get(message.nodeId);
    const sealed = messageToFrame(message);
    if (node && sealed.ok) {
      const out = node.receive({ sender: 0, child: sealed.value.child, frame: sealed.value.frame });
      setImmediate(() => {
        for (const r of out.replies) this.fromNode(frameToMessage(node.nodeId, r.child, r.frame));
      });
    } else if (this.plainHandler) {
      const replies = this.plainHandler(message);
      setImmediate(() => replies.forEach((r) => this.fromNode(r)));
    }
    return true;
  }

  /** A message as the gateway would report it from a node. */
  fromNode(message: MySensorsMessage, raw?: string): void {
    this.emit('message', message, raw);
  }
}
