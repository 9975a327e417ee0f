/**
 * The link to a MySensors serial gateway (an Arduino on USB): gateway lines over a serial port.
 * Opening the port is all that is serial's own; the link (link.ts) reopens it with backoff when the
 * device disappears (unplugged, reset, re-enumerated) and frames what it reads.
 */
import { SerialPort } from 'serialport';
import { formatLine } from '../core/mysensors/line.ts';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_BAUD_RATE } from './defaults.ts';
import { GatewayLink } from './link.ts';
import type { GatewayStream, StreamSink } from './link.ts';
import { serialBinding } from './serial-hangup.ts';
import type { SerialBinding } from './serial-hangup.ts';

/** How long close() lets written bytes drain before it closes the port regardless. */
const SERIAL_STOP_GRACE_MS = 1_000;

export interface SerialTarget {
  path: string;
  baudRate: number;
  /**
   * Unit tests pass MockBinding from @serialport/binding-mock; the default is the platform's with a
   * dependable read (serial-hangup.ts).
   */
  binding?: SerialBinding;
}

export interface SerialStream extends GatewayStream<string> {
  /** The open port, for tests (the mock binding's emitData) and diagnostics. */
  readonly port: SerialPort;
}

/** The serial port, resolved once open. */
export function openSerial(target: SerialTarget, sink: StreamSink, signal: AbortSignal): Promise<SerialStream> {
  return new Promise((resolve, reject) => {
    const options: ConstructorParameters<typeof SerialPort>[0] = { path: target.path, baudRate: target.baudRate, autoOpen: false };
    // SerialPort's options type leaves the binding out, but its constructor takes one and lets it
    // override the platform's: that is how the mock and the hang-up aware one get in.
    Object.assign(options, { binding: target.binding ?? serialBinding() });
    const port = new SerialPort(options);
    let lastError = '';
    let ended: (reason: string) => void = () => undefined;
    const endedWith = new Promise<string>((r) => (ended = r));
    port.on('error', (err: Error) => {
      lastError = err.message;
    });
    port.on('data', sink.bytes);
    // A hang-up (the device unplugged, the far end of a pty gone) is a read error: the stream
    // closes the port with a DisconnectedError, which ends the connection here.
    port.on('close', (err?: Error | null) => {
      if (err) lastError = err.message;
      ended(lastError === '' ? 'device closed' : lastError);
    });
    port.open((err) => {
      if (err) {
        reject(new Error(err.message));
        return;
      }
      if (signal.aborted) {
        port.close(() => reject(new Error('stopped')));
        return;
      }
      resolve({
        port,
        write: (line) => void port.write(line),
        ended: endedWith,
        close: async () => {
          // What was just written goes out first (a one-shot command sends and stops at once), but
          // a tty that never drains (a stuck adapter, a peer holding flow control) must not hold
          // the close forever.
          if (port.isOpen) {
            await new Promise<void>((drained) => {
              setTimeout(drained, SERIAL_STOP_GRACE_MS).unref();
              port.drain(() => drained());
            });
          }
          await new Promise<void>((closed) => {
            void endedWith.then(() => closed());
            port.close((e) => {
              if (e) closed(); // already closing or closed: its 'close' may have come already
            });
          });
        },
      });
    });
  });
}

export interface SerialGatewayOptions {
  path: string;
  baudRate?: number;
  binding?: SerialBinding;
  backoff?: BackoffOptions;
}

export class SerialGateway extends GatewayLink<string, SerialStream> {
  readonly path: string;
  readonly baudRate: number;

  constructor(opts: SerialGatewayOptions) {
    const target: SerialTarget = { path: opts.path, baudRate: opts.baudRate ?? DEFAULT_BAUD_RATE, binding: opts.binding };
    super({
      description: `serial://${target.path}?baud=${target.baudRate}`,
      open: (sink, signal) => openSerial(target, sink, signal),
      encode: formatLine,
      backoff: opts.backoff,
    });
    this.path = target.path;
    this.baudRate = target.baudRate;
  }

  /** The open port, for tests (the mock binding's emitData) and diagnostics; null while down. */
  get serialPort(): SerialPort | null {
    return this.stream?.port ?? null;
  }
}
