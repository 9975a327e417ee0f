/**
 * Replacing a file so that a crash at any moment leaves either the old contents or the new ones,
 * never a torn mix, and so that the new contents are on disk before the call returns.
 *
 * Two forms of the one procedure: writeFileAtomic, synchronous, for the tools and the rare key
 * changes; replaceFileAtomic, through the thread pool, for the daemon's counter files, so that a
 * reservation for one lock never stalls the event loop that every other lock's traffic shares.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';
import { ioError } from './state-dir.ts';

export interface WriteFileAtomicOptions {
  /** false: refuse (FILE_EXISTS) when the target exists, decided atomically by link(2). Default true. */
  overwrite?: boolean;
}

/**
 * Writes `data` to `path` with exactly `mode`: a temp file in the same directory (same filesystem,
 * so the rename is atomic) is created with O_EXCL and the mode (fchmod too, so the umask cannot
 * change it), written, fsynced, then renamed over the target; finally the directory is fsynced so
 * the rename itself survives a power cut. Failures are STORAGE_IO and leave the target untouched.
 */
export function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  mode: number,
  options: WriteFileAtomicOptions = {},
): void {
  const dir = dirname(path);
  const tmp = join(dir, tempName(basename(path)));
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let fd: number;
  try {
    fd = openSync(tmp, TEMP_FLAGS, mode);
  } catch (e) {
    throw ioError(e, 'create', tmp);
  }
  let placed = false;
  try {
    try {
      fchmodSync(fd, mode);
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } catch (e) {
      throw ioError(e, 'write', tmp);
    } finally {
      closeSync(fd);
    }
    if (options.overwrite === false) {
      // link(2) fails with EEXIST instead of replacing: no window between "does it exist" and
      // "write it" in which another writer's file could be clobbered.
      try {
        linkSync(tmp, path);
      } catch (e) {
        if (errnoCode(e) === 'EEXIST') {
          throw new MySealError(ErrorCode.FILE_EXISTS, `${path} already exists`, { file: path });
        }
        throw ioError(e, 'create', path);
      }
      placed = true;
      unlinkQuietly(tmp);
    } else {
      try {
        renameSync(tmp, path);
      } catch (e) {
        throw ioError(e, 'replace', path);
      }
      placed = true;
    }
    fsyncDirectory(dir);
  } finally {
    if (!placed) unlinkQuietly(tmp);
  }
}

/** O_EXCL: never an existing file; O_NOFOLLOW: never through a planted symlink. */
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * writeFileAtomic (always replacing) without blocking the event loop: durable, with exactly `mode`,
 * when the promise resolves; STORAGE_IO and the target untouched when it rejects.
 */
export async function replaceFileAtomic(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, tempName(basename(path)));
  let handle: FileHandle;
  try {
    handle = await open(tmp, TEMP_FLAGS, mode);
  } catch (e) {
    throw ioError(e, 'create', tmp);
  }
  let placed = false;
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } catch (e) {
      throw ioError(e, 'write', tmp);
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, path);
    } catch (e) {
      throw ioError(e, 'replace', path);
    }
    placed = true;
    await syncDirectory(dir);
  } finally {
    if (!placed) await unlink(tmp).catch(() => undefined);
  }
}

/** fsyncDirectory through the thread pool. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw ioError(e, 'open directory', dir);
  }
  try {
    await handle.sync();
  } catch (e) {
    if (errnoCode(e) !== 'EINVAL') throw ioError(e, 'fsync directory', dir);
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries (a rename, a new file) durable. */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw ioError(e, 'open directory', dir);
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // A few filesystems cannot fsync a directory at all (EINVAL); there is nothing stronger to do.
    if (errnoCode(e) !== 'EINVAL') throw ioError(e, 'fsync directory', dir);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes temp files a killed writer left beside `path` (a crash between create and rename). Only
 * those whose writer process is gone: a live one may be about to rename its file. A pid reused
 * since the crash keeps its file until a later cleanup; that costs a few bytes, never correctness.
 */
export function removeStaleTempFiles(path: string): number {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    if (unlinkQuietly(join(dir, name))) removed += 1;
  }
  return removed;
}

/** `.<name>.<pid>.<random>.tmp`: hidden, tied to its writer, unique even within one process. */
function tempName(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return errnoCode(e) === 'EPERM';
  }
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
