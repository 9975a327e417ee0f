/**
 * The gateway-compatible TCP port that controllers (Domoticz, Home Assistant, Node-RED, ...) connect
 * to instead of the gateway: any number of clients at once, each greeted as a MySensors gateway
 * greets its client (gateway-greeting.ts), each seeing everything the gateway says at its own pace
 * (controller-output.ts: one that stops reading is dropped, the others never wait for it), each line
 * they send handed to the daemon. A controller's bad line is counted and dropped, and the controller
 * told (a gateway log message, notice.ts); its connection stays up.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { LineFramer } from '../../core/mysensors/line-framer.ts';
import { formatLine, parseLine } from '../../core/mysensors/line.ts';
import type { Daemon, Downstream, Outbound } from '../../service/daemon.ts';
import { noticeLine } from '../../service/routing/notice.ts';
import { listenOn } from '../../io/listen.ts';
import { controllerAccess } from './controller-access.ts';
import type { ControllerAccess } from './controller-access.ts';
import { ControllerOutput } from './controller-output.ts';
import { GatewayGreeting } from './gateway-greeting.ts';

export interface TcpListenerOptions {
  host: string;
  port: number;
  /** Who may connect (controller-access.ts); by default loopback clients only on a loopback address. */
  access?: ControllerAccess;
  /** Milliseconds, for telling a stuck controller (controller-output.ts); a monotonic clock by default. */
  clock?: () => number;
}

class ControllerClient implements Downstream {
  readonly id: string;
  private readonly framer = new LineFramer();
  private readonly output: ControllerOutput;

  constructor(
    private readonly socket: Socket,
    private readonly daemon: Daemon,
    clock: () => number,
    greeting: readonly string[],
    private readonly wire: WireBytes,
  ) {
    this.id = `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.output = new ControllerOutput(socket, clock);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk) => this.onData(chunk));
    for (const line of greeting) this.output.push(Buffer.from(`${line}\n`));
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
    const bytes = this.wire.of(item);
    if (bytes.length === 0) return;
    const stuck = this.output.push(bytes);
    if (stuck === undefined) return;
    this.daemon.countCode('proxy', 'CONTROLLER_STUCK', {
      controller: this.id,
      unsentBytes: stuck.unsentBytes,
      idleMs: Math.round(stuck.idleMs),
    });
    this.socket.destroy();
  }
}

/**
 * What an item says on the wire, worked out once for all the controllers: the daemon hands the same
 * item to each controller in turn, so the last one's bytes are kept for the next, and every
 * controller is given the same buffer (lines passed on as they came are the gateway's own bytes).
 */
class WireBytes {
  #item: Outbound | undefined;
  #bytes: Uint8Array = new Uint8Array(0);

  of(item: Outbound): Uint8Array {
    if (item !== this.#item) {
      this.#item = item;
      this.#bytes = item.lines ? item.lines.bytes : Buffer.from(wireText(item));
    }
    return this.#bytes;
  }
}

function wireText(item: Outbound): string {
  if (item.notice !== undefined) return `${noticeLine(item.notice)}\n`;
  if (item.line !== undefined) return `${item.line}\n`;
  return item.message ? formatLine(item.message) : '';
}

export class TcpListener {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private readonly greeting = new GatewayGreeting();
  private readonly wire = new WireBytes();
  private readonly clock: () => number;
  readonly access: ControllerAccess;

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: TcpListenerOptions,
  ) {
    this.access = opts.access ?? controllerAccess(opts.host, undefined);
    this.clock = opts.clock ?? (() => performance.now());
    this.server = createServer((socket) => this.accept(socket));
    // From the start, so a controller that connects later is greeted with what the gateway said before.
    this.daemon.attach(this.greeting);
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
    const client = new ControllerClient(socket, this.daemon, this.clock, this.greeting.lines, this.wire);
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
    this.daemon.detach(this.greeting);
    for (const socket of this.clients) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
