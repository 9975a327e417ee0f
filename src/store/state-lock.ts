/**
 * One process at a time uses a state dir's keys and counters: the daemon for as long as it runs, a
 * one-shot CLI command for the length of its operation. Two writers of the same counter file could
 * hand out the same counter twice, which CCM does not survive.
 *
 * The lock is a file created with O_EXCL holding the owner's pid; a lock whose process is gone (a
 * crash, a SIGKILL) is stale and is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';
import { ioError } from './state-dir.ts';

export const LOCK_FILE = 'myseal.lock';

export interface StateLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM'; // exists, owned by someone else
  }
}

function holder(path: string): { pid: number; purpose: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; purpose?: unknown };
    if (typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0) {
      return { pid: parsed.pid, purpose: typeof parsed.purpose === 'string' ? parsed.purpose : 'unknown' };
    }
  } catch {
    // unreadable or half-written: treated as stale below
  }
  return undefined;
}

/** Takes the state dir's lock or throws STATE_LOCKED naming the process that holds it. */
export function acquireStateLock(stateDir: string, purpose: string): StateLock {
  const path = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw ioError(e, 'create lock', path);
      const owner = holder(path);
      if (owner && owner.pid !== process.pid && alive(owner.pid)) {
        throw new MySealError(ErrorCode.STATE_LOCKED, `the state dir is in use by process ${owner.pid} (${owner.purpose})`, {
          pid: owner.pid,
        });
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw ioError(err, 'remove stale lock', path);
      }
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
    closeSync(fd);
    let released = false;
    return {
      release(): void {
        if (released) return;
        released = true;
        try {
          if (holder(path)?.pid === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      },
    };
  }
  throw new MySealError(ErrorCode.STATE_LOCKED, 'could not take the state dir lock', {});
}
