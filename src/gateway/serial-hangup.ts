/**
 * Makes a serial port's hang-up visible. On Linux, a tty whose device goes away (a USB serial
 * adapter unplugged, the far end of a pty closed) is hung up: read(2) returns 0 bytes from then on.
 * serialport's Unix read (@serialport/bindings-cpp 13, unix-read.ts) answers a 0-byte read by
 * reading again at once, so the port never reports the loss: the link spins on empty reads, stays
 * "connected" and never reopens (bindings-cpp issue #162). Which of EIO or the hang-up a reader
 * sees first is a race in the kernel, so the loss was noticed only some of the time.
 *
 * This wraps the platform binding so that its ports read as before but end at a 0-byte read, with
 * an error the stream turns into a disconnect ('close' with a DisconnectedError). Ports of a
 * binding that is not the Unix one (Windows, the mock binding of unit tests) are left as they are.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import { errnoCode } from '../store/state-dir.ts';

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
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
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
