/**
 * The audit log: what happened to which door, when, asked by whom, with what result. Append-only
 * JSON lines in `<stateDir>/audit.log` (mode 0600), one object per line:
 *
 *   {"ts":"2025-01-02T03:04:05.678Z","event":"unlock","node":5,"child":1,"source":"http","result":"unlocked"}
 *
 * Rules, and why:
 *   - Never a secret. An entry with a field named like pin, key, token or digits, at any depth, is
 *     refused with a RangeError: that is a bug in the caller, to be found by its tests, not a line
 *     to write with the secret "redacted". A 'digit' event carries only counts (which digit of the
 *     PIN it was), never the key pressed.
 *   - Durable: each line is fsynced before append returns. Door events are rare and must survive
 *     a power cut; that is worth one fsync each.
 *   - Bounded: rotated by size into audit.log.1 (newest) .. audit.log.N (oldest), by renames, each
 *     atomic. A crash between two renames leaves a gap in the numbers, which readers tolerate.
 *   - Not floodable: a node or an attacker producing security events (forged frames, replays), or a
 *     controller whose commands pile up as 'set' entries (sent or not delivered, as in an outage),
 *     faster than 20 a second gets the rest counted into one summary line per second, so neither the
 *     disk nor the fsyncs (nor the event loop that PIN entry shares) are theirs to spend. Door events
 *     (unlock, lock, set_pin, ...) are never held back.
 *
 * Readers (`myseal log`) read across the rotated files in order and skip corrupt lines (a torn last
 * line after a crash), counting them instead of failing.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory } from '../store/atomic-file.ts';
import { checkPrivateFile, ensureStateDir, ioError, readPrivateFile } from '../store/state-dir.ts';
import { errnoCode } from '../core/errors.ts';
import { isSecretFieldName } from '../core/secret-fields.ts';

export const AUDIT_FILE = 'audit.log';

/** Events that others can produce in bulk (nodes, attackers, controllers): held to the flood limit. */
const FLOODABLE: ReadonlySet<string> = new Set(['security', 'set']);

export const AUDIT_EVENTS = [
  'unlock',
  'lock',
  'status',
  'set_pin',
  'rotate_key',
  'set',
  'report',
  'digit',
  'security',
  'legacy',
  'config',
  'keygen',
  'startup',
  'shutdown',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** JSON values allowed in `detail`. */
export type AuditValue = string | number | boolean | null | AuditValue[] | { [key: string]: AuditValue };

/** What a caller appends; the log adds `ts`. */
export interface AuditInput {
  event: AuditEvent;
  node?: number;
  child?: number;
  /** Who asked: 'http', 'pin-entry', 'node:5', 'tcp:127.0.0.1:50412', 'cli', ... */
  source: string;
  /** What came of it: 'unlocked', 'wrong_pin', 'refused by policy', 'TIMEOUT', ... */
  result: string;
  detail?: Record<string, AuditValue>;
}

/** A line as stored and read back. `event` is any name when read, so a newer writer's lines still show. */
export interface AuditRecord {
  ts: string;
  event: string;
  node?: number;
  child?: number;
  source: string;
  result: string;
  detail?: Record<string, AuditValue>;
}

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
}

export const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_AUDIT_KEEP = 5;
export const DEFAULT_FLOOD_LIMIT = 20;
/** Longest line accepted: the smallest allowed auditMaxBytes, so one line always fits in a file. */
export const MAX_LINE_BYTES = 4096;
const MAX_DETAIL_DEPTH = 6;
const FLOOD_WINDOW_MS = 1000;
const TEXT = /^[^\p{Cc}]{1,200}$/u;
/** The only detail a digit event may carry: where in the PIN the digit was, never which digit. */
const DIGIT_DETAIL_FIELDS = ['position', 'count'];

// ---- writing -------------------------------------------------------------------------------------

