// @ts-check
/**
 * The node list, the gateway pill and the refusal counters: what the site holds, drawn. Relative
 * times and lockout seconds are marked (data-ago, data-until) so tick() can count them on without
 * rebuilding the list.
 */
import { el } from './dom.js';
import { nodeLabel } from './site.js';
import { plural, timeOf } from './words.js';

/** @import { Site } from './site.js' */
/** @import { NodeSummary } from './vocabulary.js' */

/**
 * @typedef {object} NodeListElements
 * @property {HTMLElement} nodes the list
 * @property {HTMLElement} gateway the gateway pill
 * @property {HTMLElement} counters the refusal counters
 */

export class NodeList {
  /** @type {NodeListElements} */
  #ui;
  /** @type {Site} */
  #site;

  /**
   * @param {NodeListElements} ui
   * @param {Site} site
   */
  constructor(ui, site) {
    this.#ui = ui;
    this.#site = site;
  }

  render() {
    const items = this.#site.sorted().map((x) => this.#item(x));
    this.#ui.nodes.replaceChildren(...items);
    if (items.length === 0) this.#ui.nodes.append(el('li', { class: 'empty', text: 'No nodes configured or heard yet.' }));
  }

  renderGateway() {
    const g = this.#site.gateway;
    if (!g) return;
    const pill = this.#ui.gateway;
    pill.hidden = false;
    // Connected is the link (over MQTT, the broker); answering is the gateway itself.
    pill.dataset.tone = g.connected && g.answering ? 'ok' : 'bad';
    pill.textContent = !g.connected ? 'Gateway down' : g.answering ? 'Gateway up' : 'Gateway not answering';
    pill.title = g.lastHeard === null ? g.description : `${g.description}, last heard ${timeOf(g.lastHeard)}`;
  }

  renderCounters() {
    const entries = Object.entries(this.#site.counters).sort(([a], [b]) => a.localeCompare(b));
    this.#ui.counters.replaceChildren(
      ...entries.map(([k, v]) => el('span', { class: 'counter', title: 'refused input since the daemon started' }, `${k} `, el('b', { text: `× ${v}` }))),
    );
  }

  /** Relative times and lockout seconds, counted on; the list is redrawn only when a lockout ends. */
  tick() {
    const clock = this.#site.clock;
    for (const e of this.#ui.nodes.querySelectorAll('[data-ago]')) {
      const v = e.getAttribute('data-ago');
      e.textContent = `seen ${clock.ago(v === '' || v === null ? null : Number(v))}`;
    }
    let expired = false;
    for (const e of this.#ui.nodes.querySelectorAll('[data-until]')) {
      const left = clock.secondsUntil(Number(e.getAttribute('data-until')));
      if (left <= 0) expired = true;
      e.textContent = `locked out ${left} s`;
    }
    if (expired) this.render();
  }

  /** @param {NodeSummary} x */
  #item(x) {
    const clock = this.#site.clock;
    const online = this.#site.isOnline(x);
    const lockout = clock.secondsUntil(x.lockoutUntil);
    let badge;
    if (!x.sealed) badge = el('span', { class: 'badge', text: x.lock ? 'Not sealed' : 'Plain' });
    else if (lockout > 0) badge = el('span', { class: 'badge lockout', text: 'Locked out' });
    else if (x.locked === true) badge = el('span', { class: 'badge locked', text: 'Locked' });
    else if (x.locked === false) badge = el('span', { class: 'badge unlocked', text: 'Unlocked' });
    else badge = el('span', { class: 'badge', text: 'Unknown' });

    const meta = [
      el('span', { text: online ? 'Online' : 'Offline' }),
      el('span', { 'data-ago': x.heardAt ?? '', text: `seen ${clock.ago(x.heardAt)}` }),
    ];
    if (lockout > 0) meta.push(el('span', { class: 'bad', 'data-until': x.lockoutUntil, text: `locked out ${lockout} s` }));
    else if (x.attemptsLeft !== null && x.attemptsLeft !== undefined) {
      meta.push(el('span', { class: x.attemptsLeft <= 2 ? 'warn' : null, text: `${plural(x.attemptsLeft, 'attempt')} left` }));
    }
    if (x.pendingCommands) meta.push(el('span', { text: `${x.pendingCommands} queued` }));

    const children = [
      el(
        'div',
        { class: 'node-head' },
        el('span', { class: online ? 'online-dot on' : 'online-dot', title: online ? 'online' : 'offline' }),
        el('span', { class: 'node-name', text: nodeLabel(x) }),
        x.name ? el('span', { class: 'node-id', text: `#${x.node}` }) : null,
        badge,
      ),
      el('div', { class: 'node-meta' }, ...meta),
    ];
    if (x.counts) {
      const c = x.counts;
      /**
       * @param {string} label
       * @param {number} value
       * @param {boolean} [alert] highlighted when not zero
       */
      const cell = (label, value, alert = false) =>
        el('div', { class: alert && value > 0 ? 'alert' : null }, el('dt', { text: label }), el('dd', { text: String(value) }));
      children.push(
        el(
          'dl',
          { class: 'counts', 'aria-label': 'Frame counters' },
          cell('Commands', c.commands),
          cell('Results', c.results),
          cell('Reports', c.reports),
          cell('Rejected', c.rejected, true),
          cell('Timeouts', c.timeouts, true),
        ),
      );
    }
    return el('li', { class: 'node', 'data-node': x.node }, ...children);
  }
}
