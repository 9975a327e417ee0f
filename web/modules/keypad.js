// @ts-check
/**
 * The PIN keypad: the lock picker, the lock's line, the dots, the keys, and the answer panel.
 *
 * Keys go to the daemon one at a time, in order (POST /api/nodes/N/digits): the daemon keeps the
 * buffer, fetches the lock's challenge at the first digit and submits at the PIN length or Enter.
 * The page shows only how many digits were typed, never which.
 */
import { el } from './dom.js';
import { ResultPanel } from './result-panel.js';
import { plural } from './words.js';
import { PIN_MIN_DIGITS } from './vocabulary.js';

/** @import { Api } from './api.js' */
/** @import { Site } from './site.js' */
/** @import { NodeSummary } from './vocabulary.js' */

/** Where the lock last picked on this device is remembered. */
const REMEMBERED_NODE = 'myseal.node';

/**
 * @typedef {object} KeypadElements
 * @property {HTMLSelectElement} picker the lock picker
 * @property {HTMLElement} lockLine the picked lock's state
 * @property {HTMLElement} result the answer panel
 * @property {HTMLElement} dots one dot per digit typed
 * @property {HTMLElement} keys the key buttons, each with data-key
 */

export class Keypad {
  /** @type {KeypadElements} */
  #ui;
  /** @type {Api} */
  #api;
  /** @type {Site} */
  #site;
  /** @type {ResultPanel} */
  #panel;
  /** @type {number | null} the picked lock's node id */
  #selected = null;
  /** digits typed in this entry, as far as the page knows */
  #typed = 0;
  /** keys sent and not yet answered */
  #inFlight = 0;
  /** a PIN was submitted and its answer is awaited */
  #busy = false;
  /** @type {Promise<unknown>} the keys' queue: the daemon's buffer must see them as pressed */
  #queue = Promise.resolve();

