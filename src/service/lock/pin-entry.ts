/**
 * PIN digits arrive one at a time (a Domoticz selector switch, a keypad page, an MQTT button) and
 * are collected per node: the PIN length reached or the submit key sends it, the clear key empties
 * the buffer, and a pause longer than the inter-digit timeout forgets what was typed. The first
 * digit asks the node for a challenge, so the unlock goes out as soon as the last digit lands.
 *
 * Digits are kept only in this buffer, never logged; a submitted PIN leaves the buffer at once.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { PIN_MIN_DIGITS } from '../../core/protocol/constants.ts';

/** How long a person may pause between digits before the buffer is forgotten (the original setup's 10 s). */
export const DEFAULT_DIGIT_TIMEOUT_MS = 10_000;

export interface PinEntryOptions {
  digitTimeoutMs?: number;
  submitKey?: string;
  clearKey?: string;
  /** Digits of this node's PIN, within the PIN bounds (NodeCatalogue.pinLength): reaching it submits without the submit key. */
  pinLength: (node: number) => number;
  /** Called on the first digit of an entry (prefetch the challenge). */
  onFirstDigit?: (node: number) => void;
  /** Called when an entry is forgotten after the timeout. */
  onTimeout?: (node: number, digits: number) => void;
}

export type DigitOutcome<R> =
  | { state: 'buffered'; count: number }
  | { state: 'cleared' }
  | { state: 'submitted'; result: Promise<R> };

interface Buffer {
  digits: string;
  timer: NodeJS.Timeout;
}

export class PinEntry<R> {
  private readonly buffers = new Map<number, Buffer>();
  private readonly timeoutMs: number;
  private readonly submitKey: string;
  private readonly clearKey: string;

  constructor(
    private readonly opts: PinEntryOptions,
    private readonly submit: (node: number, pin: string) => Promise<R>,
  ) {
    this.timeoutMs = opts.digitTimeoutMs ?? DEFAULT_DIGIT_TIMEOUT_MS;
    this.submitKey = opts.submitKey ?? '#';
    this.clearKey = opts.clearKey ?? '*';
  }

  /** The submit and clear keys, for a keypad to send. */
  get keys(): { submitKey: string; clearKey: string } {
    return { submitKey: this.submitKey, clearKey: this.clearKey };
  }

  /** Digits waiting for a node (a count only: the digits themselves never leave). */
  buffered(node: number): number {
    return this.buffers.get(node)?.digits.length ?? 0;
  }

  /** One key press. Throws MySealError(BAD_PIN) for anything but a digit, the submit or the clear key. */
  press(node: number, key: string): DigitOutcome<R> {
    if (key === this.clearKey) {
      this.forget(node);
      return { state: 'cleared' };
    }
    if (key === this.submitKey) {
      const digits = this.take(node);
      if (digits.length < PIN_MIN_DIGITS) {
        throw new MySealError(ErrorCode.BAD_PIN, `a PIN has at least ${PIN_MIN_DIGITS} digits`, { node, length: digits.length });
      }
      return { state: 'submitted', result: this.submit(node, digits) };
    }
    if (!/^[0-9]$/.test(key)) {
      throw new MySealError(ErrorCode.BAD_PIN, 'a key is one digit 0-9, the submit key or the clear key', { node });
    }
    const existing = this.buffers.get(node);
    if (existing) clearTimeout(existing.timer);
    else this.opts.onFirstDigit?.(node);
    const digits = (existing?.digits ?? '') + key;
    if (digits.length >= this.opts.pinLength(node)) {
      this.buffers.delete(node);
      return { state: 'submitted', result: this.submit(node, digits) };
    }
    const timer = setTimeout(() => {
      const lost = this.buffers.get(node);
      this.buffers.delete(node);
      if (lost) this.opts.onTimeout?.(node, lost.digits.length);
    }, this.timeoutMs);
    timer.unref();
    this.buffers.set(node, { digits, timer });
    return { state: 'buffered', count: digits.length };
  }

  private take(node: number): string {
    const b = this.buffers.get(node);
    if (!b) return '';
    clearTimeout(b.timer);
    this.buffers.delete(node);
    return b.digits;
  }

  private forget(node: number): void {
    this.take(node);
  }

  /** Forgets every buffer (daemon shutdown). */
  close(): void {
    for (const node of [...this.buffers.keys()]) this.forget(node);
  }
}
