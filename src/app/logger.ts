/**
 * The daemon's logger: pino, JSON lines, with every field that could hold a secret censored before
 * the line is written. Two layers, because either alone has a gap:
 *   - pino's redact paths catch the exact names (pin, digits, key, token, password, authorization)
 *     down to REDACT_DEPTH levels of nesting, arrays included: the fast, declared path;
 *   - a log formatter walks the whole object and censors any field whose name looks secret at any
 *     depth and in any case (newPin, apiToken, Authorization), where paths cannot reach.
 * Neither can see into the message string itself: never put a secret into a message.
 *
 * On a terminal the same censored lines are shown as text (log-text.ts); anywhere else they stay
 * JSON, for journald, files and log shippers.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config/types.ts';
import { SECRET_FIELDS, isSecretFieldName } from '../core/secret-fields.ts';
import { textDestination } from './log-text.ts';

export { SECRET_FIELDS, isSecretFieldName };

export type { Logger } from 'pino';

export const CENSOR = '[redacted]';

/** Nesting levels covered by redact paths (`pin`, `*.pin`, ... five wildcards deep). */
export const REDACT_DEPTH = 6;

/** `pin`, `*.pin`, `*.*.pin`, ...: pino's wildcard stands for exactly one level (or array index). */
export function redactPaths(depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (let level = 0; level < depth; level++) {
    const prefix = '*.'.repeat(level);
    for (const name of SECRET_FIELDS) paths.push(`${prefix}${name}`);
  }
  return paths;
}

/** Deepest level the formatter walks; anything deeper is replaced whole (a log line needs no more). */
const SCRUB_DEPTH = 16;

/**
 * A copy of `value` with every secret-named field censored, at any depth. Cycles and over-deep
 * structures are cut rather than followed. Errors keep their name, message and code only.
 */
export function scrubSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= SCRUB_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1, seen));
    if (value instanceof Uint8Array) return `[${value.length} bytes]`;
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = value.name;
      out.message = value.message;
      if ('code' in value) out.code = scrubSecrets(value.code, depth + 1, seen);
      if ('detail' in value) out.detail = scrubSecrets(value.detail, depth + 1, seen);
      return out;
    }
    for (const [k, v] of Object.entries(value)) out[k] = isSecretFieldName(k) ? CENSOR : scrubSecrets(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/** `json` lines, or `text` for a person at a terminal. */
export type LogFormat = 'json' | 'text';

/** Forces the log's form (json or text) whatever stderr is. */
export const LOG_FORMAT_ENV = 'MYSEAL_LOG_FORMAT';

/** Text on a terminal, JSON anywhere else, unless $MYSEAL_LOG_FORMAT says which. */
export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, stderrIsTty = process.stderr.isTTY === true): LogFormat {
  const forced = env[LOG_FORMAT_ENV];
  if (forced === 'json' || forced === 'text') return forced;
  return stderrIsTty ? 'text' : 'json';
}

/**
 * A pino logger at `level`. Without a destination it writes to stderr, synchronously: stdout is
 * kept for the commands' own output, and a line written before a crash is a line not lost. In the
 * `text` format, lines are censored exactly as in JSON and only then turned into text.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream, format: LogFormat = destination ? 'json' : defaultLogFormat()): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: redactPaths(), censor: CENSOR },
    formatters: {
      log: (object: Record<string, unknown>) => scrubSecrets(object) as Record<string, unknown>,
      bindings: (bindings: Record<string, unknown>) => scrubSecrets(bindings) as Record<string, unknown>,
    },
  };
  const out = destination ?? pino.destination({ fd: 2, sync: true });
  return pino(options, format === 'text' ? textDestination(out) : out);
}
