/**
 * A bare TCP controller for poking a gateway by hand: writes exactly the bytes it is given (no
 * validation, unlike MySeal's transports) and keeps every line it gets back. The simulator's own
 * tests use it to feed the gateway the malformed input MySeal never sends.
 */
import net from 'node:net';

export class RawController {
  /** Lines received, without their '\n' (decoded as UTF-8, bad bytes shown as U+FFFD). */
  readonly lines: string[] = [];
  readonly socket: net.Socket;
  /** Resolves when the gateway (or we) close the connection. */
  readonly closed: Promise<void>;
  #partial = Buffer.alloc(0);
  readonly #listeners = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      let data = Buffer.concat([this.#partial, chunk]);
      let at: number;
      while ((at = data.indexOf(0x0a)) >= 0) {
        this.lines.push(data.subarray(0, at).toString('utf8'));
        data = data.subarray(at + 1);
      }
      this.#partial = data;
      for (const l of this.#listeners) l();
    });
    socket.on('error', () => {
      // A reset shows up as close; tests look at `closed`.
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const l of this.#listeners) l();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawController> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(new RawController(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Resolves with the first line (from `from` on) that matches, or rejects after timeoutMs. */
  waitForLine(match: string | RegExp | ((line: string) => boolean), timeoutMs = 2_000, from = 0): Promise<string> {
    const test = typeof match === 'function' ? match : (l: string) => (typeof match === 'string' ? l === match : match.test(l));
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.lines.slice(from).find(test);
        if (found === undefined) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching line within ${timeoutMs} ms; got ${JSON.stringify(this.lines.slice(from))}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
      check();
    });
  }

  /** Waits until no new line has come for quietMs (to show that something did NOT happen). */
  async settle(quietMs = 100): Promise<void> {
    let count = -1;
    while (count !== this.lines.length) {
      count = this.lines.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}
