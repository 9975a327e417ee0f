/**
 * A whole MySensors site on this machine, for the demo and the end-to-end tests: a simulated 2.3.2
 * gateway on a loopback TCP port, a sealed lock node (key from the controller's real key store, so
 * the daemon and the node share it exactly as after `myseal keygen` and flashing), and a plain
 * sensor node that knows nothing of MySeal.
 */
import type { Eeprom } from '../node/eeprom.ts';
import { WasmNode } from '../node/wasm-node.ts';
import { provisionVirtualLock } from './provision-virtual-lock.ts';
import type { WasmNodeOptions } from '../node/wasm-node.ts';
import { SimGateway } from '../node/gateway-core.ts';
import type { SimGatewayOptions } from '../node/gateway-core.ts';
import { SealedVirtualNode } from '../node/sealed-virtual-node.ts';
import { SimTcpFront } from '../node/tcp-front.ts';
import { PlainVirtualNode } from '../node/virtual-node.ts';
import type { VirtualNode } from '../node/virtual-node.ts';
import { LegacyVirtualNode } from '../node/legacy-virtual-node.ts';

export interface VirtualSiteOptions {
  stateDir: string;
  lockNode?: number;
  sensorNode?: number;
  pin?: string;
  node?: Partial<WasmNodeOptions>;
  radio?: SimGatewayOptions['radio'];
  /** Clients the simulated gateway takes at once (a real Ethernet gateway: 1). */
  maxClients?: number;
  /** A node still running the original sketch (AES-ECB PIN lines, docs/migrating.md). */
  legacy?: { nodeId: number; key16: string; pin: string };
}

export interface VirtualSite {
  gateway: SimGateway;
  front: SimTcpFront;
  gatewayUrl: string;
  lock: SealedVirtualNode;
  sensor: PlainVirtualNode;
  legacy?: LegacyVirtualNode;
  eeprom: Eeprom;
  close(): Promise<void>;
}

export async function startVirtualSite(opts: VirtualSiteOptions): Promise<VirtualSite> {
  const lockNode = opts.lockNode ?? 5;
  const flash = provisionVirtualLock(opts.stateDir, lockNode, opts.pin ?? '1234');
  const lock = new SealedVirtualNode({
    node: new WasmNode({ nodeId: lockNode, ...flash, lockChild: 1, observeCommands: true, ...opts.node }),
  });
  const sensor = new PlainVirtualNode({ nodeId: opts.sensorNode ?? 7, confirmSets: true });
  const legacy = opts.legacy && new LegacyVirtualNode(opts.legacy);
  const nodes: VirtualNode[] = [lock, sensor];
  if (legacy) {
    // The original sketch answers nothing: it only compares the PIN (and would turn the servo).
    nodes.push({
      nodeId: legacy.nodeId,
      receive: (m) => {
        legacy.receive({ nodeId: m.destination, childId: m.childId, command: m.command, echo: false, type: m.type, payload: m.text });
        return [];
      },
    });
  }
  const gateway = new SimGateway({ nodes, radio: opts.radio });
  const front = new SimTcpFront(gateway, { host: '127.0.0.1', port: 0, maxClients: opts.maxClients ?? 1 });
  const port = await front.listen();
  return {
    gateway,
    front,
    gatewayUrl: `tcp://127.0.0.1:${port}`,
    lock,
    sensor,
    legacy,
    eeprom: flash.eeprom,
    close: async () => {
      await front.close();
      gateway.close();
    },
  };
}
