/**
 * What the proxy port has yet to send one controller, and when that controller counts as stuck.
 *
 * Every controller gets everything the gateway says, in order, at its own pace. Nothing waits for a
 * slow controller (the gateway link is never paused, so the others never slow down): what it has
 * not taken yet waits here instead. How much may wait follows from what a gateway can say: a serial
 * gateway at 115200 baud, or a radio network behind any gateway, carries a few KB/s. So a controller
 * behind by more than MAX_BACKLOG_BYTES (the better part of a minute of a busy serial link) that has
 * taken nothing at all for STUCK_AFTER_MS has stopped reading, and is dropped. A controller that
 * keeps taking output is never dropped for a burst, however far it falls behind, short of
 * MAX_HELD_BYTES: the ceiling for a flood on the gateway's link, whatever the pace.
 *
 * Output goes to the socket one slice at a time, one write in flight. A completed write is the
 * controller's sign of life (the kernel took the bytes because the controller read earlier ones),
 * and a slice is small enough to complete often even for a slow reader: one large write of the
 * whole backlog would complete only once the controller had read nearly all of it. How often is
 * still the kernel's choice: it wakes a writer on a full socket only once a good part of the send
 * buffer (up to a few MB) is free again. So "took nothing" means read less than about a megabyte in
 * STUCK_AFTER_MS, which no controller that is reading does.
 */
import type { Socket } from 'node:net';

/** Unsent output beyond which a controller that takes nothing is on its way to being dropped. */
export const MAX_BACKLOG_BYTES = 256 * 1024;
/** How long a controller behind by more than MAX_BACKLOG_BYTES may take nothing before it is dropped. */
export const STUCK_AFTER_MS = 30_000;
/** Unsent output no controller may ever have, reading or not. */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;
/**
 * Bytes handed to the socket in one write, about: output queued in the same turn of the event loop
 * shares a write (a write per line would cost a system call each and cap the proxy at a fraction
 * of what the gateway link carries), and one buffer is cut into slices of this size only when it
 * is more than twice as long (a chunk from the gateway, with the end of a line before it, is not
 * worth a second write for its last few bytes).
 */
const WRITE_SLICE_BYTES = 64 * 1024;
/**
 * Output smaller than this is copied together with what is queued next to it, so a backlog of
 * single lines is a few large buffers, not a million small ones. Larger output (the lines of a
 * whole gateway chunk, the same buffer for every controller) is queued as it is, never copied.
 */
const COPY_BELOW_BYTES = 4 * 1024;

/** Why a controller is dropped. */
export interface Stuck {
  /** Output it had not taken, queued or in the socket's hands (not counting the kernel's buffers). */
  unsentBytes: number;
  /** Since it last took any output while behind. */
  idleMs: number;
}

export class ControllerOutput {
  /** Output not handed to the socket yet, oldest first; then #small, newer still. */
  #queue: Uint8Array[] = [];
  /** Small output not yet copied into one buffer of the queue. */
  #small: Uint8Array[] = [];
  #smallBytes = 0;
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #writing = false;
  #flushScheduled = false;
  /** When it last took output (a write completed) or was not behind. */
  #lastProgressAt: number;

  constructor(
    private readonly socket: Socket,
    private readonly clock: () => number,
  ) {
    this.#lastProgressAt = clock();
  }

  /** Output it has not taken: queued here, and handed to the socket but not yet to the kernel. */
  get unsentBytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /**
   * Queues bytes for the controller (never changed afterwards: the same buffer may go to every
   * controller); or, if it is stuck, queues nothing and says why (the caller drops it).
   */
  push(bytes: Uint8Array): Stuck | undefined {
    const size = bytes.length;
    const unsent = this.unsentBytes;
    // The clock is read only when the answer can depend on it. While a controller is not behind,
    // each push marks progress; but unsent output only grows by pushes, so the last push that was
    // not behind before a push that is behind is the one that put it behind: marking progress there
    // alone gives the same time at every push that asks. (A clock read per line and controller was
    // the better part of the proxy's fan-out cost.)
    if (unsent > MAX_BACKLOG_BYTES) {
      const now = this.clock();
      if (unsent > MAX_HELD_BYTES || now - this.#lastProgressAt >= STUCK_AFTER_MS) {
        return { unsentBytes: unsent, idleMs: now - this.#lastProgressAt };
      }
    } else if (unsent + size > MAX_BACKLOG_BYTES) this.#lastProgressAt = this.clock();
    if (size < COPY_BELOW_BYTES) {
      this.#small.push(bytes);
      this.#smallBytes += size;
      if (this.#smallBytes >= WRITE_SLICE_BYTES) this.#gatherSmall();
    } else {
      this.#gatherSmall();
      this.#queue.push(bytes);
    }
    this.#queuedBytes += size;
    if (!this.#writing && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
    return undefined;
  }

  /** The small output so far, as one buffer at the end of the queue. */
  #gatherSmall(): void {
    const small = this.#small;
    if (small.length === 0) return;
    this.#queue.push(small.length === 1 ? small[0]! : Buffer.concat(small, this.#smallBytes));
    this.#small = [];
    this.#smallBytes = 0;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (!this.#writing) this.#writeNext();
  };

  #writeNext(): void {
    if (this.socket.destroyed) return;
    if (this.#queue.length === 0) this.#gatherSmall();
    let slice = this.#queue[0];
    if (slice === undefined) return;
    if (slice.length > 2 * WRITE_SLICE_BYTES) {
      this.#queue[0] = slice.subarray(WRITE_SLICE_BYTES);
      slice = slice.subarray(0, WRITE_SLICE_BYTES);
    } else this.#queue.shift();
    this.#queuedBytes -= slice.length;
    this.#inFlightBytes = slice.length;
    this.#writing = true;
    this.socket.write(slice, this.#written);
  }

  readonly #written = (err?: Error | null): void => {
    this.#writing = false;
    this.#inFlightBytes = 0;
    if (err) return; // the socket is gone; its 'close' does the cleanup
    this.#lastProgressAt = this.clock();
    this.#writeNext();
  };
}
