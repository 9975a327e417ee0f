/**
 * One error class for all of MySeal, with numbered codes that callers branch on.
 *
 * Codes are grouped by hundreds: 1xx the MySensors wire codec, 2xx sealed frames, the protocol and
 * its operations, 3xx key and counter storage, 4xx configuration and command line, 5xx the legacy
 * (original ECB) format. A code's number never changes
 * once released (logs, exit codes and test vectors name them); new codes take new numbers.
 *
 * Messages never contain a key, a PIN or a whole frame: they name the field and say what is wrong.
 */
export enum ErrorCode {
  // 1xx: MySensors gateway lines, MQTT topics and the line framer
  LINE_TOO_LONG = 100,
  LINE_FIELD_COUNT = 101,
  BAD_NODE_ID = 102,
  BAD_CHILD_ID = 103,
  BAD_COMMAND = 104,
  BAD_ECHO = 105,
  BAD_TYPE = 106,
  PAYLOAD_TOO_LONG = 107,
  PAYLOAD_FORBIDDEN_CHAR = 108,
  BAD_STREAM_HEX = 109,
  BAD_TOPIC = 110,
  UNKNOWN_NAME = 111,
  LINE_NOT_TEXT = 112,
  /** A payload that is not well-formed text: invalid UTF-8 bytes, a lone surrogate, not a string. */
  PAYLOAD_NOT_TEXT = 113,

  // 2xx: sealed frames v1 (docs/protocol.md)
  FRAME_TOO_SHORT = 200,
  FRAME_TOO_LONG = 201,
  BAD_VERSION = 202,
  WRONG_DIRECTION = 203,
  BAD_KIND = 204,
  AUTH_FAILED = 205,
  REPLAYED_COUNTER = 206,
  NO_CHALLENGE = 207,
  CHALLENGE_EXPIRED = 208,
  CHALLENGE_USED = 209,
  BAD_BODY = 210,
  BAD_PIN = 211,
  COUNTER_EXHAUSTED = 212,
  /**
   * A node's result to a command MySeal did not send, or sent long before: the node refused a frame
   * replayed or held back on the gateway link, and said so.
   */
  UNEXPECTED_RESULT = 213,
  NOT_SEALED = 214,
  VALUE_TOO_LONG = 215,
  BAD_KEY = 216,
  TIMEOUT = 217,
  GATEWAY_DOWN = 218,
  RATE_LIMITED = 219,
  REFUSED_BY_POLICY = 220,
  RETAINED_MESSAGE = 221,
  /**
   * A plain C_SET or C_REQ on the gateway link from a node with a key, for a child that does not
   * accept plain values: anyone with access to the link or the radio can forge one, so it is dropped.
   */
  PLAIN_FROM_SEALED_NODE = 222,

  // 3xx: key store, counter store, node storage
  KEY_STORE_PERMISSIONS = 300,
  KEY_STORE_CORRUPT = 301,
  NO_KEY = 302,
  COUNTER_STORE_CORRUPT = 303,
  STORAGE_IO = 304,
  KEY_EXISTS = 305,
  /** An output file (the Arduino key header) already exists and overwriting was not asked for. */
  FILE_EXISTS = 306,
  STATE_LOCKED = 307,
  /**
   * A node's counter file is missing. Its counters are unknown, and starting them again at 1 could
   * reuse a CCM nonce under the node's key: refused until the node gets a new key (keygen --force).
   */
  COUNTER_STORE_MISSING = 308,

  // 4xx: configuration and command line
  USAGE = 400,
  BAD_CONFIG = 401,
  /** A configuration file that was named (flag or argument) is missing or cannot be read. */
  CONFIG_UNREADABLE = 402,
  /** A listen address (the controllers' port, the HTTP API) that another program already holds. */
  PORT_IN_USE = 403,

  // 5xx: the legacy AES-128-ECB PIN format of the original script and sketch (src/legacy/)
  /** No legacy key for the node: neither <stateDir>/legacy/node-N.key nor $MYSEAL_LEGACY_KEY. */
  LEGACY_NO_KEY = 500,
  /** A legacy key that is not exactly 16 printable ASCII characters. */
  LEGACY_BAD_KEY = 501,
  /** A legacy PIN that is not exactly 4 decimal digits (the node sketch compares 4 bytes). */
  LEGACY_BAD_PIN = 502,
}

export type ErrorCodeName = keyof typeof ErrorCode;

/** The name of a code, as test vectors and logs spell it ("AUTH_FAILED"). */
export function errorCodeName(code: ErrorCode): ErrorCodeName {
  return ErrorCode[code] as ErrorCodeName;
}

export class MySealError extends Error {
  override readonly name = 'MySealError';

  /** The message without the code in front, for texts that name the code apart or not at all. */
  readonly reason: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Non-secret facts for logs and counters (field names, lengths, node ids). */
    readonly detail: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(`${errorCodeName(code)}: ${message}`);
    this.reason = message;
  }

  get codeName(): ErrorCodeName {
    return errorCodeName(this.code);
  }
}

export function isMySealError(e: unknown, code?: ErrorCode): e is MySealError {
  return e instanceof MySealError && (code === undefined || e.code === code);
}

/**
 * A result type for parsers that must never throw on bad input (the line framer, frame openers):
 * callers branch on `ok` and count the error codes.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: MySealError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(
  code: ErrorCode,
  message: string,
  detail?: Record<string, string | number | boolean>,
): Result<T> {
  return { ok: false, error: new MySealError(code, message, detail) };
}

/** Node's errno name (ENOENT, EACCES, ...) of a failed fs call, or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}
