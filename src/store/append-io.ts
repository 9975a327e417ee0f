/**
 * The two calls a durable append makes for each batch: write the bytes, then fsync. Behind a seam
 * so that tests can count the fsyncs and check that nothing is reported durable before its fsync
 * has returned. Callback fs, run in libuv's thread pool: the event loop never waits on the disk.
 */
import { fsync, write } from 'node:fs';

export interface AppendIo {
  /** Writes all of `bytes` at the file's end (the fd is opened O_APPEND). */
  write(fd: number, bytes: Uint8Array): Promise<void>;
  fsync(fd: number): Promise<void>;
}

export const nodeAppendIo: AppendIo = {
  // One promise for the whole write, however many calls a short write takes: a batch is a few
  // hundred bytes, written at once, and this runs for every batch of the audit log and the journal.
  write: (fd, bytes) =>
    new Promise<void>((resolve, reject) => {
      const from = (at: number): void =>
        write(fd, bytes, at, bytes.length - at, null, (e, n) => {
          if (e) reject(e);
          else if (at + n < bytes.length) from(at + n);
          else resolve();
        });
      if (bytes.length === 0) resolve();
      else from(0);
    }),
  fsync: (fd) => new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve()))),
};
