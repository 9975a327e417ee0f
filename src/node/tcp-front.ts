/**
 * The simulated gateway on a real TCP port, as an Ethernet gateway in server mode.
 *
 * Two client policies, because the real gateways differ (core/MyGatewayTransportEthernet.cpp):
 *
 * - 'slots' (ESP8266, ESP32, Linux; the default): MY_GATEWAY_MAX_CLIENTS slots, 1 unless the
 *   sketch says otherwise (the ESP examples say 2). A connection beyond them is accepted and
 *   closed at once, without a byte ("NO FREE SLOT"); the clients already there keep theirs. Each
 *   accepted client has its own line buffer, and each acceptance sends the startup messages to
 *   every connected client, so the first controller sees them again when a second one joins.
 *
 * - 'w5100' (AVR with a W5100/W5500; MY_GATEWAY_MAX_CLIENTS is not consulted): every connection
 *   is accepted (the chip has a few sockets), and everything the gateway prints goes to all of
 *   them. The Ethernet library only hands over a client that has sent data, so the gateway adopts
 *   a connection when its first bytes arrive: it closes the client it had, and sends the startup
 *   messages then (not on connect). One line buffer serves whichever client is current, so a
 *   half line left by the replaced client prefixes the new one's first line.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { SimGateway } from './gateway-core.ts';
import { formatGatewayLine } from './gateway-output.ts';
import { GatewayLineReader } from './line-reader.ts';
import type { RadioMessage } from './radio-message.ts';
import { listenOn } from '../io/listen.ts';

export type ClientPolicy = 'slots' | 'w5100';

/** MY_GATEWAY_MAX_CLIENTS default. */
export const DEFAULT_MAX_CLIENTS = 1;

export interface SimTcpFrontOptions {
  /** Loopback by default: a test gateway has no business on other interfaces. */
  host?: string;
  /** 0 picks a free port; read it from listen() or .port. */
  port?: number;
  /** Slots for the 'slots' policy. */
  maxClients?: number;
  policy?: ClientPolicy;
}

export interface SimTcpFrontEvents {
  /** A controller connection was taken into a slot (or, w5100, adopted). */
  client: [];
  /** A connection was accepted and closed at once: no free slot. */
  rejected: [];
  /** w5100: the current client was closed because another one sent data. */
  replaced: [];
}

interface Client {
  socket: net.Socket;
  reader: GatewayLineReader;
}

export class SimTcpFront extends EventEmitter<SimTcpFrontEvents> {
  readonly host: string;
  readonly policy: ClientPolicy;
  readonly maxClients: number;
  readonly #gateway: SimGateway;
  readonly #requestedPort: number;
  readonly #server: net.Server;
  /** Connections that get the gateway's output: slot holders, or (w5100) every open socket. */
  readonly #clients = new Set<Client>();
  /** w5100: the one line buffer, and the client whose bytes it collects. */
  readonly #sharedReader = new GatewayLineReader({ endsAtCR: true });
  #current: Client | null = null;
  #port = 0;
  readonly #onOutput = (m: RadioMessage): void => this.#broadcast(m);

  constructor(gateway: SimGateway, opts: SimTcpFrontOptions = {}) {
    super();
    this.#gateway = gateway;
    this.host = opts.host ?? '127.0.0.1';
    this.#requestedPort = opts.port ?? 0;
    this.policy = opts.policy ?? 'slots';
    this.maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
    if (!Number.isInteger(this.maxClients) || this.maxClients < 1) throw new RangeError('maxClients must be at least 1');
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** The bound port (after listen()). */
  get port(): number {
    return this.#port;
  }

  /** Connections currently receiving the gateway's output. */
  get clientCount(): number {
    return this.#clients.size;
  }

  async listen(): Promise<number> {
    this.#port = (await listenOn(this.#server, this.#requestedPort, this.host)).port;
    this.#gateway.on('output', this.#onOutput);
    return this.#port;
  }

  /** Closes the port and every connection. */
  async close(): Promise<void> {
    this.#gateway.off('output', this.#onOutput);
    for (const c of this.#clients) c.socket.destroy();
    this.#clients.clear();
    this.#current = null;
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {
      // A controller vanishing is routine for a gateway; its 'close' does the cleanup.
    });
    if (this.policy === 'w5100') {
      this.#acceptW5100(socket);
      return;
    }
    if (this.#clients.size >= this.maxClients) {
      socket.destroy();
      this.emit('rejected');
      return;
    }
    const client: Client = { socket, reader: new GatewayLineReader({ endsAtCR: true }) };
    this.#clients.add(client);
    socket.on('data', (chunk: Buffer) => this.#read(client.reader, chunk));
    socket.once('close', () => this.#clients.delete(client));
    this.emit('client');
    this.#gateway.announce();
  }

  #acceptW5100(socket: net.Socket): void {
    const client: Client = { socket, reader: this.#sharedReader };
    this.#clients.add(client);
    socket.on('data', (chunk: Buffer) => {
      if (this.#current !== client) {
        const previous = this.#current;
        this.#current = client;
        if (previous) {
          this.#clients.delete(previous);
          previous.socket.destroy();
          this.emit('replaced');
        }
        this.emit('client');
        this.#gateway.announce();
      }
      this.#read(this.#sharedReader, chunk);
    });
    socket.once('close', () => {
      this.#clients.delete(client);
      if (this.#current === client) this.#current = null;
    });
  }

  #read(reader: GatewayLineReader, chunk: Uint8Array): void {
    for (const out of reader.push(chunk)) {
      if ('tooLong' in out) this.#gateway.controllerLineTooLong();
      else this.#gateway.controllerLine(out.line);
    }
  }

  #broadcast(m: RadioMessage): void {
    const line = formatGatewayLine(m);
    for (const c of this.#clients) {
      if (!c.socket.destroyed && c.socket.writable) c.socket.write(line);
    }
  }
}
