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
  async write(fd, bytes) {
    let at = 0;
    while (at < bytes.length) {
      at += await new Promise<number>((resolve, reject) =>
        write(fd, bytes, at, bytes.length - at, null, (e, n) => (e ? reject(e) : resolve(n))),
      );
    }
  },
  fsync: (fd) => new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve()))),
};
