/**
 * Virtual time for the attacker model: one queue of timed events (frames in flight, the controller's
 * timeouts) and a clock that jumps from one event to the next, so a run of minutes of radio time
 * takes milliseconds and replays exactly from its seed.
 *
 * Why not node:test's mock.timers: the driver must jump straight to the next thing that happens,
 * which needs every timer's deadline, and mock.timers hides them (it only ticks by an amount). The
 * controller's code under test waits with the global setTimeout (core/waiter.ts) and measures
 * deadlines with performance.now (core/protocol/operation.ts); install() points both here for the
 * length of one run, so the product code runs unchanged.
 */

interface TimedEvent {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class VirtualTime {
  /** Milliseconds; any start will do, well away from 0 so "time since" never goes negative. */
  now = 1_000_000;
  #seq = 0;
  #events: TimedEvent[] = [];
  #restore: (() => void) | null = null;

  readonly read = (): number => this.now;

  /** Runs `run` after `delayMs` of virtual time; events at the same moment run in the order scheduled. */
  schedule(delayMs: number, run: () => void): TimedEvent {
    const event: TimedEvent = { at: this.now + Math.max(0, delayMs), seq: this.#seq++, run, cancelled: false };
    // Kept sorted by (at, seq): few events are ever queued at once, so an insertion is cheap.
    let i = this.#events.length;
    while (i > 0 && this.#events[i - 1]!.at > event.at) i--;
    this.#events.splice(i, 0, event);
    return event;
  }

  cancel(event: TimedEvent): void {
    event.cancelled = true;
  }

  /** When the next event is due, or null when nothing is queued. */
  nextAt(): number | null {
    while (this.#events[0]?.cancelled) this.#events.shift();
    return this.#events[0]?.at ?? null;
  }

  /** Moves the clock to the next event and runs it; false when nothing is queued. */
  runNext(): boolean {
    if (this.nextAt() === null) return false;
    const event = this.#events.shift()!;
    this.now = Math.max(this.now, event.at);
    event.run();
    return true;
  }

  /** Moves the clock forward without running anything (the caller ran every event due before `at`). */
  advanceTo(at: number): void {
    this.now = Math.max(this.now, at);
  }

  /** Points the global setTimeout, clearTimeout and performance.now at this clock until uninstall(). */
  install(): void {
    if (this.#restore) return;
    const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
    const fakeSetTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): TimedEvent =>
      this.schedule(ms ?? 0, () => fn(...args));
    const fakeClearTimeout = (handle: unknown): void => {
      if (handle && typeof handle === 'object' && 'cancelled' in handle) this.cancel(handle as TimedEvent);
    };
    globalThis.setTimeout = fakeSetTimeout as unknown as typeof setTimeout;
    globalThis.clearTimeout = fakeClearTimeout as unknown as typeof clearTimeout;
    Object.defineProperty(performance, 'now', { value: this.read, configurable: true, writable: true });
    this.#restore = () => {
      globalThis.setTimeout = saved.setTimeout;
      globalThis.clearTimeout = saved.clearTimeout;
      // The own property shadowed the prototype's now(); deleting it brings the real one back.
      delete (performance as unknown as Record<string, unknown>).now;
    };
  }

  uninstall(): void {
    this.#restore?.();
    this.#restore = null;
  }
}

/**
 * Lets every promise continuation that is ready run (the controller's awaits on its stores and
 * waits), with the real setImmediate: nothing in the code under test waits on real I/O.
 */
export function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
