/**
 * The link to a MySensors Ethernet gateway (W5100, ENC28J60, ESP8266/ESP32, Linux): one TCP
 * connection carrying gateway lines both ways, reconnected with backoff after any loss.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { formatLine } from '../core/mysensors/line.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_TCP_PORT } from './defaults.ts';
import { LineReceiver } from './line-receiver.ts';
import { ReconnectTimer } from './reconnect-timer.ts';
import type { GatewayEvents, GatewayTransport } from './transport.ts';

/**
 * A connect that has not completed by then is given up and retried: a gateway that is powered off
 * would otherwise hold the attempt for the kernel's SYN retries (over two minutes on Linux).
 */
export const TCP_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Idle time before the first keepalive probe. A gateway that loses power without a FIN leaves a
 * half-open connection: sends would go nowhere until keepalive (or a write) notices. Node sets
 * only the idle time; the probe interval and count stay at the kernel's defaults.
 */
export const TCP_KEEPALIVE_IDLE_MS = 30_000;
/** How long stop() waits for the gateway to close its end after ours, before cutting the link. */
export const TCP_STOP_GRACE_MS = 1_000;

export interface TcpGatewayOptions {
  host: string;
  port?: number;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
}

/** host:port for logs and URLs, with IPv6 literals in brackets. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

export class TcpGateway extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly host: string;
  readonly port: number;
  readonly description: string;
  readonly #connectTimeoutMs: number;
  readonly #receiver = new LineReceiver(this, () => this.#reconnect.backoff.proven());
  readonly #reconnect: ReconnectTimer;
  #socket: net.Socket | null = null;
  #connected = false;
  #running = false;

  constructor(opts: TcpGatewayOptions) {
    super();
    this.host = opts.host;
    this.port = opts.port ?? DEFAULT_TCP_PORT;
    this.description = `tcp://${hostPort(this.host, this.port)}`;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS;
    this.#reconnect = new ReconnectTimer(() => this.#open(), opts.backoff);
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#reconnect.cancel();
    const socket = this.#socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      // A line just written must still reach the gateway (a one-shot command sends and stops at
      // once): end() sends it and then a FIN, and what the gateway says meanwhile is still read, so
      // the close is not a reset that could take the line down with it. A dead peer never answers
      // the FIN: it is cut off after a moment.
      if (!this.#connected) {
        socket.destroy();
        return;
      }
      socket.end();
      setTimeout(() => socket.destroy(), TCP_STOP_GRACE_MS).unref();
    });
  }

  send(message: MySensorsMessage): boolean {
    const line = formatLine(message); // throws for a message the gateway would mangle, link up or not
    if (!this.#connected || !this.#socket) return false;
    this.#socket.write(line);
    return true;
  }

  abandon(reason: string): void {
    // The reason arrives as the socket's error, so the close reports it like any other cause.
    if (this.#connected) this.#socket?.destroy(new Error(reason));
  }

  #open(): void {
    if (!this.#running || this.#socket) return;
    const socket = net.connect({ host: this.host, port: this.port });
    this.#socket = socket;
    let lastError = '';
    socket.setTimeout(this.#connectTimeoutMs);
    socket.once('timeout', () => {
      if (!this.#connected) {
        lastError = `no connection within ${this.#connectTimeoutMs} ms`;
        socket.destroy();
      }
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, TCP_KEEPALIVE_IDLE_MS);
      this.#receiver.reset();
      this.#connected = true;
      this.#reconnect.backoff.connected();
      this.emit('connected');
    });
    socket.on('data', (chunk: Buffer) => this.#receiver.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Codes only (ECONNREFUSED, ECONNRESET...): the message repeats the address, which the
      // description already gives.
      lastError = err.code ?? err.message;
    });
    socket.once('close', () => {
      this.#socket = null;
      const wasConnected = this.#connected;
      this.#connected = false;
      if (wasConnected) {
        this.#reconnect.backoff.disconnected();
        const reason = !this.#running ? 'stopped' : lastError === '' ? 'closed by the gateway' : lastError;
        this.emit('disconnected', reason);
      } else if (this.#running) {
        this.emit('failed', lastError === '' ? 'closed by the gateway' : lastError);
      }
      if (this.#running) this.#reconnect.schedule();
    });
  }
}