export class AuditLog {
  readonly path: string;
  private fd: number;
  private ino: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly clock: () => number;
  private readonly floodLimit: number;
  private readonly summaryTimer: boolean;
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  private suppressedSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(readonly stateDir: string, options: AuditLogOptions) {
    this.path = join(stateDir, AUDIT_FILE);
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.keep = options.keep ?? DEFAULT_AUDIT_KEEP;
    this.clock = options.clock ?? Date.now;
    this.floodLimit = options.floodLimit ?? DEFAULT_FLOOD_LIMIT;
    this.summaryTimer = options.summaryTimer ?? true;
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
   * Appends one entry, durably. RangeError for an entry that breaks the rules (a secret-named
   * field, an unknown event, a digit event with more than a position); MySealError STORAGE_IO when
   * the disk refuses.
   */
  append(input: AuditInput): void {
    if (this.closed) throw new RangeError('the audit log is closed');
    const now = this.clock();
    const record = toRecord(input, now);
    if (FLOODABLE.has(record.event) && !this.admitFloodable(now)) return;
    if (this.suppressed > 0 && now - this.windowStart >= FLOOD_WINDOW_MS) this.flush();
    this.writeLine(serialize(record));
  }

  /** Writes the flood summary now if floodable events are being counted instead of written. */
  flush(): void {
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
    this.writeLine(serialize(summary));
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  /** Counts floodable events per one-second window; false for those past the limit. */
  private admitFloodable(now: number): boolean {
    if (now - this.windowStart >= FLOOD_WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow += 1;
    if (this.inWindow <= this.floodLimit) return true;
    if (this.suppressed === 0) {
      this.suppressedSince = now;
      if (this.summaryTimer) {
        // Unref'd: a pending summary must not keep a finished process alive (close() writes it).
        this.timer = setTimeout(() => this.flushQuietly(), this.windowStart + FLOOD_WINDOW_MS - now + 10);
        this.timer.unref();
      }
    }
    this.suppressed += 1;
    return false;
  }

  private flushQuietly(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch {
      // The next append or close() tries again and reports the error there, to a caller.
    }
  }

  private writeLine(line: string): void {
    const bytes = new TextEncoder().encode(`${line}\n`);
    this.followRename();
    let size: number;
    try {
      size = fstatSync(this.fd).size;
    } catch (e) {
      throw ioError(e, 'stat', this.path);
    }
    if (size > 0 && size + bytes.length > this.maxBytes) this.rotate();
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
      fsyncSync(this.fd);
    } catch (e) {
      throw ioError(e, 'append to', this.path);
    }
  }

  /** Another process (a second writer) may have rotated or removed the file: write to the new one, not the old. */
  private followRename(): void {
    let ino: number | undefined;
    try {
      ino = statSync(this.path).ino;
    } catch {
      ino = undefined;
    }
    if (ino === this.ino) return;
    closeSync(this.fd);
    [this.fd, this.ino] = openForAppend(this.path);
  }

  /** audit.log.(N-1) -> .N (replacing the oldest), ..., audit.log -> .1, then a fresh audit.log. */
  private rotate(): void {
    closeSync(this.fd);
    try {
      removeBeyond(this.stateDir, this.keep);
      for (let i = this.keep - 1; i >= 1; i--) renameIfExists(rotatedPath(this.stateDir, i), rotatedPath(this.stateDir, i + 1));
      renameIfExists(this.path, rotatedPath(this.stateDir, 1));
      fsyncDirectory(this.stateDir);
    } finally {
      [this.fd, this.ino] = openForAppend(this.path);
    }
  }
}

function openForAppend(path: string): [number, number] {
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
    return [fd, st.ino];
  } catch (e) {
    closeSync(fd);
    throw ioError(e, 'open', path);
  }
}

function rotatedPath(stateDir: string, index: number): string {
  return join(stateDir, `${AUDIT_FILE}.${index}`);
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw ioError(e, 'rename', from);
  }
}

/** Rotated files numbered past `keep` (left by a larger keep earlier) go before the shift. */
function removeBeyond(stateDir: string, keep: number): void {
  for (const index of rotatedIndexes(stateDir)) {
    // audit.log.<keep> is replaced by the rename from keep-1; anything above it never would be.
    if (index <= keep) continue;
    try {
      unlinkSync(rotatedPath(stateDir, index));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw ioError(e, 'remove', rotatedPath(stateDir, index));
    }
  }
}

