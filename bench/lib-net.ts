/**
 * Small clients for bench/proxy.ts: a line-based controller (counting lines for throughput, or
 * waiting for one for round trips), a raw HTTP/1.1 keep-alive client whose write moment is known to
 * the microsecond, and percentiles.
 */
import net from 'node:net';

/** A controller on a gateway-compatible port (the MySeal proxy, socat, or the gateway itself). */
export class LineClient {
  /** Lines received so far (counted by their '\n'). */
  count = 0;
  /** Bytes received so far. */
  bytes = 0;
  /** The last bytes received, for checking what the last line was. */
  tail = '';
  readonly socket: net.Socket;
  #partial = '';
  #waiter: { prefix: string; resolve: (line: string) => void } | null = null;
  #countWaiter: { target: number; resolve: (at: number) => void } | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  #data(chunk: Buffer): void {
    let n = 0;
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) n++;
    this.count += n;
    this.bytes += chunk.length;
    this.tail = (this.tail + chunk.toString('latin1', Math.max(0, chunk.length - 64))).slice(-64);
    if (this.#countWaiter && this.count >= this.#countWaiter.target) {
      const w = this.#countWaiter;
      this.#countWaiter = null;
      w.resolve(performance.now());
    }
    if (!this.#waiter) {
      this.#partial = '';
      return;
    }
    const parts = (this.#partial + chunk.toString('latin1')).split('\n');
    this.#partial = parts.pop()!;
    for (const line of parts) {
      const w = this.#waiter;
      if (w && line.startsWith(w.prefix)) {
        this.#waiter = null;
        w.resolve(line);
      }
    }
  }

  /** Resolves with the time the count reached `target` lines. */
  untilCount(target: number, timeoutMs: number): Promise<number> {
    if (this.count >= target) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.count} of ${target} lines within ${timeoutMs} ms`)), timeoutMs);
      this.#countWaiter = {
        target,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }

  /** Writes a line and resolves with the first line starting with `prefix` that comes back. */
  roundTrip(line: string, prefix: string, timeoutMs = 5_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new Error(`no answer starting with ${prefix} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#partial = '';
      this.#waiter = {
        prefix,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      this.socket.write(line);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
  /** performance.now() just before the request's bytes were handed to the socket. */
  writtenAt: number;
  /** performance.now() when the whole answer had arrived (read in the 'data' handler). */
  answeredAt: number;
}

/** HTTP/1.1 over one kept-alive connection, one request at a time. */
export class HttpConn {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #pending: { resolve: (a: { status: number; body: string; answeredAt: number }) => void; reject: (e: Error) => void } | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
  }

  static connect(port: number): Promise<HttpConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new HttpConn(socket)));
      socket.once('error', reject);
    });
  }

  #parse(): void {
    const pending = this.#pending;
    if (!pending) return;
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    let at = end + 4;
    let body: Buffer;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length !== undefined) {
      if (this.#buffer.length < at + Number(length)) return;
      body = this.#buffer.subarray(at, at + Number(length));
      at += Number(length);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.#buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(this.#buffer.subarray(at, lineEnd).toString('latin1'), 16);
        if (this.#buffer.length < lineEnd + 2 + size + 2) return;
        parts.push(this.#buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      this.#pending = null;
      pending.reject(new Error(`an HTTP answer with neither Content-Length nor chunked encoding: ${head}`));
      return;
    }
    this.#buffer = this.#buffer.subarray(at);
    this.#pending = null;
    pending.resolve({ status, body: body.toString('utf8'), answeredAt: performance.now() });
  }

  request(method: string, path: string, body?: string): Promise<HttpAnswer> {
    if (this.#pending) throw new Error('one request at a time');
    const payload = body ?? '';
    const text =
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n` +
      (method === 'POST' ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` : '') +
      `\r\n${payload}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HTTP answer to ${method} ${path}`)), 15_000);
      this.#pending = {
        resolve: (a) => {
          clearTimeout(timer);
          resolve({ ...a, writtenAt });
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const writtenAt = performance.now();
      this.socket.write(text);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The q-quantile (0-1) of the values, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function summary(values: readonly number[]): { p50: number; p99: number; max: number; mean: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { p50: round(quantile(values, 0.5)), p99: round(quantile(values, 0.99)), max: round(Math.max(...values)), mean: round(mean) };
}
