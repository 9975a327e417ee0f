import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../core/errors.ts';
import { checkPrivateFile, ioError, readPrivateFileAsync } from '../store/state-dir.ts';
import { AUDIT_FILE, rotatedIndexes, rotatedPath } from './files.ts';
import { MAX_READ_BYTES, parseLines } from './reader.ts';
import type { AuditReadResult } from './reader.ts';

/**
 * `tail -F` for the audit log: each poll returns the entries appended since the last one, across
 * rotations: the rest of the renamed file is read through the descriptor still open on it, then any
 * rotated file written entirely since the last poll, then the new audit.log from its start. Starts
 * at the current end: the caller prints history first with readAuditLog. Only if more than `keep`
 * rotations happen between two polls are lines lost, which the flood guard makes impossible at a
 * poll every 500 ms. Through the thread pool, like the reader, so that any process may follow the
 * log without its event loop waiting on the disk.
 */
export class AuditFollower {
  private readonly path: string;
  private handle: FileHandle | undefined;
  private ino = -1;
  private offset = 0;
  private pending: Uint8Array = new Uint8Array(0);

  private constructor(
    private readonly stateDir: string,
    private readonly options: { node?: number },
  ) {
    this.path = join(stateDir, AUDIT_FILE);
  }

  /** Starts following at the log's current end (or at its start, once one appears). */
  static async start(stateDir: string, options: { node?: number } = {}): Promise<AuditFollower> {
    const follower = new AuditFollower(stateDir, options);
    await follower.openCurrent(true);
    return follower;
  }

  async poll(): Promise<AuditReadResult> {
    const out: AuditReadResult = { entries: [], corrupt: 0 };
    await this.drain(out);
    let st: Stats | undefined;
    try {
      st = await stat(this.path);
    } catch {
      st = undefined;
    }
    if (st !== undefined && (st.ino !== this.ino || st.size < this.offset)) {
      // Rotated (a new file) or truncated: the rest of the old one was drained above.
      if (st.ino !== this.ino && this.handle !== undefined) await this.readSkippedFiles(out);
      await this.close();
      this.pending = new Uint8Array(0);
      await this.openCurrent(false);
      await this.drain(out);
    }
    return out;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /**
   * Rotated files newer than the one we were reading: audit.log.1 .. up to the one that is our old
   * file (same inode), read whole, oldest first. If ours is gone (rotated away), all of them are newer.
   */
  private async readSkippedFiles(out: AuditReadResult): Promise<void> {
    const skipped: string[] = [];
    for (const index of await rotatedIndexes(this.stateDir)) {
      const path = rotatedPath(this.stateDir, index);
      let ino: number | undefined;
      try {
        ino = (await stat(path)).ino;
      } catch {
        continue;
      }
      if (ino === this.ino) break;
      skipped.unshift(path);
    }
    for (const path of skipped) {
      const bytes = await readPrivateFileAsync(path, MAX_READ_BYTES);
      if (bytes === undefined) continue;
      this.collect(parseLines(bytes), out);
    }
  }

  private async openCurrent(atEnd: boolean): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw ioError(e, 'open', this.path);
    }
    try {
      const st = await handle.stat();
      checkPrivateFile(st, this.path);
      this.handle = handle;
      this.ino = st.ino;
      this.offset = atEnd ? st.size : 0;
    } catch (e) {
      await handle.close();
      throw ioError(e, 'open', this.path);
    }
  }

  /** Reads what was appended, hands over the complete lines and keeps a partial last line. */
  private async drain(out: AuditReadResult): Promise<void> {
    if (this.handle === undefined) return;
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.handle.read(chunk, 0, chunk.length, this.offset));
      } catch (e) {
        throw ioError(e, 'read', this.path);
      }
      if (n === 0) break;
      this.offset += n;
      const joined = new Uint8Array(this.pending.length + n);
      joined.set(this.pending);
      joined.set(chunk.subarray(0, n), this.pending.length);
      this.pending = joined;
    }
    const lastNewline = this.pending.lastIndexOf(0x0a);
    if (lastNewline < 0) return;
    const parsed = parseLines(this.pending.subarray(0, lastNewline + 1));
    this.pending = this.pending.slice(lastNewline + 1);
    this.collect(parsed, out);
  }

  private collect(parsed: AuditReadResult, out: AuditReadResult): void {
    out.corrupt += parsed.corrupt;
    for (const e of parsed.entries) if (this.options.node === undefined || e.node === this.options.node) out.entries.push(e);
  }
}
