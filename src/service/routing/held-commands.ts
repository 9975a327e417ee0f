/**
 * Controllers' plain commands that arrive while the gateway link is down wait here for a short,
 * bounded time and go out, in order, the moment the link is back; what is still waiting when its
 * time is up is handed to `expired` (reported to its sender as not delivered).
 *
 * Why hold at all: a gateway that reboots or a broker that restarts is back within a few seconds
 * (the reconnect backoff tries after 0.25, 0.75, 1.75 and 3.75 s), and a light switched in that
 * moment should still switch, as it would have a moment earlier. Why only briefly: a command is
 * meant for now; a lamp that turns on half a minute after the click, when the user has given up
 * and walked over, is worse than a clear "not delivered". Why bounded in count too: a controller
 * that floods during an outage must not make the daemon hold its memory.
 */
import type { MySensorsMessage } from '../../core/mysensors/message.ts';

/** How long a command waits for the gateway link. */
export const HOLD_MS = 5_000;
/** How many commands wait at most; further ones are refused at once. */
export const MAX_HELD = 100;

export interface HeldCommand {
  message: MySensorsMessage;
  source: string;
  /** When it stops waiting (clock milliseconds). */
  until: number;
}

export interface HeldCommandsOptions {
  holdMs?: number;
  maxHeld?: number;
  clock?: () => number;
  /** A command whose time ran out, in arrival order. */
  expired: (command: HeldCommand) => void;
}

export class HeldCommands {
  private readonly queue: HeldCommand[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly clock: () => number;

  constructor(private readonly opts: HeldCommandsOptions) {
    this.holdMs = opts.holdMs ?? HOLD_MS;
    this.maxHeld = opts.maxHeld ?? MAX_HELD;
    this.clock = opts.clock ?? Date.now;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Holds a command; false (nothing held) when the queue is full. */
  hold(message: MySensorsMessage, source: string): boolean {
    if (this.queue.length >= this.maxHeld) return false;
    this.queue.push({ message, source, until: this.clock() + this.holdMs });
    this.arm();
    return true;
  }

  /**
   * Sends what waits, oldest first, until `send` says the link is down again (false): the rest keep
   * waiting, with the time they had left.
   */
  flush(send: (command: HeldCommand) => boolean): void {
    while (this.queue.length > 0) {
      if (!send(this.queue[0]!)) break;
      this.queue.shift();
    }
    this.arm();
  }

  /** Hands every waiting command to `expired` (the daemon is stopping). */
  drop(): void {
    this.disarm();
    for (const c of this.queue.splice(0)) this.opts.expired(c);
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.clock();
    while (this.queue.length > 0 && this.queue[0]!.until <= now) this.opts.expired(this.queue.shift()!);
    this.arm();
  }

  /** One timer, for the oldest command: deadlines only grow along the queue. */
  private arm(): void {
    this.disarm();
    const first = this.queue[0];
    if (first === undefined) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.until - this.clock()));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
