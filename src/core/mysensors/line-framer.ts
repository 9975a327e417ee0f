/**
 * Cuts a gateway's byte stream (serial port, TCP socket) into lines. It only frames: parseLine
 * (or readLines, line-batch.ts) reads the lines. Garbage is reported as an output, never thrown,
 * and memory stays bounded whatever arrives, since a gateway link is an input MySeal does not control.
 */
import { isAscii as isAllAscii } from 'node:buffer';
import { ErrorCode, MySealError } from '../errors.ts';
import { MAX_LINE_LENGTH } from './line.ts';
import { decodeUtf8, splitAtLoneSurrogates } from './text.ts';

export type FramerOutput = { line: string } | { error: MySealError };

export interface LineFramerOptions {
  /** Longest line in bytes, line ending excluded. Default 100, the gateway's own receive limit. */
  maxLineLength?: number;
}

/**
 * The lines one chunk of bytes completed, as ranges of `bytes` (no copy of the chunk), and the
 * framing errors between them, in stream order. Entry i is the line bytes[starts[i], ends[i]) -
 * without its line end, never empty, well-formed UTF-8 - or, where starts[i] is -1, errors[i].
 * Offsets are in typed arrays: a busy chunk has thousands of lines, and one array of numbers per
 * chunk costs less than thousands of elements pushed one by one.
 */
export interface FramedLines {
  /** The chunk, or (when it finishes a line an earlier chunk began) that line's start joined to it. */
  readonly bytes: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Sparse: only at the entries that are errors. */
  readonly errors: MySealError[];
}

const LF = 0x0a;
const CR = 0x0d;
/** Never valid in UTF-8: stands in for a lone surrogate from a string chunk so the line fails decoding. */
const NOT_UTF8 = new Uint8Array([0xff]);

const encoder = new TextEncoder();

/** Where the next `byte` is from `from` on; the length of `bytes` if there is none. */
function nextOrEnd(bytes: Buffer, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from);
  return at < 0 ? bytes.length : at;
}

function isUtf8Line(bytes: Buffer, start: number, end: number): boolean {
  return isAscii(bytes, start, end) || decodeUtf8(bytes.subarray(start, end)) !== undefined;
}

function notUtf8(length: number): MySealError {
  return new MySealError(ErrorCode.LINE_NOT_TEXT, `line of ${length} bytes is not UTF-8`, { length });
}

function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Line ends are '\n', '\r\n' and a lone '\r' (the Ethernet gateway ends lines at '\r' too). Every
 * '\r' and '\n' ends a line and empty lines are dropped, so a '\r\n' - even one split across two
 * chunks - ends exactly one line.
 *
 * Bytes of an unfinished line are kept until its line end and the line checked as a whole, so a
 * UTF-8 character split across chunks is joined first ('\r' and '\n' never occur inside a
 * multi-byte UTF-8 character).
 */
