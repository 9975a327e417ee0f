/**
 * serialport's Unix read (@serialport/bindings-cpp 13, unix-read.ts), made dependable. Two faults:
 *
 * - A hang-up goes unreported. On Linux, a tty whose device goes away (a USB serial adapter
 *   unplugged, the far end of a pty closed) is hung up: read(2) returns 0 bytes from then on. The
 *   binding answers a 0-byte read by reading again at once, so the port never reports the loss: the
 *   link spins on empty reads, stays "connected" and never reopens (bindings-cpp issue #162). Here a
 *   0-byte read ends the port with an error the stream turns into a disconnect ('close' with a
 *   DisconnectedError).
 * - A read waiting for data can stall. The binding's poller calls into JavaScript from its native
 *   callback, where the promise continuation that should read the data is only queued; on Node.js
 *   26 nothing runs the queue until some other event arrives (seen with `myseal node` on a pty and
 *   its stdin a quiet pipe: the data sat unread). Here the wait ends from a macrotask (setImmediate),
 *   whose callback drains the queue as every event-loop callback does.
 *
 * The wrapper keeps the platform binding and replaces only its ports' read. Ports of a binding that
 * is not the Unix one (Windows, the mock binding of unit tests) are left as they are.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import type { SerialPortMock } from 'serialport';
import { errnoCode } from '../core/errors.ts';

/** The platform binding serialport picks, or the mock one for unit tests. */
export type SerialBinding = typeof SerialPort.binding | typeof SerialPortMock.binding;

const readAsync = promisify(read);

/** What a Unix port binding (LinuxPortBinding, DarwinPortBinding) has that this needs. */
interface UnixPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

interface BindingLike {
  open(options: never): Promise<unknown>;
}

function isUnixPort(port: unknown): port is UnixPort {
  const p = port as Partial<UnixPort> | null;
  return typeof p === 'object' && p !== null && typeof p.fd === 'number' && typeof p.poller?.once === 'function' && typeof p.read === 'function';
}

/** The errors a closed port gives: the stream must not treat them as a lost device. */
function canceled(): Error {
  return Object.assign(new Error('the port is not open'), { canceled: true });
}

/** One read: data, or an error when the device hung up or failed. Waits while nothing is there. */
async function readUntilHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(port.fd, buffer, offset, length, null));
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw e;
      if (!port.isOpen) throw canceled();
      // Settled from a macrotask, not from inside the poller's native callback (see the top).
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => setImmediate(() => (err ? reject(err) : resolve()))));
      continue;
    }
    if (bytesRead === 0) throw new Error('the device hung up (end of file)');
    return { buffer, bytesRead };
  }
}

/** The binding with its ports' reads ending at a hang-up. */
export function hangupAware<B extends BindingLike>(binding: B): B {
  return {
    ...binding,
    open: async (options: never) => {
      const port = await binding.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readUntilHangup(port, buffer, offset, length);
      return port;
    },
  };
}

let platform: SerialBinding | undefined;
/** The platform's binding with the dependable read, made once, on first use (mock-only unit tests never load it). */
export function serialBinding(): SerialBinding {
  platform ??= hangupAware(SerialPort.binding);
  return platform;
}