function rotatedIndexes(stateDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw ioError(e, 'list', stateDir);
  }
  const out: number[] = [];
  for (const name of names) {
    const m = /^audit\.log\.([1-9][0-9]{0,3})$/.exec(name);
    if (m?.[1] !== undefined) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

// ---- the rules for an entry -----------------------------------------------------------------------

/** The stored form of an entry, or a RangeError naming the rule it breaks (never a value). */
export function toRecord(input: AuditInput, now: number): AuditRecord {
  if (typeof input !== 'object' || input === null) throw new RangeError('an audit entry must be an object');
  for (const key of Object.keys(input)) {
    if (!['event', 'node', 'child', 'source', 'result', 'detail'].includes(key)) {
      throw new RangeError(`audit entry field "${printable(key)}" is not one of event, node, child, source, result, detail`);
    }
  }
  if (!(AUDIT_EVENTS as readonly string[]).includes(input.event)) throw new RangeError('audit entry event is not a known event');
  const record: AuditRecord = { ts: new Date(now).toISOString(), event: input.event, source: '', result: '' };
  if (input.node !== undefined) record.node = checkId(input.node, 'node');
  if (input.child !== undefined) record.child = checkId(input.child, 'child');
  if (typeof input.source !== 'string' || !TEXT.test(input.source)) throw new RangeError('audit entry source must be 1-200 characters of text');
  if (typeof input.result !== 'string' || !TEXT.test(input.result)) throw new RangeError('audit entry result must be 1-200 characters of text');
  record.source = input.source;
  record.result = input.result;
  if (input.detail !== undefined) {
    checkDetail(input.detail, 'detail', 0);
    if (input.event === 'digit') checkDigitDetail(input.detail);
    if (Object.keys(input.detail).length > 0) record.detail = input.detail;
  }
  const bytes = Buffer.byteLength(serialize(record)) + 1;
  if (bytes > MAX_LINE_BYTES) throw new RangeError(`audit entry is ${bytes} bytes; at most ${MAX_LINE_BYTES}`);
  return record;
}

function checkId(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`audit entry ${field} must be an integer 0-255`);
  }
  return value;
}

