/**
 * What an audit entry is: its events, its shape as appended and as stored, and the rules an entry
 * must keep to be written. The rules, and why:
 *   - Never a secret. An entry with a field named like pin, key, token or digits, at any depth, is
 *     refused with a RangeError: that is a bug in the caller, to be found by its tests, not a line
 *     to write with the secret "redacted". A 'digit' event carries only counts (which digit of the
 *     PIN it was), never the key pressed.
 *   - One line of plain JSON, at most MAX_LINE_BYTES, in a fixed field order.
 */
import { isSecretFieldName } from '../core/secret-fields.ts';

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

/** Longest line accepted: the smallest allowed auditMaxBytes, so one line always fits in a file. */
export const MAX_LINE_BYTES = 4096;
const MAX_DETAIL_DEPTH = 6;
const TEXT = /^[^\p{Cc}]{1,200}$/u;
/** The only detail a digit event may carry: where in the PIN the digit was, never which digit. */
const DIGIT_DETAIL_FIELDS = ['position', 'count'];

const INPUT_FIELDS: ReadonlySet<string> = new Set(['event', 'node', 'child', 'source', 'result', 'detail']);
const KNOWN_EVENTS: ReadonlySet<string> = new Set(AUDIT_EVENTS);

/**
 * The stored line of an entry (without its newline), or a RangeError naming the rule it breaks
 * (never a value). Serialized once: the line checked for length is the line written.
 */
export function toLine(input: AuditInput, now: number): string {
  const line = serializeRecord(toRecord(input, now));
  const bytes = Buffer.byteLength(line) + 1;
  if (bytes > MAX_LINE_BYTES) throw new RangeError(`audit entry is ${bytes} bytes; at most ${MAX_LINE_BYTES}`);
  return line;
}

/** The stored form of an entry, checked for every rule but the line's length (toLine's), or a RangeError. */
function toRecord(input: AuditInput, now: number): AuditRecord {
  if (typeof input !== 'object' || input === null) throw new RangeError('an audit entry must be an object');
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.has(key)) {
      throw new RangeError(`audit entry field "${printable(key)}" is not one of event, node, child, source, result, detail`);
    }
  }
  if (!KNOWN_EVENTS.has(input.event)) throw new RangeError('audit entry event is not a known event');
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
    if (isSecretName(key)) {
      throw new RangeError(`audit entry ${path}.${printable(key)}: a field named like a secret is never written to the audit log`);
    }
    checkDetail(v, `${path}.${printable(key)}`, depth + 1);
  }
}

/**
 * isSecretFieldName, remembered per name: detail field names come from the code, a few dozen of
 * them, and each entry would otherwise split and lower-case every one. Bounded, in case names ever
 * came from data.
 */
const secretByName = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 1024;

function isSecretName(key: string): boolean {
  let secret = secretByName.get(key);
  if (secret === undefined) {
    secret = isSecretFieldName(key);
    if (secretByName.size < MAX_REMEMBERED_NAMES) secretByName.set(key, secret);
  }
  return secret;
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
export function serializeRecord(r: AuditRecord): string {
  return JSON.stringify({ ts: r.ts, event: r.event, node: r.node, child: r.child, source: r.source, result: r.result, detail: r.detail });
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
