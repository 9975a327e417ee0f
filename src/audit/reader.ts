/**
 * Reading the audit log (`myseal log`, the web page's history): across the rotated files in order,
 * skipping corrupt lines (a torn last line after a crash) and counting them instead of failing.
 * Through the thread pool: the web page asks while the service runs, and a read of a large log must
 * not hold up the locks' traffic.
 */
import { join } from 'node:path';
import { readPrivateFileAsync } from '../store/private-file-async.ts';
import { AUDIT_FILE, rotatedIndexes, rotatedPath } from './files.ts';
import { parseRecord } from './schema.ts';
import type { AuditRecord } from './schema.ts';

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
export const MAX_READ_BYTES = 1024 * 1024 * 1024;

/**
 * The entries of audit.log.N .. audit.log.1, audit.log, oldest first. With a limit, files are read
 * newest first and reading stops once enough entries are found. Missing files are no entries; a file
 * with loose permissions is refused (KEY_STORE_PERMISSIONS), as the writer would refuse it.
 */
export async function readAuditLog(stateDir: string, options: ReadAuditOptions = {}): Promise<AuditReadResult> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const files = [join(stateDir, AUDIT_FILE), ...(await rotatedIndexes(stateDir)).map((i) => rotatedPath(stateDir, i))];
  const chunks: AuditRecord[][] = [];
  let found = 0;
  let corrupt = 0;
  for (const file of files) {
    if (found >= limit) break;
    const bytes = await readPrivateFileAsync(file, MAX_READ_BYTES);
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
