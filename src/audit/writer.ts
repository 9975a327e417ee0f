/**
 * The audit log's writer: what happened to which door, when, asked by whom, with what result, as
 * append-only JSON lines in `<stateDir>/audit.log` (mode 0600), one object per line:
 *
 *   {"ts":"2025-01-02T03:04:05.678Z","event":"unlock","node":5,"child":1,"source":"http","result":"unlocked"}
 *
 * Rules, and why (what an entry may hold is schema.ts's):
 *   - Durable without stalling the daemon: append() checks the entry at once and queues its line;
 *     lines are written and fsynced through the thread pool, and lines appended while one batch is
 *     being synced go together in the next, with one fsync (group commit). Lines keep their order.
 *     flush() and close() resolve once everything appended before is on disk.
 *   - Bounded: rotated by size into audit.log.1 (newest) .. audit.log.N (oldest), by renames, each
 *     atomic. A crash between two renames leaves a gap in the numbers, which readers tolerate.
 *   - Not floodable: a node or an attacker producing security events (forged frames, replays), or a
 *     controller whose commands pile up as 'set' entries (sent or not delivered, as in an outage),
 *     faster than 20 a second gets the rest counted into one summary line per second, so neither the
 *     disk nor the fsyncs are theirs to spend. Door events (unlock, lock, set_pin, ...) are never held back.
 */
import { closeSync, constants, fchmodSync, fstatSync, openSync, statSync } from 'node:fs';
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../core/errors.ts';
import type { MySealError } from '../core/errors.ts';
import { nodeAppendIo } from '../store/append-io.ts';
import type { AppendIo } from '../store/append-io.ts';
import { syncDirectory } from '../store/atomic-file.ts';
import { GroupCommit } from '../store/group-commit.ts';
import { checkPrivateFile, ensureStateDir, ioError } from '../store/state-dir.ts';
import { AUDIT_FILE, rotatedIndexesIn, rotatedPath } from './files.ts';
import { MAX_LINE_BYTES, serializeRecord, toLine } from './schema.ts';
import type { AuditInput, AuditRecord } from './schema.ts';

/** Events that others can produce in bulk (nodes, attackers, controllers): held to the flood limit. */
const FLOODABLE: ReadonlySet<string> = new Set(['security', 'set']);

export interface AuditLogOptions {
  /** Rotate when a line would take audit.log past this size. Default 1 MiB (log.auditMaxBytes). */
  maxBytes?: number;
  /** Rotated files kept: audit.log.1 .. audit.log.N. Default 5 (log.auditKeep). */
  keep?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  /** Security events written per second before the rest are only counted. Default 20. */
  floodLimit?: number;
  /** Write a pending flood summary when its second is over, without waiting for the next event. Default true. */
  summaryTimer?: boolean;
  /**
   * Told of each failed write (the disk refused), as it happens: append() has returned long before.
   * The first failure since the last flush() also makes that flush() (or close()) reject.
   */
  onWriteError?: (error: MySealError) => void;
  /** Tests only: the write and fsync of each batch, to count fsyncs. */
  io?: AppendIo;
}

export const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_AUDIT_KEEP = 5;
export const DEFAULT_FLOOD_LIMIT = 20;
const FLOOD_WINDOW_MS = 1000;

export class AuditLog {
  readonly path: string;
  private fd: number;
  private ino: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly clock: () => number;
  private readonly floodLimit: number;
  private readonly summaryTimer: boolean;
  private readonly io: AppendIo;
  private readonly commits = new GroupCommit<string>((lines) => this.writeLines(lines));
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  private suppressedSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private failure: MySealError | undefined;

