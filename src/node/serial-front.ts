/**
 * The simulated gateway on a serial line: one end of a pty pair (see test-helpers/pty.ts), as an
 * Arduino serial gateway on USB. Lines end at '\n' only (MyGatewayTransportSerial.cpp); the
 * startup messages go out once, at boot, whether anyone listens or not, and again on reboot().
 */
import { SerialPort } from 'serialport';
import { serialBinding } from '../gateway/serial-hangup.ts';
import type { SimGateway } from './gateway-core.ts';
import { formatGatewayLine } from './gateway-output.ts';
import { GatewayLineReader } from './line-reader.ts';
import type { RadioMessage } from './radio-message.ts';

export interface SimSerialFrontOptions {
  /** The gateway end of the pty pair. */
  path: string;
  /** Ignored by a pty; kept so a real serial adapter could be used for bench tests. */
  baudRate?: number;
}

export class SimSerialFront {
  readonly path: string;
  readonly #gateway: SimGateway;
  readonly #reader = new GatewayLineReader({ endsAtCR: false });
  readonly #baudRate: number;
  #port: SerialPort | null = null;
  readonly #onOutput = (m: RadioMessage): void => {
    if (this.#port?.isOpen) this.#port.write(formatGatewayLine(m));
  };

  constructor(gateway: SimGateway, opts: SimSerialFrontOptions) {
    this.#gateway = gateway;
    this.path = opts.path;
    this.#baudRate = opts.baudRate ?? 115_200;
  }

  /** Opens the port and boots: the startup messages are written at once. */
  async start(): Promise<void> {
    // The platform binding with the dependable read the daemon's link uses too (serial-hangup.ts).
    // (SerialPort's options type leaves the binding out; its constructor takes one, as in serial.ts.)
    const port = new SerialPort(Object.assign({ path: this.path, baudRate: this.#baudRate, autoOpen: false }, { binding: serialBinding() }));
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => {
      // The other end going away shows up as a close; nothing to add.
    });
    port.on('data', (chunk: Buffer) => {
      for (const out of this.#reader.push(chunk)) {
        if ('tooLong' in out) this.#gateway.controllerLineTooLong();
        else this.#gateway.controllerLine(out.line);
      }
    });
    this.#port = port;
    this.#gateway.on('output', this.#onOutput);
    this.reboot();
  }

  /** A reset of the board (a real Arduino resets when the port is opened): startup again. */
  reboot(): void {
    this.#reader.reset();
    this.#gateway.announce();
  }

  async close(): Promise<void> {
    this.#gateway.off('output', this.#onOutput);
    const port = this.#port;
    this.#port = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
