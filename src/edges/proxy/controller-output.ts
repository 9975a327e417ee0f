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
 * Characters handed to the socket in one write (one line may be longer). Lines queued in the same
 * turn of the event loop share a write: a write per line would cost a system call each and cap the
 * proxy at a fraction of what the gateway link carries.
 */
const WRITE_SLICE_CHARS = 64 * 1024;

/** Why a controller is dropped. */
export interface Stuck {
  /** Output it had not taken, queued or in the socket's hands (not counting the kernel's buffers). */
  unsentBytes: number;
  /** Since it last took any output while behind. */
  idleMs: number;
}

export class ControllerOutput {
  /** Output not handed to the socket yet, oldest first, with the bytes of each slice. */
  readonly #slices: string[] = [];
  readonly #sliceBytes: number[] = [];
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
   * Queues text for the controller; or, if it is stuck, queues nothing and says why (the caller drops it).
   * `bytes` is the text's length in UTF-8, when the caller knows it (one line broadcast to every
   * controller is measured once, not once per controller).
   */
  push(text: string, bytes = Buffer.byteLength(text)): Stuck | undefined {
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
    } else if (unsent + bytes > MAX_BACKLOG_BYTES) this.#lastProgressAt = this.clock();
    const last = this.#slices.length - 1;
    if (last >= 0 && this.#slices[last]!.length + text.length <= WRITE_SLICE_CHARS) {
      this.#slices[last] += text;
      this.#sliceBytes[last]! += bytes;
    } else {
      this.#slices.push(text);
      this.#sliceBytes.push(bytes);
    }
    this.#queuedBytes += bytes;
    if (!this.#writing && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
    return undefined;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (!this.#writing) this.#writeNext();
  };

  #writeNext(): void {
    const slice = this.#slices.shift();
    const bytes = this.#sliceBytes.shift() ?? 0;
    if (slice === undefined || this.socket.destroyed) return;
    this.#queuedBytes -= bytes;
    this.#inFlightBytes = bytes;
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