  private constructor(
    readonly stateDir: string,
    private readonly options: AuditLogOptions,
  ) {
    this.path = join(stateDir, AUDIT_FILE);
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.keep = options.keep ?? DEFAULT_AUDIT_KEEP;
    this.clock = options.clock ?? Date.now;
    this.floodLimit = options.floodLimit ?? DEFAULT_FLOOD_LIMIT;
    this.summaryTimer = options.summaryTimer ?? true;
    this.io = options.io ?? nodeAppendIo;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < MAX_LINE_BYTES) throw new RangeError(`maxBytes must be an integer >= ${MAX_LINE_BYTES}`);
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new RangeError('keep must be an integer >= 1');
    [this.fd, this.ino] = openForAppend(this.path);
  }

  /** Opens (creating 0600 if needed) `<stateDir>/audit.log`; the state dir is created or checked. */
  static open(stateDir: string, options: AuditLogOptions = {}): AuditLog {
    ensureStateDir(stateDir);
    return new AuditLog(stateDir, options);
  }

  /**
   * Queues one entry; it is durable by the time a later flush() resolves. RangeError, at once, for
   * an entry that breaks the rules (a secret-named field, an unknown event, a digit event with more
   * than a position) or a closed log; a failed write goes to onWriteError and the next flush().
   */
  append(input: AuditInput): void {
    if (this.closed) throw new RangeError('the audit log is closed');
    const now = this.clock();
    const line = toLine(input, now);
    if (FLOODABLE.has(input.event) && !this.admitFloodable(now)) return;
    if (this.suppressed > 0 && now - this.windowStart >= FLOOD_WINDOW_MS) this.writeSummary();
    this.queue(line);
  }

  /**
   * Writes the flood summary now if floodable events are being counted, and resolves once every
   * line appended so far is durable; rejects with the first write failure since the last flush.
   */
  async flush(): Promise<void> {
    this.writeSummary();
    await this.commits.settled();
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Flushes (see flush()) and closes the file; append() refuses from the moment it is called. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.writeSummary();
    this.closed = true;
    try {
      await this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private queue(line: string): void {
    this.commits.add(line).catch((e: unknown) => {
      const error = ioError(e, 'append to', this.path);
      this.failure ??= error;
      this.options.onWriteError?.(error);
    });
  }

  private writeSummary(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.suppressed === 0 || this.closed) return;
    const summary: AuditRecord = {
      ts: new Date(this.clock()).toISOString(),
      event: 'security',
      source: 'audit-log',
      result: 'flood',
      detail: { suppressed: this.suppressed, since: new Date(this.suppressedSince).toISOString(), limitPerSecond: this.floodLimit },
    };
    this.suppressed = 0;
    this.queue(serializeRecord(summary));
  }

  /** Counts floodable events per one-second window; false for those past the limit. */
  private admitFloodable(now: number): boolean {
    if (now - this.windowStart >= FLOOD_WINDOW_MS) {
      this.writeSummary();
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow += 1;
    if (this.inWindow <= this.floodLimit) return true;
    if (this.suppressed === 0) {
      this.suppressedSince = now;
      if (this.summaryTimer) {
        // Unref'd: a pending summary must not keep a finished process alive (close() writes it).
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.writeSummary();
        }, this.windowStart + FLOOD_WINDOW_MS - now + 10);
        this.timer.unref();
      }
    }
    this.suppressed += 1;
    return false;
  }

  /**
   * One batch: as few write+fsync rounds as the rotation size allows (one, unless it rotates), each
   * one buffer. The thread pool sees only the write and the fsync.
   */
  private async writeLines(lines: readonly string[]): Promise<void> {
    // The file's size now (a second writer may have appended), and whether it is still ours.
    let size = this.followRename();
    // The lines [from, i) go in the next write: indexes into the batch rather than a copy of it.
    let from = 0;
    let chunkBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const bytes = Buffer.byteLength(lines[i]!) + 1;
      const grown = size + chunkBytes;
      if (grown > 0 && grown + bytes > this.maxBytes) {
        await this.writeDurably(lines, from, i);
        await this.rotate();
        size = 0;
        from = i;
        chunkBytes = 0;
      }
      chunkBytes += bytes;
    }
    await this.writeDurably(lines, from, lines.length);
  }

  /** The lines [from, to) of a batch, written and fsynced as one buffer. */
  private async writeDurably(lines: readonly string[], from: number, to: number): Promise<void> {
    if (to <= from) return;
    let text = '';
    for (let i = from; i < to; i++) text += `${lines[i]!}\n`;
    try {
      await this.io.write(this.fd, Buffer.from(text, 'utf8'));
      await this.io.fsync(this.fd);
    } catch (e) {
      throw ioError(e, 'append to', this.path);
    }
  }

  /**
   * Another process (a second writer) may have rotated or removed the file: write to the new one,
   * not the old. Returns the size of the file written to. One stat of the path, on the event loop:
   * a lookup the kernel answers from its caches, far cheaper than the two trips through the thread
   * pool (stat, then fstat) it replaces, which under a burst queue behind the writes and fsyncs.
   */
  private followRename(): number {
    let st;
    try {
      st = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (st !== undefined && st.ino === this.ino) return st.size;
    closeSync(this.fd);
    let size: number;
    [this.fd, this.ino, size] = openForAppend(this.path);
    return size;
  }

  /** audit.log.(N-1) -> .N (replacing the oldest), ..., audit.log -> .1, then a fresh audit.log. */
  private async rotate(): Promise<void> {
    closeSync(this.fd);
    try {
      await removeBeyond(this.stateDir, this.keep);
      for (let i = this.keep - 1; i >= 1; i--) await renameIfExists(rotatedPath(this.stateDir, i), rotatedPath(this.stateDir, i + 1));
      await renameIfExists(this.path, rotatedPath(this.stateDir, 1));
      await syncDirectory(this.stateDir);
    } finally {
      [this.fd, this.ino] = openForAppend(this.path);
    }
  }
}

/** Opening is a few metadata calls, done at open and at a rotation: synchronous, so the fd is never missing. */
function openForAppend(path: string): [fd: number, ino: number, size: number] {
  let fd: number;
  try {
    // O_APPEND: every write lands at the end, even with a second writer. O_NOFOLLOW: a symlink
    // planted in the state dir cannot redirect the log into another file.
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    throw ioError(e, 'open', path);
  }
  try {
    const st = fstatSync(fd);
    // A log others can read tells them when the doors open: refuse it as the key store would.
    checkPrivateFile(st, path);
    fchmodSync(fd, 0o600);
    return [fd, st.ino, st.size];
  } catch (e) {
    closeSync(fd);
    throw ioError(e, 'open', path);
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw ioError(e, 'rename', from);
  }
}

/** Rotated files numbered past `keep` (left by a larger keep earlier) go before the shift. */
async function removeBeyond(stateDir: string, keep: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch (e) {
    throw ioError(e, 'list', stateDir);
  }
  for (const index of rotatedIndexesIn(names)) {
    // audit.log.<keep> is replaced by the rename from keep-1; anything above it never would be.
    if (index <= keep) continue;
    try {
      await unlink(rotatedPath(stateDir, index));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw ioError(e, 'remove', rotatedPath(stateDir, index));
    }
  }
}
