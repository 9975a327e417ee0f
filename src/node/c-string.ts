/**
 * The few C library behaviours the MySensors gateway's parsers rest on, reproduced on bytes:
 * strings end at the first NUL, strtok skips runs of delimiters (so empty fields vanish), atoi
 * reads what it can and ignores the rest, and the hex decoder trusts its input.
 */

/** A C string: everything before the first 0 byte. */
export function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

/**
 * strtok_r over a whole buffer: the tokens in order, delimiters skipped in runs, so `0;;1` gives
 * two tokens, not three. Each token is a view into the input.
 */
export function strtok(bytes: Uint8Array, delimiter: number): Uint8Array[] {
  const tokens: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    while (i < bytes.length && bytes[i] === delimiter) i++;
    if (i >= bytes.length) break;
    const start = i;
    while (i < bytes.length && bytes[i] !== delimiter) i++;
    tokens.push(bytes.subarray(start, i));
    i++;
  }
  return tokens;
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * atoi as glibc does it (strtol, then the long cut to int): leading white space, an optional sign,
 * decimal digits up to the first non-digit; 0 when there are none; out-of-range values clamp to
 * the 64-bit limits before the cut. Returns the int (32-bit, signed).
 */
export function atoi(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && SPACE.has(bytes[i]!)) i++;
  let negative = false;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) {
    negative = bytes[i] === 0x2d;
    i++;
  }
  let value = 0n;
  while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) {
    value = value * 10n + BigInt(bytes[i]! - 0x30);
    if (value > INT64_MAX + 1n) value = INT64_MAX + 1n; // saturated: more digits change nothing
    i++;
  }
  if (negative) value = -value;
  if (value > INT64_MAX) value = INT64_MAX;
  if (value < INT64_MIN) value = INT64_MIN;
  return Number(BigInt.asIntN(32, value));
}

/** What a uint8_t field keeps of an int: the low 8 bits. */
export function toUint8(value: number): number {
  return value & 0xff;
}

/**
 * convertH2I from core/MyHelperFunctions.cpp: no validation at all. '0'-'9' and 'a'-'f' / 'A'-'F'
 * read as hex; anything else yields whatever the arithmetic gives (kept to 8 bits by the caller).
 */
export function convertH2I(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c >= 0x61) return c - 0x61 + 10;
  return c - 0x41 + 10;
}

/** The gateway's stream decoder on an even-length run of characters: pairs, high nibble first. */
export function decodeStreamHex(chars: Uint8Array): Uint8Array {
  const out = new Uint8Array(chars.length >> 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = ((convertH2I(chars[2 * i]!) << 4) + convertH2I(chars[2 * i + 1]!)) & 0xff;
  }
  return out;
}
