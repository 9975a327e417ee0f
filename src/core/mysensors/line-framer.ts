/**
 * Cuts a gateway's byte stream (serial port, TCP socket) into lines. It only frames: parseLine
 * reads the lines. Garbage is reported as an output, never thrown, and memory stays bounded
 * whatever arrives, since a gateway link is an input MySeal does not control.
 */
import { ErrorCode, MySealError } from '../errors.ts';
import { MAX_LINE_LENGTH } from './line.ts';
import { decodeUtf8, splitAtLoneSurrogates } from './text.ts';

export type FramerOutput = { line: string } | { error: MySealError };

export interface LineFramerOptions {
  /** Longest line in bytes, line ending excluded. Default 100, the gateway's own receive limit. */
  maxLineLength?: number;
}

const LF = 0x0a;
const CR = 0x0d;
/** Never valid in UTF-8: stands in for a lone surrogate from a string chunk so the line fails decoding. */
const NOT_UTF8 = new Uint8Array([0xff]);

const encoder = new TextEncoder();

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Line ends are '\n', '\r\n' and a lone '\r' (the Ethernet gateway ends lines at '\r' too). Every
 * '\r' and '\n' ends a line and empty lines are dropped, so a '\r\n' - even one split across two
 * chunks - ends exactly one line.
 *
 * Bytes are kept until the line end and decoded as a whole, so a UTF-8 character split across
 * chunks is joined first ('\r' and '\n' never occur inside a multi-byte UTF-8 character).
 */
export class LineFramer {
  readonly maxLineLength: number;
  readonly #line: Uint8Array;
  #length = 0;
  /** After an over-long line: drop everything up to the next line end, then carry on. */
  #discarding = false;
  /** A high surrogate that ended a string chunk; its low half may start the next one. */
  #pendingHigh = '';

  constructor(opts: LineFramerOptions = {}) {
    const max = opts.maxLineLength ?? MAX_LINE_LENGTH;
    // A bad limit is a bug in the caller, not bad input from a gateway: fail loudly at once.
    if (!Number.isInteger(max) || max < 1 || max > 1 << 20) {
      throw new RangeError(`maxLineLength must be an integer 1-${1 << 20}, got ${String(max)}`);
    }
    this.maxLineLength = max;
    this.#line = new Uint8Array(max);
  }

  /** Bytes held for the line in progress (at most maxLineLength). */
  get bufferedBytes(): number {
    return this.#length;
  }

  /** Forgets the line in progress, e.g. after a reconnect: its start belonged to another stream. */
  reset(): void {
    this.#length = 0;
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
      this.#pushBytes(chunk, out);
    } else {
      out.push({
        error: new MySealError(ErrorCode.LINE_NOT_TEXT, `chunk of type ${typeof chunk} is neither bytes nor a string`),
      });
    }
    return out;
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
      if (i > 0) this.#pushBytes(NOT_UTF8, out);
      if (part.length > 0) this.#pushBytes(encoder.encode(part), out);
    }
  }

  /** A high surrogate followed by bytes, not by its low half: it was lone after all. */
  #flushPendingHigh(out: FramerOutput[]): void {
    if (this.#pendingHigh === '') return;
    this.#pendingHigh = '';
    this.#pushBytes(NOT_UTF8, out);
  }

  #pushBytes(bytes: Uint8Array, out: FramerOutput[]): void {
    if (this.#length === 0 && !this.#discarding && isAscii(bytes)) {
      this.#pushAscii(bytes, out);
      return;
    }
    let at = 0;
    while (at < bytes.length) {
      let end = at;
      while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
      this.#append(bytes, at, end, out);
      if (end < bytes.length) {
        this.#endLine(out);
        end++;
      }
      at = end;
    }
  }

  /**
   * The usual chunk: plain ASCII with no line in progress. Decoded once as a whole, each line a
   * slice of it: decoding line by line was most of what framing a busy gateway link cost. Lines
   * come out as the general path makes them; a line too long, and the unfinished tail, go through it.
   */
  #pushAscii(bytes: Uint8Array, out: FramerOutput[]): void {
    const text = decodeUtf8(bytes)!; // ASCII is UTF-8
    let at = 0;
    for (;;) {
      let end = at;
      for (; end < text.length; end++) {
        const unit = text.charCodeAt(end);
        if (unit === LF || unit === CR) break;
      }
      if (end === text.length) {
        this.#append(bytes, at, end, out);
        return;
      }
      if (end - at > this.maxLineLength) {
        this.#append(bytes, at, end, out);
        this.#endLine(out);
      } else if (end > at) out.push({ line: text.slice(at, end) });
      at = end + 1;
    }
  }

  #append(bytes: Uint8Array, from: number, to: number, out: FramerOutput[]): void {
    if (this.#discarding || from === to) return;
    const length = this.#length + (to - from);
    if (length > this.maxLineLength) {
      // Report once, as soon as the limit is passed (not at the line end, which may never come),
      // and keep nothing: memory stays at maxLineLength whatever the chunk size.
      out.push({
        error: new MySealError(
          ErrorCode.LINE_TOO_LONG,
          `line longer than ${this.maxLineLength} bytes; skipping to the next line end`,
          { max: this.maxLineLength },
        ),
      });
      this.#discarding = true;
      this.#length = 0;
      return;
    }
    this.#line.set(bytes.subarray(from, to), this.#length);
    this.#length = length;
  }

  #endLine(out: FramerOutput[]): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    const length = this.#length;
    this.#length = 0;
    if (length === 0) return;
    const line = decodeUtf8(this.#line.subarray(0, length));
    if (line === undefined) {
      out.push({
        error: new MySealError(ErrorCode.LINE_NOT_TEXT, `line of ${length} bytes is not UTF-8`, { length }),
      });
    } else {
      out.push({ line });
    }
  }
}
