/**
 * The gateway for bench/proxy.ts and, in a worker thread (lib-gateway-thread.ts), bench/locks.ts: the
 * simulated MySensors 2.3.2 core (SimGateway, with sealed lock nodes, the node library built to
 * WebAssembly (WasmNode), and a plain sensor node) behind a minimal TCP front written for measuring:
 *
 *  - every line the gateway reads is stamped with the time its chunk arrived on the socket, and
 *    handed to a tap before the core acts on it (the moment a sealed frame reaches the gateway);
 *  - blast() writes pre-formatted plain lines straight to the clients in large chunks, so the
 *    simulator's per-message work (format, encode, one write per line) is not what a throughput
 *    figure measures;
 *  - everything else (answers to requests, sealed results) goes through the simulator as usual.
 *
 * SimTcpFront has none of these hooks and must not grow them for a bench, hence this small front.
 */
import net from 'node:net';
import { WasmNode } from '../src/node/wasm-node.ts';
import { provisionVirtualLock } from '../src/demo/provision-virtual-lock.ts';
import { SimGateway } from '../src/node/gateway-core.ts';
import { formatGatewayLine } from '../src/node/gateway-output.ts';
import { GatewayLineReader } from '../src/node/line-reader.ts';
import type { RadioMessage } from '../src/node/radio-message.ts';
import { SealedVirtualNode } from '../src/node/sealed-virtual-node.ts';
import { PlainVirtualNode } from '../src/node/virtual-node.ts';
import type { VirtualNode } from '../src/node/virtual-node.ts';

export const LOCK_NODE = 5;
export const LOCK_CHILD = 1;
export const PLAIN_NODE = 7;
export const PLAIN_CHILD = 3;

/** A line the gateway read from a client, and when its chunk arrived (performance.now()). */
export type LineTap = (line: string, at: number) => void;

export interface BenchGateway {
  port: number;
  gateway: SimGateway;
  /** The sealed lock, when the gateway has one (the first of `locks`). */
  lock: SealedVirtualNode | null;
  /** Every sealed lock, by node id. */
  locks: Map<number, SealedVirtualNode>;
  readonly clientCount: number;
  /** Called for every line from a client, before the simulated gateway acts on it. */
  tap: LineTap | null;
  /** Writes the bytes to every client as they are (lines pre-formatted by the caller). */
  blast(bytes: Uint8Array): void;
  close(): Promise<void>;
}

export interface BenchGatewayOptions {
  /** With a sealed lock: its key is created in this state dir, as `myseal keygen` would. */
  stateDir?: string;
  pin?: string;
  /** The sealed locks' node ids (each with its lock on LOCK_CHILD); [LOCK_NODE] by default. */
  lockNodes?: readonly number[];
}

export async function startBenchGateway(opts: BenchGatewayOptions = {}): Promise<BenchGateway> {
  const nodes: VirtualNode[] = [];
  const locks = new Map<number, SealedVirtualNode>();
  if (opts.stateDir) {
    for (const nodeId of opts.lockNodes ?? [LOCK_NODE]) {
      // Each lock's EEPROM is in memory (no image file): its writes are the node's own, a copy of a
      // few bytes each, and no file system's cost is counted as the daemon's. observeCommands: the
      // benches check which command each sealed frame was.
      const flash = provisionVirtualLock(opts.stateDir, nodeId, opts.pin ?? '1234');
      const node = new WasmNode({ nodeId, ...flash, lockChild: LOCK_CHILD, observeCommands: true });
      const lock = new SealedVirtualNode({ node });
      locks.set(nodeId, lock);
      nodes.push(lock);
    }
  }
  const lock = locks.values().next().value ?? null;
  // A switch that is on: a C_REQ for it is answered with its value.
  nodes.push(new PlainVirtualNode({ nodeId: PLAIN_NODE, initial: [{ child: PLAIN_CHILD, type: 2, value: '1' }] }));
  const gateway = new SimGateway({ nodes });
  const clients = new Set<net.Socket>();
  const decoder = new TextDecoder();

  const result: BenchGateway = {
    port: 0,
    gateway,
    lock,
    locks,
    get clientCount() {
      return clients.size;
    },
    tap: null,
    blast(bytes) {
      for (const c of clients) c.write(bytes);
    },
    async close() {
      gateway.off('output', onOutput);
      for (const c of clients) c.destroy();
      gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const onOutput = (m: RadioMessage): void => {
    const line = formatGatewayLine(m);
    for (const c of clients) if (c.writable) c.write(line);
  };
  gateway.on('output', onOutput);

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const reader = new GatewayLineReader({ endsAtCR: true });
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      for (const out of reader.push(chunk)) {
        if ('tooLong' in out) {
          gateway.controllerLineTooLong();
          continue;
        }
        result.tap?.(decoder.decode(out.line), at);
        gateway.controllerLine(out.line);
      }
    });
    gateway.announce();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  result.port = (server.address() as net.AddressInfo).port;
  return result;
}