  /**
   * @param {KeypadElements} ui
   * @param {Api} api
   * @param {Site} site
   */
  constructor(ui, api, site) {
    this.#ui = ui;
    this.#api = api;
    this.#site = site;
    this.#panel = new ResultPanel(ui.result, site.clock, () => this.#typed === 0 && !this.#busy);
    ui.keys.addEventListener('click', (ev) => {
      const b = ev.target instanceof Element ? ev.target.closest('button[data-key]') : null;
      if (b instanceof HTMLButtonElement && !b.disabled && b.dataset.key !== undefined) this.press(b.dataset.key);
    });
    ui.picker.addEventListener('change', () => {
      this.#selected = Number(ui.picker.value);
      localStorage.setItem(REMEMBERED_NODE, String(this.#selected));
      this.#onSelected();
    });
  }

  /**
   * A key pressed: a digit, '*' (clear) or '#' (enter).
   * @param {string} key
   */
  press(key) {
    const n = this.#selectedNode();
    // While the lock is checking a PIN, keys wait: the next entry starts once the answer is shown.
    if (!n || this.#busy) return;
    this.#flash(key);
    if (key === '*') {
      this.#typed = 0;
      this.#panel.show('idle', 'Enter PIN');
    } else if (key === '#') {
      if (this.#typed === 0) return;
      this.#busy = true;
      this.#panel.show('busy', 'Checking…');
    } else {
      // A lockout stays on screen while it lasts; the lock will say so again if asked.
      if (this.#typed === 0 && !this.#panel.countingDown) this.#panel.show('idle', 'Enter PIN');
      this.#typed += 1;
      if (this.#typed >= n.pinLength) {
        this.#busy = true;
        this.#panel.show('busy', 'Checking…');
      }
    }
    this.#renderDots();
    this.#inFlight += 1;
    // Enter and Clear are whatever keys the daemon is configured to take for them (# and * by default).
    const wire = key === '#' ? n.submitKey : key === '*' ? n.clearKey : key;
    const node = n.node;
    this.#queue = this.#queue.then(() => this.#send(node, wire)).catch(() => undefined);
  }

  /**
   * The keyboard as a keypad: digits, Enter submits, Escape (or *, Backspace, Delete) clears.
   * Keys typed into a form field, or with a modifier, are the field's or the browser's.
   * @param {KeyboardEvent} ev
   */
  onKeyDown(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t instanceof Element && t.closest('input, select, textarea')) return;
    if (/^[0-9]$/.test(ev.key)) this.press(ev.key);
    else if (ev.key === '*' || ev.key === 'Escape' || ev.key === 'Backspace' || ev.key === 'Delete') this.press('*');
    else if (ev.key === '#') this.press('#');
    else if (ev.key === 'Enter') {
      if (t instanceof HTMLButtonElement) return; // Enter on a focused button presses that button
      this.press('#');
    } else return;
    ev.preventDefault();
  }

  /**
   * The daemon forgot a node's entry after a pause (a `digit` event with result timeout).
   * @param {number} node
   */
  entryTimedOut(node) {
    if (node !== this.#selected || this.#inFlight !== 0 || this.#typed === 0) return;
    this.#typed = 0;
    this.#renderDots();
    this.#panel.show('idle', 'Too slow', 'start again');
  }

  /** The picker lists the site's locks; with none, the keys are off. */
  renderPicker() {
    const locks = this.#site.locks();
    const picker = this.#ui.picker;
    const current = [...picker.options].map((o) => o.value).join(',');
    const wanted = locks.map((x) => String(x.node)).join(',');
    if (current !== wanted || locks.some((x, i) => picker.options[i]?.textContent !== optionText(x))) {
      picker.replaceChildren(...locks.map((x) => el('option', { value: x.node, text: optionText(x) })));
    }
    const first = locks[0];
    if (first === undefined) {
      this.#selected = null;
      picker.disabled = true;
      this.#setKeysEnabled(false);
      this.#panel.show('idle', 'No lock configured');
      return;
    }
    picker.disabled = false;
    this.#setKeysEnabled(true);
    if (this.#selected === null || !locks.some((x) => x.node === this.#selected)) {
      const remembered = Number(localStorage.getItem(REMEMBERED_NODE));
      this.#selected = locks.some((x) => x.node === remembered) ? remembered : first.node;
      this.#onSelected();
    }
    picker.value = String(this.#selected);
  }

  /** The picked lock's bolt, whether it is online, and its lockout or attempts left. */
  renderLockLine() {
    const x = this.#selectedNode();
    if (!x) {
      this.#ui.lockLine.replaceChildren();
      return;
    }
    const parts = [];
    if (x.locked === true) parts.push(el('span', { class: 'state-locked', text: 'Locked' }));
    else if (x.locked === false) parts.push(el('span', { class: 'state-unlocked', text: 'Unlocked' }));
    else parts.push(el('span', { text: 'State unknown' }));
    parts.push(el('span', { text: this.#site.isOnline(x) ? 'online' : 'offline' }));
    const lockout = this.#site.clock.secondsUntil(x.lockoutUntil);
    // While the answer panel counts the lockout down, the line does not repeat it.
    if (lockout > 0) {
      if (!this.#panel.countingDown) parts.push(el('span', { text: `locked out ${lockout} s` }));
    } else if (x.attemptsLeft !== null && x.attemptsLeft !== undefined) parts.push(el('span', { text: `${plural(x.attemptsLeft, 'attempt')} left` }));
    this.#ui.lockLine.replaceChildren(...parts);
  }

  /** The next second of a lockout, on the panel and the lock's line. */
  tick() {
    this.#panel.tick();
    this.renderLockLine();
  }

  /**
   * @param {number} node
   * @param {string} key
   */
  async #send(node, key) {
    const r = await this.#api.digit(node, key);
    this.#inFlight -= 1;
    const d = r.data;
    // Anything but a key taken or a clear ends the entry: the answer, or a refusal.
    if (!('state' in d)) this.#busy = false;
    if (node !== this.#selected) return;
    if ('state' in d) {
      if (this.#inFlight === 0) this.#typed = d.state === 'buffered' ? d.count : 0;
    } else if ('result' in d && typeof d.result === 'string') {
      this.#typed = 0;
      this.#panel.outcome(d, this.#site.nodes.get(d.node)?.lockoutUntil);
    } else {
      this.#typed = 0;
      this.#panel.error(r.status, 'error' in d ? d : { error: 'UNKNOWN' });
    }
    this.#renderDots();
  }

  #selectedNode() {
    return this.#selected === null ? undefined : this.#site.nodes.get(this.#selected);
  }

  #onSelected() {
    this.#typed = 0;
    this.#renderDots();
    const x = this.#selectedNode();
    if (x && x.lockoutUntil && this.#site.clock.secondsUntil(x.lockoutUntil) > 0) this.#panel.lockout(x.lockoutUntil);
    else this.#panel.show('idle', 'Enter PIN');
    this.renderLockLine();
  }

  #renderDots() {
    const n = this.#selectedNode();
    const slots = Math.max(n?.pinLength ?? PIN_MIN_DIGITS, this.#typed);
    const dots = [];
    for (let i = 0; i < slots; i++) dots.push(el('span', { class: i < this.#typed ? 'dot-slot filled' : 'dot-slot' }));
    this.#ui.dots.replaceChildren(...dots);
    this.#ui.dots.setAttribute('aria-label', this.#typed === 0 ? 'No digits entered' : `${plural(this.#typed, 'digit')} entered`);
  }

  /** @param {string} key */
  #flash(key) {
    const b = this.#ui.keys.querySelector(`[data-key="${key === '*' || key === '#' ? key : Number(key)}"]`);
    if (!b) return;
    b.classList.add('pressed');
    setTimeout(() => b.classList.remove('pressed'), 120);
  }

  /** @param {boolean} on */
  #setKeysEnabled(on) {
    for (const b of this.#ui.keys.querySelectorAll('button')) b.disabled = !on;
  }
}

/** @param {NodeSummary} x */
function optionText(x) {
  return x.name ? `${x.name} (node ${x.node})` : `Node ${x.node}`;
}
