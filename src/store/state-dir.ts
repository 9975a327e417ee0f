/**
 * Where MySeal keeps its state (keys, counters, generated headers) and who may touch it.
 *
 * The rules are ssh's: a secret or a counter is only trusted when the file is ours, a regular file
 * and closed to group and others, and the directories around it cannot be written by anyone else
 * (who could otherwise swap the files). Anything else is refused, never repaired silently: a loose
 * mode means someone else may already have read or changed it, which only the user can judge.
 */
import { chmodSync, constants, closeSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';

export const STATE_DIR_ENV = 'MYSEAL_STATE_DIR';

/**
 * The state directory: the --state-dir flag, else $MYSEAL_STATE_DIR, else $XDG_STATE_HOME/myseal,
 * else ~/.local/state/myseal (the XDG default). Always returned absolute, so messages name it fully.
 */
export function resolveStateDir(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  const fromEnv = env[STATE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'myseal');
  return join(home, '.local', 'state', 'myseal');
}

/** Creates the state directory 0700 (or checks an existing one) and returns it. */
export function ensureStateDir(dir: string): string {
  return ensurePrivateDir(dir);
}

/**
 * Creates a directory 0700, parents included, or checks that an existing one is a directory we own
 * that group and others cannot write. Used for the state dir and its counters/ and arduino/ subdirs.
 */
export function ensurePrivateDir(dir: string): string {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw ioError(e, 'create directory', dir);
  }
  if (created !== undefined) {
    // mkdir's mode passes through the umask, which can only narrow it (0500 would lock us out of
    // our own dir): set it exactly, but only on the directory we just made.
    try {
      chmodSync(dir, 0o700);
    } catch (e) {
      throw ioError(e, 'chmod', dir);
    }
  }
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    throw ioError(e, 'stat', dir);
  }
  if (!st.isDirectory()) {
    throw new MySealError(ErrorCode.KEY_STORE_PERMISSIONS, `${dir} is not a directory`, { file: dir });
  }
  checkOwner(st, dir);
  if ((st.mode & 0o022) !== 0) {
    throw new MySealError(
      ErrorCode.KEY_STORE_PERMISSIONS,
      `${dir} is writable by group or others (mode ${octal(st.mode)}): anyone who can write it can swap ` +
        `the key and counter files; run chmod 700 ${dir}`,
      { file: dir, mode: st.mode & 0o777 },
    );
  }
  return dir;
}

/**
 * Reads a file that holds a secret or a counter, refusing it (KEY_STORE_PERMISSIONS) unless it is a
 * regular file, owned by us, with no group or other bits (mode & 0o077 === 0). Returns undefined
 * when the file does not exist. The checks run on the open descriptor (fstat), so the file cannot
 * be swapped between the check and the read; O_NOFOLLOW refuses a symbolic link, O_NONBLOCK keeps a
 * FIFO planted in its place from hanging the open. Reads at most maxBytes + 1 bytes, so callers can
 * reject an oversized file without reading it all.
 */
export function readPrivateFile(path: string, maxBytes: number): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, PRIVATE_READ_FLAGS);
  } catch (e) {
    return missingOrRefused(e, path);
  }
  try {
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      throw ioError(e, 'stat', path);
    }
    checkPrivateFile(st, path);
    const buffer = new Uint8Array(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (e) {
        throw ioError(e, 'read', path);
      }
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** How a private file is opened for reading: never through a symbolic link, never blocking on a FIFO. */
export const PRIVATE_READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A failed open of a private file: missing is undefined, a symbolic link is refused, the rest is STORAGE_IO. */
export function missingOrRefused(e: unknown, path: string): undefined {
  const code = errnoCode(e);
  if (code === 'ENOENT') return undefined;
  if (code === 'ELOOP') {
    throw new MySealError(ErrorCode.KEY_STORE_PERMISSIONS, `${path} is a symbolic link; refusing to follow it`, {
      file: path,
    });
  }
  throw ioError(e, 'open', path);
}

/** The ssh rule for a secret file: regular, ours, and mode & 0o077 === 0. */
export function checkPrivateFile(st: Stats, path: string): void {
  if (!st.isFile()) {
    throw new MySealError(ErrorCode.KEY_STORE_PERMISSIONS, `${path} is not a regular file`, { file: path });
  }
  checkOwner(st, path);
  if ((st.mode & 0o077) !== 0) {
    throw new MySealError(
      ErrorCode.KEY_STORE_PERMISSIONS,
      `${path} is accessible by group or others (mode ${octal(st.mode)}); it must be private: ` +
        `check who may have read or changed it, then run chmod 600 ${path}`,
      { file: path, mode: st.mode & 0o777 },
    );
  }
}

function checkOwner(st: Stats, path: string): void {
  // process.getuid is missing only on Windows, where there is no uid to compare. Root is no
  // exception: root's state must be root's own files too.
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new MySealError(
      ErrorCode.KEY_STORE_PERMISSIONS,
      `${path} is owned by uid ${st.uid}, not by this user (uid ${uid})`,
      { file: path, owner: st.uid, uid },
    );
  }
}


/**
 * A failed fs call as STORAGE_IO. Only the operation, the path and the errno name go into the
 * message: never the underlying error (nor as cause), so no data can leak through it.
 */
export function ioError(e: unknown, op: string, path: string): MySealError {
  if (e instanceof MySealError) return e;
  const code = errnoCode(e) ?? 'unknown error';
  return new MySealError(ErrorCode.STORAGE_IO, `cannot ${op} ${path}: ${code}`, { file: path, errno: code });
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
