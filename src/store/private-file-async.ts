/**
 * Private files read through the thread pool, with the checks of state-dir.ts's readPrivateFile:
 * for a running service, whose event loop must not wait on the disk (the audit history, the
 * follower, the key store's reload). state-dir.ts keeps the rules (where the state lives, what a
 * private file is); this file only reads, the asynchronous way.
 */
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { MySealError } from '../core/errors.ts';
import { PRIVATE_READ_FLAGS, checkPrivateFile, ioError, missingOrRefused } from './state-dir.ts';

/** The whole file, up to maxBytes + 1 bytes (so a caller sees it is longer); undefined when missing. */
export async function readPrivateFileAsync(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const file = await openPrivateFileAsync(path);
  if (file === undefined) return undefined;
  try {
    return await readOpenPrivateFile(file, maxBytes);
  } finally {
    await file.handle.close();
  }
}

/** A private file open for reading, checked by the ssh rule; the caller closes the handle. */
export interface OpenPrivateFile {
  readonly path: string;
  readonly handle: FileHandle;
  readonly stat: Stats;
}

/**
 * Opens a private file through the thread pool and checks it: undefined when missing. Holding the
 * descriptor keeps one file in hand while others rename it (the audit follower identifies rotated
 * files by inode and then reads the very file it identified).
 */
export async function openPrivateFileAsync(path: string): Promise<OpenPrivateFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, PRIVATE_READ_FLAGS);
  } catch (e) {
    return missingOrRefused(e, path);
  }
  try {
    const stat = await handle.stat();
    checkPrivateFile(stat, path);
    return { path, handle, stat };
  } catch (e) {
    await handle.close();
    throw e instanceof MySealError ? e : ioError(e, 'stat', path);
  }
}

/** Everything in an open private file from its start, up to maxBytes + 1 bytes (so a caller sees it is longer). */
export async function readOpenPrivateFile(file: OpenPrivateFile, maxBytes: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(Math.min(file.stat.size, maxBytes) + 1);
  let length = 0;
  while (length < buffer.length) {
    let n: number;
    try {
      ({ bytesRead: n } = await file.handle.read(buffer, length, buffer.length - length, length));
    } catch (e) {
      throw ioError(e, 'read', file.path);
    }
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}
