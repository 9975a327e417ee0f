/**
 * The small toolkit the hand-written config validation is made of: one error shape (the field path
 * first, then what is wrong with which value), a safe way to show a value, and a reader for maps that
 * refuses unknown keys. A typo in a security tool's configuration ("polcy: seal") must stop the
 * daemon, never fall back to a default silently.
 */
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
  const detail: Record<string, string> = { field };
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

/**
 * The entries of a YAML mapping (a Map, as the parser is asked to return) or of a plain object (a
 * document built in code or parsed from JSON). Keys must be strings or integers: YAML allows lists,
 * maps and null as keys, none of which can name a field or a node.
 */
export function mapEntries(value: unknown, field: string, origin: Origin): [string, unknown][] | undefined {
  if (value instanceof Map) {
    const out: [string, unknown][] = [];
    for (const [key, v] of value) {
      if (typeof key === 'string') out.push([key, v]);
      else if (typeof key === 'number' && Number.isSafeInteger(key)) out.push([String(key), v]);
      else throw badConfig(field, `a key that is ${show(key)} is not allowed: keys are names or numbers`, origin);
    }
    return out;
  }
  if (isPlainObject(value)) return Object.entries(value);
  return undefined;
}

/** A path one level down: `nodes` + `5` -> `nodes.5`. */
export function join(path: string, key: string): string {
  const shown = key.length <= 64 && SHOWABLE.test(key) ? key : `<key of ${key.length} characters>`;
  return path === '' ? shown : `${path}.${shown}`;
}

/**
 * A mapping whose keys are fixed names. Unknown keys are refused when it is made; `take` returns a
 * field's value, or undefined when it is absent or empty (`tokenFile:` with nothing after it), so
 * that an empty YAML value means "use the default", as it reads.
 */
export class Section {
  private readonly values = new Map<string, unknown>();

  constructor(
    value: unknown,
    readonly path: string,
    allowed: readonly string[],
    readonly origin: Origin,
  ) {
    const entries = mapEntries(value, path === '' ? '(top level)' : path, origin);
    if (entries === undefined) {
      throw badConfig(path === '' ? '(top level)' : path, `${show(value)} is not a map of settings`, origin);
    }
    for (const [key, v] of entries) {
      if (!allowed.includes(key)) {
        throw badConfig(join(path, key), `unknown setting (expected one of ${allowed.join(', ')})`, origin);
      }
      this.values.set(key, v);
    }
  }

  take(name: string): unknown {
    const v = this.values.get(name);
    return v === null ? undefined : v;
  }

  field(name: string): string {
    return join(this.path, name);
  }
}

export function readString(value: unknown, field: string, origin: Origin, maxLength = 256): string {
  if (typeof value !== 'string') throw badConfig(field, `${show(value)} is not a string`, origin);
  if (value.length === 0) throw badConfig(field, 'is an empty string', origin);
  if (value.length > maxLength) throw badConfig(field, `${show(value)} is longer than ${maxLength} characters`, origin);
  if (/\p{Cc}/u.test(value)) throw badConfig(field, `${show(value)} holds a control character`, origin);
  return value;
}

export function readInteger(value: unknown, field: string, min: number, max: number, origin: Origin): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badConfig(field, `${show(value)} is not an integer ${min}-${max}`, origin);
  }
  return value;
}

export function readBoolean(value: unknown, field: string, origin: Origin): boolean {
  if (typeof value !== 'boolean') throw badConfig(field, `${show(value)} is not true or false`, origin);
  return value;
}

export function readChoice<T extends string>(value: unknown, field: string, choices: readonly T[], origin: Origin): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw badConfig(field, `${show(value)} is not one of ${choices.join(', ')}`, origin);
  }
  return value as T;
}

/**
 * An id used as a map key (`nodes: {5: ...}`): canonical decimal only, so "05" and "5" cannot both
 * name node 5 and leave the reader wondering which one applies.
 */
export function readIdKey(key: string, field: string, min: number, max: number, what: string, origin: Origin): number {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(key) || Number(key) < min || Number(key) > max) {
    throw badConfig(field, `${what} id ${show(key)} is not an integer ${min}-${max}`, origin);
  }
  return Number(key);
}
