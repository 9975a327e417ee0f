/**
 * The link to a MySensors serial gateway (an Arduino on USB): gateway lines over a serial port,
 * reopened with backoff when the device disappears (unplugged, reset, re-enumerated).
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { formatLine } from '../core/mysensors/line.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_BAUD_RATE } from './defaults.ts';
import { LineReceiver } from './line-receiver.ts';
import { ReconnectTimer } from './reconnect-timer.ts';
import type { GatewayEvents, GatewayTransport } from './transport.ts';
import { serialBinding } from './serial-hangup.ts';
import type { SerialBinding } from './serial-hangup.ts';

/** How long stop() lets written bytes drain before it closes the port regardless. */
const SERIAL_STOP_GRACE_MS = 1_000;


export interface SerialGatewayOptions {
  path: string;
  baudRate?: number;
  /**
   * Unit tests pass MockBinding from @serialport/binding-mock; the default is the platform's with a
   * dependable read (serial-hangup.ts).
   */
  binding?: SerialBinding;
  backoff?: BackoffOptions;
}

export class SerialGateway extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly path: string;
  readonly baudRate: number;
  readonly description: string;
  readonly #binding: SerialBinding;
  readonly #receiver = new LineReceiver(this, () => this.#reconnect.backoff.proven());
  readonly #reconnect: ReconnectTimer;
  #port: SerialPort | null = null;
  #connected = false;
  #running = false;

  constructor(opts: SerialGatewayOptions) {
    super();
    this.path = opts.path;
    this.baudRate = opts.baudRate ?? DEFAULT_BAUD_RATE;
    this.#binding = opts.binding ?? serialBinding();
    this.description = `serial://${this.path}?baud=${this.baudRate}`;
    this.#reconnect = new ReconnectTimer(() => this.#open(), opts.backoff);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The open port, for tests (the mock binding's emitData) and diagnostics; null while down. */
  get serialPort(): SerialPort | null {
    return this.#connected ? this.#port : null;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#reconnect.cancel();
    const port = this.#port;
    if (!port) return;
    if (!port.isOpen) {
      // Still opening: the open callback sees #running false and closes it.
      await new Promise<void>((resolve) => port.once('close', () => resolve()));
      return;
    }
    // What was just written goes out first (a one-shot command sends and stops at once), but a tty
    // that never drains (a stuck adapter, a peer holding flow control) must not hold stop() forever.
    await new Promise<void>((resolve) => {
      setTimeout(resolve, SERIAL_STOP_GRACE_MS).unref();
      port.drain(() => resolve());
    });
    await new Promise<void>((resolve) => {
      port.once('close', () => resolve());
      port.close((err) => {
        if (err) resolve(); // already closing or closed: its 'close' may have fired already
      });
    });
  }

  send(message: MySensorsMessage): boolean {
    const line = formatLine(message); // throws for a message the gateway would mangle, link up or not
    if (!this.#connected || !this.#port) return false;
    this.#port.write(line);
    return true;
  }

  #open(): void {
    if (!this.#running || this.#port) return;
    const options: ConstructorParameters<typeof SerialPort>[0] = { path: this.path, baudRate: this.baudRate, autoOpen: false };
    // SerialPort's options type leaves the binding out, but its constructor takes one and lets it
    // override the platform's: that is how the mock and the hang-up aware one get in.
    Object.assign(options, { binding: this.#binding });
    const port = new SerialPort(options);
    this.#port = port;
    let lastError = '';
    let closed = false;
    const down = (): void => {
      if (closed) return;
      closed = true;
      this.#port = null;
      const wasConnected = this.#connected;
      this.#connected = false;
      if (wasConnected) {
        this.#reconnect.backoff.disconnected();
        this.emit('disconnected', !this.#running ? 'stopped' : lastError === '' ? 'device closed' : lastError);
      } else if (this.#running) {
        this.emit('failed', lastError === '' ? 'device closed' : lastError);
      }
      if (this.#running) this.#reconnect.schedule();
    };
    port.on('error', (err: Error) => {
      lastError = err.message;
    });
    port.on('data', (chunk: Buffer) => this.#receiver.push(chunk));
    port.on('close', (err?: Error | null) => {
      if (err) lastError = err.message; // a DisconnectedError: the device went away
      down();
    });
    // A hang-up (the device unplugged, the far end of a pty gone) is a read error: the stream
    // closes the port with a DisconnectedError, and 'close' above takes it from there.
    port.open((err) => {
      if (err) {
        lastError = err.message;
        // A failed open emits no 'close' of its own; emit one so that stop() waiting on it returns.
        port.emit('close');
        return;
      }
      if (!this.#running) {
        port.close();
        return;
      }
      this.#receiver.reset();
      this.#connected = true;
      this.#reconnect.backoff.connected();
      this.emit('connected');
    });
  }
}
