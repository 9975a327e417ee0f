/**
 * A gateway line read straight from its bytes, for the busy way from the gateway to controllers,
 * where most lines are only looked at (whose are they, are they sealed) and passed on as they came.
 *
 * readLineHeader decides a line of plain ASCII exactly as parseLine does, in one pass over its
 * bytes and without a string or an object: what it accepts, parseLine accepts with the same
 * fields, and what parseLine accepts it accepts. A line it does not accept (refused, or not ASCII:
 * a payload like 'Küche') is left to parseLine, which stays the one authority on what a line
 * means and what is wrong with it. The header comes packed in one small integer (header* below).
 */
import { Command } from './enums.ts';
import { MAX_LINE_LENGTH } from './line.ts';
import { MAX_PAYLOAD_BYTES, MAX_STREAM_HEX_CHARS, type MySensorsMessage } from './message.ts';

/** Not accepted by the byte reader: parseLine decides (and says why). */
export const NOT_READ = -1;

const SEMICOLON = 0x3b;
const DIGIT_0 = 0x30;
const SPACE = 0x20;
const DEL = 0x7f;
/** Above every field's limit: a longer run of digits stays here instead of growing. */
const TOO_BIG = 256;

/** The largest value of each header field in line order: node, child, command, echo, type. */
const FIELD_MAX = [255, 255, Command.C_STREAM, 1, 255] as const;
/** Where each field sits in the packed header, in line order. */
const FIELD_SHIFT = [0, 8, 24, 27, 16] as const;

/** Bits of the packed header: node 0-7, child 8-15, type 16-23, command 24-26, echo 27. */
export const headerNode = (h: number): number => h & 0xff;
export const headerChild = (h: number): number => (h >>> 8) & 0xff;
export const headerType = (h: number): number => (h >>> 16) & 0xff;
export const headerCommand = (h: number): Command => (h >>> 24) & 0x7;
export const headerEcho = (h: number): boolean => (h & (1 << 27)) !== 0;

/** The packed header of a valid message. */
export function packHeader(m: MySensorsMessage): number {
  const fields = [m.nodeId, m.childId, m.command, m.echo ? 1 : 0, m.type];
  return fields.reduce((header, value, i) => header | (value << FIELD_SHIFT[i]!), 0);
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66);
}

/**
 * The packed header of the line bytes[start, end) (no line ending), or NOT_READ when parseLine
 * would refuse it or it is not all ASCII. Never throws. One loop over the header, one over the
 * payload: this runs for every line a gateway sends.
 */
export function readLineHeader(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > MAX_LINE_LENGTH) return NOT_READ;
  let header = 0;
  let field = 0;
  let first = start;
  let value = 0;
  let at = start;
  // Strict decimal fields: one digit at least, nothing else (leading zeros are harmless), each in range.
  for (; at < end; at++) {
    const b = bytes[at]!;
    if (b === SEMICOLON) {
      if (at === first || value > FIELD_MAX[field]!) return NOT_READ;
      header |= value << FIELD_SHIFT[field]!;
      if (++field === 5) break;
      first = at + 1;
      value = 0;
      continue;
    }
    const digit = b - DIGIT_0;
    if (digit < 0 || digit > 9) return NOT_READ;
    value = value >= TOO_BIG ? TOO_BIG : value * 10 + digit;
  }
  if (field !== 5) return NOT_READ;
  at++;
  // The payload, by validateMessage's rules for a line: C_STREAM 2-50 hex digits, an even count;
  // any other command at most 25 bytes of printable text without ';'.
  const length = end - at;
  if (headerCommand(header) === Command.C_STREAM) {
    if (length === 0 || length > MAX_STREAM_HEX_CHARS || length % 2 !== 0) return NOT_READ;
    for (; at < end; at++) if (!isHexDigit(bytes[at]!)) return NOT_READ;
  } else {
    if (length > MAX_PAYLOAD_BYTES) return NOT_READ;
    for (; at < end; at++) {
      const b = bytes[at]!;
      if (b < SPACE || b >= DEL || b === SEMICOLON) return NOT_READ;
    }
  }
  return header;
}
