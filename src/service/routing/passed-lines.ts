/**
 * The lines of one gateway chunk that go to controllers, gathered as the router decides on each:
 * runs of consecutive lines are ranges of the chunk itself, so a chunk passed on whole is handed to
 * every controller as the very bytes that came in, and a chunk with a few lines held back costs a
 * copy of what passes, once for all controllers.
 */
import { LineView } from '../../core/mysensors/line-batch.ts';
import type { LineBatch } from '../../core/mysensors/line-batch.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { PassedLines } from '../ports.ts';

const LF = 0x0a;
/** Lines reach controllers ending in '\n', whatever ending the gateway used. */
const NEWLINE = Buffer.from('\n');

export class PassedLineRuns {
  readonly #batch: LineBatch;
  /** The entries added, in order: those since the last take are [#taken, #added). */
  readonly #indices: Int32Array;
  #taken = 0;
  #added = 0;
  #pieces: Uint8Array[] = [];
  /** The run of bytes being gathered, [start, end) of the batch's bytes; start -1 for none. */
  #runStart = -1;
  #runEnd = -1;

  constructor(batch: LineBatch) {
    this.#batch = batch;
    this.#indices = new Int32Array(batch.size);
  }

  /** Entry i of the batch (a line) goes to controllers as it came, after those added before. */
  add(i: number): void {
    const batch = this.#batch;
    const start = batch.start(i);
    const end = batch.end(i);
    const endsInNewline = batch.bytes[end] === LF;
    if (this.#runStart < 0 || start !== this.#runEnd) {
      this.#closeRun();
      this.#runStart = start;
    }
    this.#runEnd = endsInNewline ? end + 1 : end;
    if (!endsInNewline) {
      this.#closeRun();
      this.#pieces.push(NEWLINE);
    }
    this.#indices[this.#added++] = i;
  }

  /** What was added since the last take, or undefined for nothing. */
  take(): PassedLines | undefined {
    this.#closeRun();
    if (this.#added === this.#taken) return undefined;
    const pieces = this.#pieces;
    const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    const lines = new BatchLines(this.#batch, this.#indices.subarray(this.#taken, this.#added), bytes);
    this.#taken = this.#added;
    this.#pieces = [];
    return lines;
  }

  #closeRun(): void {
    if (this.#runStart < 0) return;
    this.#pieces.push(this.#batch.bytes.subarray(this.#runStart, this.#runEnd));
    this.#runStart = -1;
  }
}

class BatchLines implements PassedLines {
  readonly #batch: LineBatch;
  readonly #indices: Int32Array;
  #view: LineView | undefined;

  constructor(
    batch: LineBatch,
    indices: Int32Array,
    readonly bytes: Uint8Array,
  ) {
    this.#batch = batch;
    this.#indices = indices;
  }

  get count(): number {
    return this.#indices.length;
  }

  peek(i: number): MySensorsMessage | undefined {
    const view = (this.#view ??= new LineView(this.#batch));
    return view.moveTo(this.#indices[i]!) ? view : undefined;
  }

  message(i: number): MySensorsMessage | undefined {
    return this.#batch.message(this.#indices[i]!);
  }

  line(i: number): string {
    return this.#batch.text(this.#indices[i]!)!;
  }
}
