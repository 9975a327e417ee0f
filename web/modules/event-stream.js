// @ts-check
/**
 * The live feed, /api/events: audit entries as the daemon writes them and node states as they
 * change. The browser reconnects by itself after a dropped connection; a refused one (signed out,
 * or too many streams) is looked into before trying again. The "Live" pill says which it is.
 */

/** @import { Api } from './api.js' */
/** @import { AuditRecord, NodeEvent } from './vocabulary.js' */

/** Wait before finding out why the stream was refused. */
const REFUSED_RETRY_MS = 3000;

/**
 * @typedef {object} StreamHandlers
 * @property {(e: AuditRecord) => void} audit an audit entry, as written
 * @property {(x: NodeEvent) => void} node a node's new state
 * @property {() => void} reconnected back after a break: fetch what was missed
 * @property {() => void} signedOut the stream was refused for want of a login
 */

export class EventStream {
  /** @type {HTMLElement} */
  #pill;
  /** @type {Api} */
  #api;
  /** @type {StreamHandlers} */
  #on;
  /** @type {EventSource | null} */
  #source = null;

  /**
   * @param {HTMLElement} pill the "Live" pill
   * @param {Api} api
   * @param {StreamHandlers} on
   */
  constructor(pill, api, on) {
    this.#pill = pill;
    this.#api = api;
    this.#on = on;
  }

  open() {
    this.close();
    this.#setLive(false, 'Connecting…');
    this.#connect();
  }

  close() {
    this.#source?.close();
    this.#source = null;
    this.#pill.hidden = true;
  }

  #connect() {
    this.#source?.close();
    const es = new EventSource('/api/events');
    this.#source = es;
    let opened = false;
    es.addEventListener('open', () => {
      this.#setLive(true);
      // After a reconnect, fetch what was missed meanwhile (the first time, the page loads it all).
      if (opened) this.#on.reconnected();
      opened = true;
    });
    es.addEventListener('error', () => {
      this.#setLive(false);
      if (es.readyState !== EventSource.CLOSED) return;
      setTimeout(async () => {
        if (this.#source !== es) return;
        const s = await this.#api.session();
        if (this.#source !== es) return;
        if ('authenticated' in s.data && s.data.authenticated) this.#connect();
        else if (s.status === 200) this.#on.signedOut();
      }, REFUSED_RETRY_MS);
    });
    es.addEventListener('audit', (m) => this.#on.audit(JSON.parse(m.data)));
    es.addEventListener('node', (m) => this.#on.node(JSON.parse(m.data)));
  }

  /**
   * @param {boolean} on
   * @param {string} [text]
   */
  #setLive(on, text) {
    this.#pill.hidden = false;
    this.#pill.dataset.tone = on ? 'ok' : 'bad';
    this.#pill.textContent = text ?? (on ? 'Live' : 'Reconnecting…');
  }
}
