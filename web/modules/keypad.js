// @ts-check
/**
 * The PIN keypad: the lock picker, the lock's line, the dots, the keys, Lock and Unlock, and the
 * answer panel.
 *
 * Keys go to the daemon one at a time, in order (POST /api/nodes/N/digits): the daemon keeps the
 * buffer, fetches the lock's challenge at the first digit and submits at the PIN length or Enter
 * (Unlock is Enter). The page shows only how many digits were typed, never which.
 *
 * While the lock is locked out, the keys and Unlock are off and a countdown says for how long: the
 * deadline is the daemon's (the node's state, or the locked_out answer), never the page's guess, and
 * when it runs out the page asks the daemon again (onLockoutOver). A key pressed meanwhile is
 * dropped, not queued for later. Lock needs no PIN and works throughout.
 */
import { el } from './dom.js';
import { ResultPanel } from './result-panel.js';
import { plural } from './words.js';
import { PIN_MIN_DIGITS } from './vocabulary.js';

/** @import { Api } from './api.js' */
/** @import { Site } from './site.js' */
/** @import { ApiErrorBody, NodeSummary, OutcomeAnswer } from './vocabulary.js' */

/** Where the lock last picked on this device is remembered. */
const REMEMBERED_NODE = 'myseal.node';

/**
 * @typedef {object} KeypadElements
 * @property {HTMLSelectElement} picker the lock picker
 * @property {HTMLElement} lockLine the picked lock's state
 * @property {HTMLElement} result the answer panel
 * @property {HTMLElement} dots one dot per digit typed
 * @property {HTMLElement} keys the key buttons, each with data-key
 * @property {HTMLButtonElement} lockButton
 * @property {HTMLButtonElement} unlockButton submits the digits typed, like Enter
 * @property {HTMLElement} lockout the lockout's countdown, shown while it lasts
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
  /** @type {{ node: number, until: number } | null} the last locked_out answer's deadline (server clock) */
  #answeredLockout = null;
  /** the keys were off for a lockout at the last render */
  #wasLockedOut = false;
  /** @type {() => void} */
  #onLockoutOver;

  /**
   * @param {KeypadElements} ui
   * @param {Api} api
   * @param {Site} site
   * @param {() => void} onLockoutOver the countdown reached 0: the daemon is asked for the lock's state again
   */
  constructor(ui, api, site, onLockoutOver) {
    this.#ui = ui;
    this.#api = api;
    this.#site = site;
    this.#onLockoutOver = onLockoutOver;
    this.#panel = new ResultPanel(ui.result, site.clock, () => this.#typed === 0 && !this.#busy);
    ui.keys.addEventListener('click', (ev) => {
      const b = ev.target instanceof Element ? ev.target.closest('button[data-key]') : null;
      if (b instanceof HTMLButtonElement && !b.disabled && b.dataset.key !== undefined) this.press(b.dataset.key);
    });
    ui.unlockButton.addEventListener('click', () => this.press('#'));
    ui.lockButton.addEventListener('click', () => void this.lock());
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
    // During a lockout a key is dropped: queued, it would go out (and count) the moment it ends.
    if (!n || this.#busy || this.#lockoutSeconds() > 0) return;
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

  /** Locks the picked lock (no PIN needed); the answer shows like an unlock's. */
  async lock() {
    const n = this.#selectedNode();
    if (!n || this.#busy) return;
    this.#busy = true;
    this.#panel.show('busy', 'Locking…');
    this.#renderControls();
    const r = await this.#api.lock(n.node);
    this.#busy = false;
    if (n.node === this.#selected) this.#showAnswer(r.status, r.data);
    this.#renderControls();
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
      this.#panel.show('idle', 'No lock configured');
      this.#renderControls();
      return;
    }
    picker.disabled = false;
    if (this.#selected === null || !locks.some((x) => x.node === this.#selected)) {
      const remembered = Number(localStorage.getItem(REMEMBERED_NODE));
      this.#selected = locks.some((x) => x.node === remembered) ? remembered : first.node;
      this.#onSelected();
    }
    picker.value = String(this.#selected);
    this.#renderControls();
  }

  /** The picked lock's bolt, whether it is online, and its lockout or attempts left. */
  renderLockLine() {
    const x = this.#selectedNode();
    this.#renderControls();
    if (!x) {
      this.#ui.lockLine.replaceChildren();
      return;
    }
    const parts = [];
    if (x.locked === true) parts.push(el('span', { class: 'state-locked', text: 'Locked' }));
    else if (x.locked === false) parts.push(el('span', { class: 'state-unlocked', text: 'Unlocked' }));
    else parts.push(el('span', { text: 'State unknown' }));
    parts.push(el('span', { text: this.#site.isOnline(x) ? 'online' : 'offline' }));
    // A lockout is counted down over the keys (#renderControls): the line does not repeat it.
    if (this.#lockoutSeconds() === 0 && x.attemptsLeft !== null && x.attemptsLeft !== undefined) parts.push(el('span', { text: `${plural(x.attemptsLeft, 'attempt')} left` }));
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
    } else {
      this.#typed = 0;
      this.#showAnswer(r.status, d);
    }
    this.#renderDots();
  }

  /**
   * The daemon's answer to a submitted PIN or a lock, on the panel; a lockout is remembered until
   * the node's state catches up.
   * @param {number} status
   * @param {OutcomeAnswer | ApiErrorBody} d
   */
  #showAnswer(status, d) {
    if ('result' in d && typeof d.result === 'string') {
      const known = this.#site.nodes.get(d.node)?.lockoutUntil;
      this.#panel.outcome(d, known);
      if (d.result === 'locked_out') this.#answeredLockout = { node: d.node, until: this.#panel.countdownUntil ?? this.#site.clock.now() + (d.secondsLeft ?? 0) * 1000 };
    } else {
      this.#panel.error(status, 'error' in d ? d : { error: 'UNKNOWN' });
    }
  }

  /** Whole seconds the picked lock is still locked out, by the daemon's figures; 0 when it is not. */
  #lockoutSeconds() {
    const x = this.#selectedNode();
    if (!x) return 0;
    const answered = this.#answeredLockout?.node === x.node ? this.#answeredLockout.until : 0;
    return this.#site.clock.secondsUntil(Math.max(x.lockoutUntil ?? 0, answered));
  }

  /** Keys, Unlock and Lock on or off, and the lockout's countdown; asks again when a lockout ends. */
  #renderControls() {
    const n = this.#selectedNode();
    const left = this.#lockoutSeconds();
    const keysOn = n !== undefined && left === 0;
    for (const b of this.#ui.keys.querySelectorAll('button')) b.disabled = !keysOn;
    this.#ui.unlockButton.disabled = !keysOn || this.#busy || this.#typed === 0;
    this.#ui.lockButton.disabled = n === undefined || this.#busy;
    this.#ui.lockout.hidden = left === 0;
    this.#ui.lockout.textContent = left === 0 ? '' : `Keys off: locked out for ${left} s`;
    if (this.#wasLockedOut && left === 0) this.#onLockoutOver();
    this.#wasLockedOut = left > 0;
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
    this.#renderControls();
  }

  /** @param {string} key */
  #flash(key) {
    const b = this.#ui.keys.querySelector(`[data-key="${key === '*' || key === '#' ? key : Number(key)}"]`);
    if (!b) return;
    b.classList.add('pressed');
    setTimeout(() => b.classList.remove('pressed'), 120);
  }
}

/** @param {NodeSummary} x */
function optionText(x) {
  return x.name ? `${x.name} (node ${x.node})` : `Node ${x.node}`;
}
