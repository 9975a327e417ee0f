/**
 * Someone on the gateway's link: a relay on loopback between the daemon and the MySensors gateway
 * that passes every byte on unchanged, records every line each way, and puts lines of its own on
 * the link (a recorded line played again, one with a bit changed), as anyone who can reach the
 * gateway's port or sits on the wire can. One connection at a time (the gateway takes one client);
 * when the gateway goes away, so does the daemon's connection, and the next one reaches the gateway
 * again.
 */
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

import { listenOn } from '../../../src/io/listen.ts';

export interface LinkTap {
  /** Where the daemon connects (127.0.0.1). */
  readonly port: number;
  /** Every line the daemon sent towards the gateway, in order, across connections. */
  readonly toGateway: string[];
  /** Every line the gateway sent towards the daemon. */
  readonly toDaemon: string[];
  /** A line of the attacker's, to the gateway (and on to its nodes). */
  sendToGateway(line: string): void;
  /** A line of the attacker's, to the daemon, as if the gateway had sent it. */
  sendToDaemon(line: string): void;
  close(): Promise<void>;
}

/**
 * One direction of the link: passes chunks on, records them as lines, and puts the attacker's lines
 * between two lines of the stream, never inside one.
 */
class OneWay {
  private partial = '';
  private waiting: string[] = [];

  constructor(
    private readonly lines: string[],
    private readonly to: Socket,
  ) {}

  pass(chunk: Buffer): void {
    this.to.write(chunk);
    const parts = (this.partial + chunk.toString('latin1')).split('\n');
    this.partial = parts.pop()!;
    this.lines.push(...parts);
    this.flush();
  }

  inject(line: string): void {
    this.waiting.push(line);
    this.flush();
  }

  private flush(): void {
    if (this.partial !== '') return;
    for (const line of this.waiting.splice(0)) this.to.write(`${line}\n`);
  }
}

export async function startLinkTap(gatewayPort: number): Promise<LinkTap> {
  const toGateway: string[] = [];
  const toDaemon: string[] = [];
  let pair: { daemon: Socket; gateway: Socket; up: OneWay; down: OneWay } | null = null;

  const server = createServer((daemon) => {
    daemon.pause();
    const gateway = connect(gatewayPort, '127.0.0.1');
    const current = { daemon, gateway, up: new OneWay(toGateway, gateway), down: new OneWay(toDaemon, daemon) };
    pair = current;
    const end = (): void => {
      daemon.destroy();
      gateway.destroy();
      if (pair === current) pair = null;
    };
    gateway.on('connect', () => daemon.resume());
    daemon.on('data', (chunk: Buffer) => current.up.pass(chunk));
    gateway.on('data', (chunk: Buffer) => current.down.pass(chunk));
    for (const socket of [daemon, gateway]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  const { port } = await listenOn(server, 0, '127.0.0.1');

  const connected = (): NonNullable<typeof pair> => {
    if (pair === null) throw new Error('the link tap has no connection between the daemon and the gateway');
    return pair;
  };
  return {
    port,
    toGateway,
    toDaemon,
    sendToGateway(line) {
      connected().up.inject(line);
    },
    sendToDaemon(line) {
      connected().down.inject(line);
    },
    async close() {
      const open = pair;
      if (open) {
        open.daemon.destroy();
        open.gateway.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