export class LineFramer {
  readonly maxLineLength: number;
  /** The start of the line in progress (at most maxLineLength bytes). */
  #held: Buffer | null = null;
  /** After an over-long line: drop everything up to the next line end, then carry on. */
  #discarding = false;
  /** A high surrogate that ended a string chunk; its low half may start the next one. */
  #pendingHigh = '';
  /**
   * Where the entries of the chunk being framed start and end, reused from chunk to chunk (each
   * chunk's own are copied out at its end), and how many there are so far; its errors.
   */
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);
  #count = 0;
  #errors: MySealError[] = [];

  constructor(opts: LineFramerOptions = {}) {
    const max = opts.maxLineLength ?? MAX_LINE_LENGTH;
    // A bad limit is a bug in the caller, not bad input from a gateway: fail loudly at once.
    if (!Number.isInteger(max) || max < 1 || max > 1 << 20) {
      throw new RangeError(`maxLineLength must be an integer 1-${1 << 20}, got ${String(max)}`);
    }
    this.maxLineLength = max;
  }

  /** Bytes held for the line in progress (at most maxLineLength). */
  get bufferedBytes(): number {
    return this.#held?.length ?? 0;
  }

  /** Forgets the line in progress, e.g. after a reconnect: its start belonged to another stream. */
  reset(): void {
    this.#held = null;
    this.#discarding = false;
    this.#pendingHigh = '';
  }

  /** Feeds a chunk; returns the lines and errors it completed, in stream order. Never throws. */
  push(chunk: Uint8Array | string): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (typeof chunk === 'string') {
      this.#pushString(chunk, out);
    } else if (chunk instanceof Uint8Array) {
      this.#flushPendingHigh(out);
      outputsOf(this.frame(chunk), out);
    } else {
      out.push({
        error: new MySealError(ErrorCode.LINE_NOT_TEXT, `chunk of type ${typeof chunk} is neither bytes nor a string`),
      });
    }
    return out;
  }

  /**
   * Feeds a chunk of bytes; returns what it completed as ranges of the chunk, for readers that want
   * the bytes themselves (a proxy passing lines on as they came). Never throws.
   */
  frame(chunk: Uint8Array): FramedLines {
    const held = this.#held;
    this.#held = null;
    // A line begun in an earlier chunk is joined to this one (a copy of at most one chunk, and only
    // when a chunk ends mid-line), so every line is one range of one buffer.
    const bytes = held === null ? asBuffer(chunk) : Buffer.concat([held, chunk]);
    // Every entry but the last takes two bytes at least (a line or a bad line and its line end, or
    // more than maxLineLength), and the rest kept for later is one entry at most.
    const capacity = (bytes.length >> 1) + 2;
    if (this.#starts.length < capacity) {
      this.#starts = new Int32Array(capacity);
      this.#ends = new Int32Array(capacity);
    }
    this.#count = 0;
    this.#errors = [];
    const lineStart = this.#lines(bytes, held === null ? 0 : held.length);
    this.#keepRest(bytes, lineStart);
    const count = this.#count;
    return { bytes, starts: this.#starts.slice(0, count), ends: this.#ends.slice(0, count), errors: this.#errors };
  }

  /**
   * Every line that ends in `bytes` (its line end at `from` or after); returns where the unfinished
   * rest starts. Line ends are searched natively (memchr), '\r' and '\n' each on its own: this is
   * the one pass over every byte a gateway sends, and most chunks hold no '\r' at all. (Kept apart
   * from what comes before and after it, so that its loop is compiled once, early, with nothing in
   * it that runs only once a chunk.)
   */
  #lines(bytes: Buffer, from: number): number {
    const max = this.maxLineLength;
    const length = bytes.length;
    const starts = this.#starts;
    const ends = this.#ends;
    // A chunk of ASCII (the usual) needs no UTF-8 check line by line.
    const notAscii = !isAllAscii(bytes);
    let cr = nextOrEnd(bytes, CR, from);
    let lf = nextOrEnd(bytes, LF, from);
    let discarding = this.#discarding;
    let lineStart = 0;
    for (;;) {
      let end: number;
      if (lf < cr) {
        end = lf;
        lf = nextOrEnd(bytes, LF, lf + 1);
      } else if (cr < length) {
        end = cr;
        cr = nextOrEnd(bytes, CR, cr + 1);
      } else break;
      if (discarding) discarding = false;
      else if (end - lineStart > max) this.#error(this.#tooLong());
      else if (end > lineStart) {
        if (notAscii && !isUtf8Line(bytes, lineStart, end)) this.#error(notUtf8(end - lineStart));
        else {
          const n = this.#count++;
          starts[n] = lineStart;
          ends[n] = end;
        }
      }
      lineStart = end + 1;
    }
    this.#discarding = discarding;
    return lineStart;
  }

  /**
   * The start of a line whose end has not come yet is kept for the next chunk; or, past the limit,
   * reported at once (not at the line end, which may never come) and skipped up to its end, so
   * memory stays at maxLineLength whatever the chunk size.
   */
  #keepRest(bytes: Buffer, lineStart: number): void {
    const length = bytes.length;
    if (this.#discarding || lineStart === length) return;
    if (length - lineStart > this.maxLineLength) {
      this.#error(this.#tooLong());
      this.#discarding = true;
    } else this.#held = Buffer.from(bytes.subarray(lineStart));
  }

  #tooLong(): MySealError {
    const max = this.maxLineLength;
    return new MySealError(ErrorCode.LINE_TOO_LONG, `line longer than ${max} bytes; skipping to the next line end`, { max });
  }

  #error(error: MySealError): void {
    const n = this.#count++;
    this.#errors[n] = error;
    this.#starts[n] = -1;
    this.#ends[n] = -1;
  }

  /**
   * Strings are framed as their UTF-8 bytes, so string and byte chunks share one path and one
   * length limit. A lone surrogate becomes a byte that is never UTF-8, which makes its line a
   * LINE_NOT_TEXT error instead of silently turning into U+FFFD.
   */
  #pushString(chunk: string, out: FramerOutput[]): void {
    let text = this.#pendingHigh + chunk;
    this.#pendingHigh = '';
    if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.#pendingHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    const parts = splitAtLoneSurrogates(text);
    for (const [i, part] of parts.entries()) {
      if (i > 0) outputsOf(this.frame(NOT_UTF8), out);
      if (part.length > 0) outputsOf(this.frame(encoder.encode(part)), out);
    }
  }

  /** A high surrogate followed by bytes, not by its low half: it was lone after all. */
  #flushPendingHigh(out: FramerOutput[]): void {
    if (this.#pendingHigh === '') return;
    this.#pendingHigh = '';
    outputsOf(this.frame(NOT_UTF8), out);
  }
}

/** Framed lines as text and errors, in order. */
function outputsOf(framed: FramedLines, out: FramerOutput[]): void {
  const { bytes, starts, ends, errors } = framed;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    out.push(start < 0 ? { error: errors[i]! } : { line: bytes.toString('utf8', start, ends[i]) });
  }
}
