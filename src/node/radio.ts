/**
 * The radio between the simulated gateway and its virtual nodes: perfect by default; for fault
 * tests it loses a fraction of messages (seeded, so a failing run can be replayed) and delays
 * them, which is what makes the controller's retries and timeouts visible.
 */
import { seededRandom } from '../core/seeded-random.ts';

export interface RadioFaults {
  /** Fraction of messages lost, 0-1, each hop on its own (to the node, and back). */
  dropRate?: number;
  /** Seed of the loss pattern. */
  seed?: number;
  /** Fixed delay of every hop, ms. */
  delayMs?: number;
  /** Extra random delay 0..jitterMs per hop (may reorder messages, as radio retries do). */
  jitterMs?: number;
}

export { seededRandom };

export class Radio {
  #faults: Required<RadioFaults> = { dropRate: 0, seed: 1, delayMs: 0, jitterMs: 0 };
  #random: () => number = seededRandom(1);
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Messages lost so far. */
  lost = 0;

  constructor(faults: RadioFaults = {}) {
    this.setFaults(faults);
  }

  /** Changes the faults from now on (the loss pattern restarts from the seed). */
  setFaults(faults: RadioFaults): void {
    const dropRate = faults.dropRate ?? 0;
    if (!(dropRate >= 0 && dropRate <= 1)) throw new RangeError('dropRate must be 0-1');
    const delayMs = faults.delayMs ?? 0;
    const jitterMs = faults.jitterMs ?? 0;
    if (!(delayMs >= 0) || !(jitterMs >= 0)) throw new RangeError('delays must be >= 0');
    this.#faults = { dropRate, seed: faults.seed ?? 1, delayMs, jitterMs };
    this.#random = seededRandom(this.#faults.seed);
  }

  /**
   * Carries one message: calls deliver (at once when there is no delay, so a perfect radio keeps
   * the order and timing of a direct call), or loses it. Returns false when lost.
   */
  transmit(deliver: () => void): boolean {
    const { dropRate, delayMs, jitterMs } = this.#faults;
    if (dropRate > 0 && this.#random() < dropRate) {
      this.lost++;
      return false;
    }
    const delay = delayMs + (jitterMs > 0 ? this.#random() * jitterMs : 0);
    if (delay <= 0) {
      deliver();
      return true;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      deliver();
    }, delay);
    this.#timers.add(timer);
    return true;
  }

  /** Messages still in the air. */
  get inFlight(): number {
    return this.#timers.size;
  }

  /** Drops everything in the air (the simulator is shutting down). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