/** Plain JSON only, and no field whose name says it holds a secret, at any depth. */
function checkDetail(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DETAIL_DEPTH) throw new RangeError(`audit entry ${path} is nested too deeply`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`audit entry ${path} is not a finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkDetail(v, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new RangeError(`audit entry ${path} is not plain JSON`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (isSecretFieldName(key)) {
      throw new RangeError(`audit entry ${path}.${printable(key)}: a field named like a secret is never written to the audit log`);
    }
    checkDetail(v, `${path}.${printable(key)}`, depth + 1);
  }
}

function checkDigitDetail(detail: Record<string, AuditValue>): void {
  for (const [key, v] of Object.entries(detail)) {
    if (!DIGIT_DETAIL_FIELDS.includes(key) || typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 64) {
      throw new RangeError(`a digit event records only where the digit was (${DIGIT_DETAIL_FIELDS.join(', ')}: small integers), never the digit`);
    }
  }
}

function printable(key: string): string {
  return /^[\x20-\x7e]{1,40}$/.test(key) ? key : '<unprintable>';
}

/** Fixed field order, so lines read the same whoever wrote them; absent fields are left out. */
function serialize(r: AuditRecord): string {
  return JSON.stringify({ ts: r.ts, event: r.event, node: r.node, child: r.child, source: r.source, result: r.result, detail: r.detail });
}

// ---- reading ----------------------------------------------------------------------------------------

export interface ReadAuditOptions {
  /** Only entries about this node. */
  node?: number;
  /** Only the last `limit` entries (after the node filter). */
  limit?: number;
}

export interface AuditReadResult {
  /** Oldest first. */
  entries: AuditRecord[];
  /** Lines that were not a valid entry (a torn last line after a crash, damage), skipped. */
  corrupt: number;
}

/** Generous: rotation keeps files near auditMaxBytes (at most 1 GiB); this only stops a runaway read. */
const MAX_READ_BYTES = 1024 * 1024 * 1024;

/**
 * The entries of audit.log.N .. audit.log.1, audit.log, oldest first. With a limit, files are read
 * newest first and reading stops once enough entries are found. Missing files are no entries; a file
 * with loose permissions is refused (KEY_STORE_PERMISSIONS), as the writer would refuse it.
 */
export function readAuditLog(stateDir: string, options: ReadAuditOptions = {}): AuditReadResult {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const files = [join(stateDir, AUDIT_FILE), ...rotatedIndexes(stateDir).map((i) => rotatedPath(stateDir, i))];
  const chunks: AuditRecord[][] = [];
  let found = 0;
  let corrupt = 0;
  for (const file of files) {
    if (found >= limit) break;
    const bytes = readPrivateFile(file, MAX_READ_BYTES);
    if (bytes === undefined) continue;
    const parsed = parseLines(bytes);
    corrupt += parsed.corrupt;
    const wanted = options.node === undefined ? parsed.entries : parsed.entries.filter((e) => e.node === options.node);
    chunks.unshift(wanted);
    found += wanted.length;
  }
  const entries = chunks.flat();
  return { entries: Number.isFinite(limit) ? entries.slice(Math.max(0, entries.length - limit)) : entries, corrupt };
}

/** Complete lines of a file or a chunk. Empty lines are not counted as corrupt. */
export function parseLines(bytes: Uint8Array): AuditReadResult {
  const entries: AuditRecord[] = [];
  let corrupt = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const lineBytes = bytes.subarray(start, end);
    start = end + 1;
    if (lineBytes.length === 0) continue;
    let record: AuditRecord | undefined;
    try {
      record = parseRecord(decoder.decode(lineBytes));
    } catch {
      record = undefined;
    }
    if (record === undefined) corrupt += 1;
    else entries.push(record);
  }
  return { entries, corrupt };
}

/** One stored line, checked for the shape a writer produces; undefined when it is not that. */
export function parseRecord(line: string): AuditRecord | undefined {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.ts !== 'string' || Number.isNaN(Date.parse(o.ts))) return undefined;
  if (typeof o.event !== 'string' || !/^[a-z_]{1,32}$/.test(o.event)) return undefined;
  if (typeof o.source !== 'string' || typeof o.result !== 'string') return undefined;
  const record: AuditRecord = { ts: o.ts, event: o.event, source: o.source, result: o.result };
  for (const field of ['node', 'child'] as const) {
    const id = o[field];
    if (id === undefined) continue;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) return undefined;
    record[field] = id;
  }
  if (o.detail !== undefined) {
    if (typeof o.detail !== 'object' || o.detail === null || Array.isArray(o.detail)) return undefined;
    record.detail = o.detail as Record<string, AuditValue>;
  }
  return record;
}

// ---- following -----------------------------------------------------------------------------------

/**
 * `tail -F` for the audit log: each poll returns the entries appended since the last one, across
 * rotations: the rest of the renamed file is read through the descriptor still open on it, then any
 * rotated file written entirely since the last poll, then the new audit.log from its start. Starts
 * at the current end: the caller prints history first with readAuditLog. Only if more than `keep`
 * rotations happen between two polls are lines lost, which the flood guard makes impossible at a
 * poll every 500 ms.
 */
export class AuditFollower {
  private readonly path: string;
  private fd: number | undefined;
  private ino = -1;
  private offset = 0;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly stateDir: string,
    private readonly options: { node?: number } = {},
  ) {
    this.path = join(stateDir, AUDIT_FILE);
    this.openCurrent(true);
  }

  poll(): AuditReadResult {
    const out: AuditReadResult = { entries: [], corrupt: 0 };
    this.drain(out);
    let st: Stats | undefined;
    try {
      st = statSync(this.path);
    } catch {
      st = undefined;
    }
    if (st !== undefined && (st.ino !== this.ino || st.size < this.offset)) {
      // Rotated (a new file) or truncated: the rest of the old one was drained above.
      if (st.ino !== this.ino && this.fd !== undefined) this.readSkippedFiles(out);
      this.closeFd();
      this.pending = new Uint8Array(0);
      this.openCurrent(false);
      this.drain(out);
    }
    return out;
  }

  /**
   * Rotated files newer than the one we were reading: audit.log.1 .. up to the one that is our old
   * file (same inode), read whole, oldest first. If ours is gone (rotated away), all of them are newer.
   */
  private readSkippedFiles(out: AuditReadResult): void {
    const skipped: string[] = [];
    for (const index of rotatedIndexes(this.stateDir)) {
      const path = rotatedPath(this.stateDir, index);
      let ino: number | undefined;
      try {
        ino = statSync(path).ino;
      } catch {
        continue;
      }
      if (ino === this.ino) break;
      skipped.unshift(path);
    }
    for (const path of skipped) {
      const bytes = readPrivateFile(path, MAX_READ_BYTES);
      if (bytes === undefined) continue;
      this.collect(parseLines(bytes), out);
    }
  }

  close(): void {
    this.closeFd();
  }

  private openCurrent(atEnd: boolean): void {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw ioError(e, 'open', this.path);
    }
    try {
      const st = fstatSync(fd);
      checkPrivateFile(st, this.path);
      this.fd = fd;
      this.ino = st.ino;
      this.offset = atEnd ? st.size : 0;
    } catch (e) {
      closeSync(fd);
      throw ioError(e, 'open', this.path);
    }
  }

  /** Reads what was appended, hands over the complete lines and keeps a partial last line. */
  private drain(out: AuditReadResult): void {
    if (this.fd === undefined) return;
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, chunk, 0, chunk.length, this.offset);
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

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
