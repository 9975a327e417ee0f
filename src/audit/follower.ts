import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { openPrivateFileAsync, readOpenPrivateFile } from '../store/private-file-async.ts';
import type { OpenPrivateFile } from '../store/private-file-async.ts';
import { ioError } from '../store/state-dir.ts';
import { AUDIT_FILE, rotatedIndexes, rotatedPath } from './files.ts';
import { MAX_READ_BYTES, parseLines } from './reader.ts';
import type { AuditReadResult } from './reader.ts';

/**
 * `tail -F` for the audit log: each poll returns the entries appended since the last one, across
 * rotations: the rest of the renamed file is read through the descriptor still open on it, then
 * every rotated file written entirely since, then the new audit.log from its start. Files are told
 * apart by inode and read through the descriptor that was identified, because the writer may rotate
 * again at any moment of a poll. Starts at the current end: the caller prints history first with
 * readAuditLog. Only if more than `keep` rotations happen between two polls are lines lost, which
 * the flood guard makes impossible at a poll every 500 ms. Through the thread pool, like the
 * reader, so that any process may follow the log without its event loop waiting on the disk.
 */
const WALK_ATTEMPTS = 4;

export class AuditFollower {
  private readonly path: string;
  private current: OpenPrivateFile | undefined;
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
    if (st === undefined) return out;
    const previous = this.current;
    if (previous !== undefined && st.ino === previous.stat.ino) {
      if (st.size >= this.offset) return out;
      // Truncated in place: start over from its beginning.
      this.offset = 0;
      this.pending = new Uint8Array(0);
      await this.drain(out);
      return out;
    }
    // Rotated (or first appeared). What was appended to the old file before its rename is still
    // behind our descriptor; then the files rotated since, then the new one.
    await this.drain(out);
    const next = await openPrivateFileAsync(this.path);
    // Between the writer's rename and its new file: the next poll finishes the switch.
    if (next === undefined) return out;
    this.current = next;
    this.offset = 0;
    this.pending = new Uint8Array(0);
    if (previous !== undefined) {
      try {
        await this.readRotatedSince(previous.stat.ino, out);
      } finally {
        await previous.handle.close();
      }
    }
    await this.drain(out);
    return out;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.handle.close();
  }

  /**
   * The rotated files newer than the one we were reading (inode `oldIno`) and older than the one now
   * open as audit.log, read whole, oldest first. Files newer than ours (it was rotated after we
   * opened it) are left to the next poll, which reads them after it.
   */
  private async readRotatedSince(oldIno: number, out: AuditReadResult): Promise<void> {
    const files = await this.rotatedUpTo(oldIno);
    try {
      const currentIno = this.current?.stat.ino;
      let newer = -1;
      files.forEach((f, i) => {
        if (f.stat.ino === currentIno) newer = i;
      });
      const seen = new Set<number | undefined>([oldIno, currentIno]);
      for (let i = files.length - 1; i > newer; i--) {
        const file = files[i];
        if (file === undefined || seen.has(file.stat.ino)) continue;
        seen.add(file.stat.ino);
        this.collect(parseLines(await readOpenPrivateFile(file, MAX_READ_BYTES)), out);
      }
    } finally {
      await Promise.all(files.map((f) => f.handle.close()));
    }
  }

  /**
   * The rotated files from audit.log.1 up to the one with inode `oldIno`, open, in the order met.
   * Rotation only moves files to higher numbers, so walking up the numbers meets every file at least
   * once (some twice). A walk that ends on a missing number without meeting ours may have crossed a
   * rename in progress rather than the end: it is walked again, a few times, before ours is taken
   * as rotated away (more rotations than `keep` since the last poll) and what was met is used.
   */
  private async rotatedUpTo(oldIno: number): Promise<OpenPrivateFile[]> {
    let files: OpenPrivateFile[] = [];
    for (let attempt = 0; ; attempt++) {
      const listed = await rotatedIndexes(this.stateDir);
      const lastListed = listed[listed.length - 1] ?? 0;
      let found = false;
      try {
        for (let index = 1; !found; index++) {
          const file = await openPrivateFileAsync(rotatedPath(this.stateDir, index));
          if (file === undefined) {
            if (index > lastListed) break;
            continue;
          }
          files.push(file);
          found = file.stat.ino === oldIno;
        }
      } catch (e) {
        await Promise.all(files.map((f) => f.handle.close()));
        throw e;
      }
      if (found || attempt === WALK_ATTEMPTS - 1) return files;
      await Promise.all(files.map((f) => f.handle.close()));
      files = [];
    }
  }

  private async openCurrent(atEnd: boolean): Promise<void> {
    const file = await openPrivateFileAsync(this.path);
    if (file === undefined) return;
    this.current = file;
    this.offset = atEnd ? file.stat.size : 0;
  }

  /** Reads what was appended, hands over the complete lines and keeps a partial last line. */
  private async drain(out: AuditReadResult): Promise<void> {
    if (this.current === undefined) return;
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.current.handle.read(chunk, 0, chunk.length, this.offset));
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
