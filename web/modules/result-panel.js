// @ts-check
/**
 * The keypad's answer panel: "Enter PIN", "Checking…", what the lock answered, or a lockout
 * counted down to the second. An answer stays RESULT_MS, then the panel is ready for the next entry
 * (a wall tablet must not say "Unlocked" for hours).
 */
import { el } from './dom.js';
import { labelOf, plural } from './words.js';
import { OUTCOME_LABELS, PIN_MIN_DIGITS } from './vocabulary.js';

/** @import { ApiErrorBody, OutcomeAnswer, Tone } from './vocabulary.js' */
/** @import { ServerClock } from './clock.js' */

/** How long an answer stays before the panel goes back to "Enter PIN". */
export const RESULT_MS = 30_000;

/** @typedef {Tone | 'idle' | 'busy'} PanelTone */

export class ResultPanel {
  /** @type {HTMLElement} */
  #box;
  /** @type {ServerClock} */
  #clock;
  /** @type {() => boolean} */
  #entryIdle;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #timer = null;
  /** @type {number | null} the lockout deadline counted down to (server clock) */
  #countdown = null;

  /**
   * @param {HTMLElement} box
   * @param {ServerClock} clock
   * @param {() => boolean} entryIdle nothing typed or awaited: an old answer may give way to "Enter PIN"
   */
  constructor(box, clock, entryIdle) {
    this.#box = box;
    this.#clock = clock;
    this.#entryIdle = entryIdle;
  }

  /** A lockout is being counted down. */
  get countingDown() {
    return this.#countdown !== null;
  }

  /** The deadline of the lockout counted down (server clock), or null. */
  get countdownUntil() {
    return this.#countdown;
  }

  /**
   * @param {PanelTone} tone
   * @param {string} main
   * @param {string} [sub]
   */
  show(tone, main, sub) {
    this.#countdown = null;
    this.#stopTimer();
    this.#paint(tone, main, sub);
    if (tone === 'ok' || tone === 'warn' || tone === 'bad') {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        if (this.#entryIdle() && this.#countdown === null) this.show('idle', 'Enter PIN');
      }, RESULT_MS);
    }
  }

  /**
   * "Locked out — 55 s", counted down by tick() to "Enter PIN".
   * @param {number} until the deadline, on the server's clock
   */
  lockout(until) {
    this.#stopTimer();
    this.#countdown = until;
    this.tick();
  }

  /** The countdown's next second (the page's one timer calls this). */
  tick() {
    if (this.#countdown === null) return;
    const left = this.#clock.secondsUntil(this.#countdown);
    if (left <= 0) {
      this.show('idle', 'Enter PIN', 'the lockout is over');
      return;
    }
    this.#paint('bad', labelOf(OUTCOME_LABELS, 'locked_out')?.text ?? 'Locked out', `${left} s`);
  }

  /**
   * What the daemon answered to the key that completed (or submitted) the PIN.
   * @param {OutcomeAnswer} r
   * @param {number | null | undefined} knownLockoutUntil the node's lockout deadline as its state last said
   */
  outcome(r, knownLockoutUntil) {
    if (r.result === 'locked_out') {
      // The node's state, sent live just before this answer, holds the same deadline on the server's clock.
      const until = this.#clock.now() + (r.secondsLeft ?? 0) * 1000;
      this.lockout(knownLockoutUntil && Math.abs(knownLockoutUntil - until) < 2000 ? knownLockoutUntil : until);
      return;
    }
    const label = labelOf(OUTCOME_LABELS, r.result);
    if (label === undefined) {
      this.show('bad', 'Failed', r.text ?? r.result ?? '');
    } else if (r.result === 'wrong_pin') {
      this.show(label.tone, label.text, r.attemptsLeft === undefined ? '' : `${plural(r.attemptsLeft, 'attempt')} left`);
    } else {
      this.show(label.tone, label.text, label.sub);
    }
  }

  /**
   * A key the daemon refused, or could not be asked about.
   * @param {number} status
   * @param {ApiErrorBody} data
   */
  error(status, data) {
    if (status === 401) this.show('bad', 'Signed out');
    else if (status === 403) this.show('bad', 'Refused', data.message ?? '');
    else if (data.error === 'BAD_PIN') this.show('warn', 'Too short', `a PIN has at least ${PIN_MIN_DIGITS} digits`);
    else if (data.error === 'NETWORK') this.show('bad', 'Offline', 'the daemon cannot be reached');
    else this.show('bad', 'Failed', data.message ?? `HTTP ${status}`);
  }

  #stopTimer() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * @param {PanelTone} tone
   * @param {string} main
   * @param {string} [sub]
   */
  #paint(tone, main, sub) {
    this.#box.dataset.tone = tone;
    const parts = [el('span', { class: 'result-main', text: main })];
    if (sub) parts.push(el('span', { class: 'result-sep', text: ' — ' }), el('span', { class: 'result-sub', text: sub }));
    this.#box.replaceChildren(...parts);
  }
}
