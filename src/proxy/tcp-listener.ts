/**
 * The gateway-compatible TCP port that controllers (Domoticz, Home Assistant, Node-RED, ...) connect
 * to instead of the gateway: any number of clients at once, each greeted as a MySensors gateway
 * greets its client, each seeing everything the gateway says, each line they send handed to the
 * daemon. A controller's bad line is counted and dropped, and the controller told (a gateway log
 * message, notice.ts); its connection stays up.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { LineFramer } from '../mysensors/line-framer.ts';
import { formatLine, parseLine } from '../mysensors/line.ts';
import type { Daemon, Downstream, Outbound } from '../daemon/daemon.ts';
import { noticeLine } from '../daemon/notice.ts';
import { listenOn } from '../util/listen.ts';
import { controllerAccess } from './controller-access.ts';
import type { ControllerAccess } from './controller-access.ts';

/** What a MySensors 2.3.2 gateway sends a client that connects (shared/reference/mysensors.md). */
export const GATEWAY_GREETING = ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;17;2.3.2'];
/** A controller that stops reading is cut off before it can make the daemon hold megabytes for it. */
export const MAX_CLIENT_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface TcpListenerOptions {
  host: string;
  port: number;
  /** Who may connect (controller-access.ts); by default loopback clients only on a loopback address. */
  access?: ControllerAccess;
}

class ControllerClient implements Downstream {
  readonly id: string;
  private readonly framer = new LineFramer();
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly daemon: Daemon,
  ) {
    this.id = `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk) => this.onData(chunk));
    for (const line of GATEWAY_GREETING) socket.write(`${line}\n`);
  }

  private onData(chunk: Uint8Array): void {
    for (const out of this.framer.push(chunk)) {
      if ('error' in out) {
        this.daemon.refusedFromController(out.error, this.id);
        continue;
      }
      const parsed = parseLine(out.line);
      if (!parsed.ok) {
        this.daemon.refusedFromController(parsed.error, this.id);
        continue;
      }
      this.daemon.fromController(parsed.value, this.id);
    }
  }

  send(item: Outbound): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_CLIENT_BACKLOG_BYTES) {
      this.socket.destroy(new Error('controller is not reading'));
      return;
    }
    const text =
      item.notice !== undefined
        ? `${noticeLine(item.notice)}\n`
        : item.line !== undefined
          ? `${item.line}\n`
          : item.message
            ? formatLine(item.message)
            : '';
    if (!text) return;
    // Lines from one chunk of gateway input go out in one write: a write per line costs a syscall
    // each and caps the proxy at a fraction of what the link carries.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(text);
  }
}

export class TcpListener {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  readonly access: ControllerAccess;

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: TcpListenerOptions,
  ) {
    this.access = opts.access ?? controllerAccess(opts.host, undefined);
    this.server = createServer((socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    if (!this.access.allows(socket.remoteAddress)) {
      // Not a word to it, not even the greeting: it learns nothing about the site. Counted and
      // logged with its address, which is what the owner needs to allow it or to go looking.
      this.daemon.countCode('proxy', 'ADDRESS_NOT_ALLOWED', { address: socket.remoteAddress ?? '?' });
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const client = new ControllerClient(socket, this.daemon);
    this.clients.add(socket);
    this.daemon.attach(client);
    socket.on('error', () => undefined); // a reset by the controller is its business; 'close' follows
    socket.on('close', () => {
      this.clients.delete(socket);
      this.daemon.detach(client);
    });
  }

  listen(): Promise<AddressInfo> {
    return listenOn(this.server, this.opts.port, this.opts.host);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): Promise<void> {
    for (const socket of this.clients) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
