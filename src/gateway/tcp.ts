/**
 * The link to a MySensors Ethernet gateway (W5100, ENC28J60, ESP8266/ESP32, Linux): one TCP
 * connection carrying gateway lines both ways. Opening it is all that is TCP's own; the link
 * (link.ts) reconnects and frames.
 */
import net from 'node:net';
import { formatLine } from '../core/mysensors/line.ts';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_TCP_PORT } from './defaults.ts';
import { GatewayLink } from './link.ts';
import type { GatewayStream, StreamSink } from './link.ts';
import { hostPort } from './parse-url.ts';

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
/** How long close() waits for the gateway to close its end after ours, before cutting the link. */
export const TCP_STOP_GRACE_MS = 1_000;

export interface TcpTarget {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

/** One TCP connection to the gateway, resolved once connected. */
export function openTcp(target: TcpTarget, sink: StreamSink, signal: AbortSignal): Promise<GatewayStream<string>> {
  const timeoutMs = target.connectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let lastError = '';
    let connected = false;
    let ended: (reason: string) => void = () => undefined;
    const endedWith = new Promise<string>((r) => (ended = r));
    const onAbort = (): void => void socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs);
    socket.once('timeout', () => {
      if (connected) return;
      lastError = `no connection within ${timeoutMs} ms`;
      socket.destroy();
    });
    socket.on('data', sink.bytes);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Codes only (ECONNREFUSED, ECONNRESET...): the message repeats the address, which the
      // description already gives.
      lastError = err.code ?? err.message;
    });
    socket.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      const reason = lastError === '' ? 'closed by the gateway' : lastError;
      if (connected) ended(reason);
      else reject(new Error(reason));
    });
    socket.once('connect', () => {
      connected = true;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, TCP_KEEPALIVE_IDLE_MS);
      // The lines written in one tick (a burst of frames, a retry with its line) leave in one write:
      // corked at the first, uncorked once the tick's code and microtasks have run. Nothing waits
      // for a later event: with no delay set, they are on the wire as soon as the tick is over.
      let corked = false;
      const uncork = (): void => {
        corked = false;
        socket.uncork();
      };
      resolve({
        write: (line) => {
          if (!corked) {
            corked = true;
            socket.cork();
            process.nextTick(uncork);
          }
          socket.write(line);
        },
        ended: endedWith,
        close: async () => {
          // A line just written must still reach the gateway (a one-shot command sends and stops at
          // once): end() sends it and then a FIN, and what the gateway says meanwhile is still read,
          // so the close is not a reset that could take the line down with it. A dead peer never
          // answers the FIN: it is cut off after a moment.
          if (!socket.destroyed) socket.end();
          const cutOff = setTimeout(() => socket.destroy(), TCP_STOP_GRACE_MS).unref();
          await endedWith;
          clearTimeout(cutOff);
        },
        // The reason arrives as the socket's error, so the close reports it like any other cause.
        abort: (reason) => void socket.destroy(new Error(reason)),
      });
    });
  });
}

export interface TcpGatewayOptions {
  host: string;
  port?: number;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
}

/** The link over TCP. Only here can a connection be abandoned: a new one reaches the gateway itself. */
export class TcpGateway extends GatewayLink<string> {
  readonly host: string;
  readonly port: number;

  constructor(opts: TcpGatewayOptions) {
    const target: TcpTarget = { host: opts.host, port: opts.port ?? DEFAULT_TCP_PORT, connectTimeoutMs: opts.connectTimeoutMs };
    super({
      description: `tcp://${hostPort(target.host, target.port)}`,
      open: (sink, signal) => openTcp(target, sink, signal),
      encode: formatLine,
      backoff: opts.backoff,
    });
    this.host = target.host;
    this.port = target.port;
  }

  abandon(reason: string): void {
    this.cut(reason);
  }
}
