/**
 * The lines of one chunk from a gateway, read: each with its bytes (a range of the chunk, no copy)
 * and its header, and its full message only when someone asks for it. A busy link delivers
 * thousands of lines a chunk; most are only looked at and passed on as they came, so what each
 * costs is one pass over its bytes (line-header.ts), no string and no object.
 */
import type { MySealError } from '../errors.ts';
import type { FramedLines } from './line-framer.ts';
import { headerChild, headerCommand, headerEcho, headerNode, headerType, NOT_READ, packHeader, readLineHeader } from './line-header.ts';
import { parseLine } from './line.ts';
import type { MySensorsMessage } from './message.ts';

/** An entry that is a line MySeal's parser refuses (error(i) says why; text(i) is the line). */
export const REFUSED_LINE = -1;
/** An entry that is no line at all: the framer's error (too long, not UTF-8); error(i) says which. */
export const NOT_A_LINE = -2;

export class LineBatch {
  /** The bytes the lines are ranges of. */
  readonly bytes: Buffer;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  /** A packed header (line-header.ts) for a valid line, else REFUSED_LINE or NOT_A_LINE. */
  readonly #headers: Int32Array;
  /** Sparse: the refused lines' and the framer's errors. */
  readonly #errors: MySealError[];
  /** Sparse: messages read so far. */
  readonly #messages: MySensorsMessage[] = [];

  constructor(framed: FramedLines) {
    const { bytes, starts, ends, errors } = framed;
    this.bytes = bytes;
    this.#starts = starts;
    this.#ends = ends;
    this.#errors = errors;
    const headers = (this.#headers = new Int32Array(starts.length));
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i]!;
      if (start < 0) {
        headers[i] = NOT_A_LINE;
        continue;
      }
      const header = readLineHeader(bytes, start, ends[i]!);
      headers[i] = header === NOT_READ ? this.#parse(i) : header;
    }
  }

  /** Lines and framing errors, in stream order. */
  get size(): number {
    return this.#headers.length;
  }

  /** Entry i's packed header (>= 0) if it is a valid line, else REFUSED_LINE or NOT_A_LINE. */
  header(i: number): number {
    return this.#headers[i]!;
  }

  /** Where line i starts in `bytes`; -1 for NOT_A_LINE. */
  start(i: number): number {
    return this.#starts[i]!;
  }

  /** Where line i ends in `bytes`: its line end (if it is in `bytes`) follows. */
  end(i: number): number {
    return this.#ends[i]!;
  }

  /** Line i as it came, without its line end; undefined for NOT_A_LINE. */
  text(i: number): string | undefined {
    const start = this.#starts[i]!;
    return start < 0 ? undefined : this.bytes.toString('utf8', start, this.#ends[i]);
  }

  /** Line i's message, read on first asking; undefined unless it is a valid line. */
  message(i: number): MySensorsMessage | undefined {
    if (this.#headers[i]! < 0) return undefined;
    let m = this.#messages[i];
    if (m === undefined) {
      const parsed = parseLine(this.text(i)!);
      if (!parsed.ok) throw parsed.error; // unreachable: readLineHeader accepts only what parseLine does
      m = this.#messages[i] = parsed.value;
    }
    return m;
  }

  /** Why entry i is not a valid line; undefined when it is one. */
  error(i: number): MySealError | undefined {
    return this.#errors[i];
  }

  /** Line i read as parseLine reads it: its header, or REFUSED_LINE with the error kept. */
  #parse(i: number): number {
    const parsed = parseLine(this.text(i)!);
    if (!parsed.ok) {
      this.#errors[i] = parsed.error;
      return REFUSED_LINE;
    }
    this.#messages[i] = parsed.value;
    return packHeader(parsed.value);
  }
}

/**
 * One entry of a batch seen as a message, without making one: the header fields come from the
 * packed header, the payload is read only if asked for. It moves from line to line; whoever needs
 * a message to keep takes batch.message(i).
 */
export class LineView implements MySensorsMessage {
  readonly #batch: LineBatch;
  #index = 0;
  #header = 0;

  constructor(batch: LineBatch) {
    this.#batch = batch;
  }

  /** Shows entry i; false (and nothing shown) when it is not a valid line. */
  moveTo(i: number): boolean {
    const header = this.#batch.header(i);
    if (header < 0) return false;
    this.#index = i;
    this.#header = header;
    return true;
  }

  get nodeId(): number {
    return headerNode(this.#header);
  }

  get childId(): number {
    return headerChild(this.#header);
  }

  get command(): number {
    return headerCommand(this.#header);
  }

  get echo(): boolean {
    return headerEcho(this.#header);
  }

  get type(): number {
    return headerType(this.#header);
  }

  get payload(): string {
    return this.#batch.message(this.#index)!.payload;
  }
}
