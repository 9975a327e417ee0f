/**
 * What the config's checks share: one error shape (the field path first, then what is wrong with
 * which value), a safe way to show a value, and the readers for values given as text (overrides).
 */
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, MySealError } from '../core/errors.ts';

/** Where a value came from, so a message about an override names the variable or the flag. */
export interface Origin {
  /** The config file, when the value came from one. */
  file?: string;
  /** 'MYSEAL_LISTEN' or '--listen' when the value was an override. */
  override?: string;
}

/** BAD_CONFIG naming the field path: `nodes.5.children.1.policy: "open" is not one of seal, refuse, pass`. */
export function badConfig(field: string, what: string, origin: Origin = {}): MySealError {
  const where = origin.override !== undefined ? `${field} (from ${origin.override})` : field;
  // `problem` lets a list of problems (problems.ts) hold the text without the field in front.
  const detail: Record<string, string> = { field, problem: what };
  if (origin.file !== undefined) detail.file = origin.file;
  if (origin.override !== undefined) detail.override = origin.override;
  return new MySealError(ErrorCode.BAD_CONFIG, `${where}: ${what}`, detail);
}

const SHOWABLE = /^[\x20-\x7e]*$/;

/**
 * How a message shows a value: short printable strings quoted, numbers and booleans as they are,
 * anything else by its kind only. The config holds no secrets by design (the API token lives in its
 * own file), but a long or binary value is still not worth echoing into a log.
 */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    return value.length <= 64 && SHOWABLE.test(value) ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return 'a very large integer';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Map || isPlainObject(value)) return 'a map';
  return `a value of type ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A path one level down: `nodes` + `5` -> `nodes.5`; a key unfit to print is shown by its length. */
export function join(path: string, key: string): string {
  const shown = key.length <= 64 && SHOWABLE.test(key) ? key : `<key of ${key.length} characters>`;
  return path === '' ? shown : `${path}.${shown}`;
}

export function readString(value: unknown, field: string, origin: Origin, maxLength = 256): string {
  if (typeof value !== 'string') throw badConfig(field, `${show(value)} is not a string`, origin);
  if (value.length === 0) throw badConfig(field, 'is an empty string', origin);
  if (value.length > maxLength) throw badConfig(field, `${show(value)} is longer than ${maxLength} characters`, origin);
  if (/\p{Cc}/u.test(value)) throw badConfig(field, `${show(value)} holds a control character`, origin);
  return value;
}



export function readChoice<T extends string>(value: unknown, field: string, choices: readonly T[], origin: Origin): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw badConfig(field, `${show(value)} is not one of ${choices.join(', ')}`, origin);
  }
  return value as T;
}

/** A path setting: text, made absolute against the file's directory (or the working directory). */
export function readPath(value: unknown, field: string, ctx: { origin: Origin; baseDir: string }): string {
  return absolutePath(readString(value, field, ctx.origin, 4096), ctx.baseDir);
}

export function absolutePath(text: string, baseDir: string): string {
  return isAbsolute(text) ? resolve(text) : resolve(baseDir, text);
}
