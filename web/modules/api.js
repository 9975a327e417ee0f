// @ts-check
/**
 * The daemon's HTTP API as the page uses it: one method per request, each with its answer's type.
 * Every request sends the session cookie and is never cached; every POST carries the CSRF header,
 * which a form on another site cannot send.
 */
import { CSRF_HEADER } from './vocabulary.js';

/** @import { ApiErrorBody, AuditHistory, DigitAnswer, LoginAnswer, LogoutAnswer, OutcomeAnswer, Overview, SessionAnswer } from './vocabulary.js' */

/**
 * An answer: its HTTP status (0 when the daemon could not be reached) and its body, which is the
 * route's own or, on a refusal, an error.
 * @template T
 * @typedef {{ status: number, data: T | ApiErrorBody }} Answer
 */

export class Api {
  /** @type {() => void} */
  #onSignedOut;

  /** @param {() => void} onSignedOut called when a request is refused for want of a login */
  constructor(onSignedOut) {
    this.#onSignedOut = onSignedOut;
  }

  session() {
    return /** @type {Promise<Answer<SessionAnswer>>} */ (this.#request('/api/session'));
  }

  overview() {
    return /** @type {Promise<Answer<Overview>>} */ (this.#request('/api/overview'));
  }

  /**
   * The last `limit` audit entries, oldest first; only security events with `event`.
   * @param {number} limit
   * @param {'security'} [event]
   */
  audit(limit, event) {
    const path = `/api/audit?limit=${limit}${event === undefined ? '' : `&event=${event}`}`;
    return /** @type {Promise<Answer<AuditHistory>>} */ (this.#request(path));
  }

  /**
   * One key of a PIN entry, as the daemon takes it (its own submit and clear keys included).
   * @param {number} node
   * @param {string} key
   */
  digit(node, key) {
    return /** @type {Promise<Answer<DigitAnswer>>} */ (this.#request(`/api/nodes/${node}/digits`, 'POST', { digit: key }));
  }

  /**
   * Locks a node's lock (no PIN needed).
   * @param {number} node
   */
  lock(node) {
    return /** @type {Promise<Answer<OutcomeAnswer>>} */ (this.#request(`/api/nodes/${node}/lock`, 'POST', {}));
  }

  /** @param {string} token */
  login(token) {
    return /** @type {Promise<Answer<LoginAnswer>>} */ (this.#request('/login', 'POST', { token }));
  }

  /**
   * Signs in with a login link's one-time code (from `myseal login-link`).
   * @param {string} code
   */
  loginWithCode(code) {
    return /** @type {Promise<Answer<LoginAnswer>>} */ (this.#request('/login', 'POST', { code }));
  }

  logout() {
    return /** @type {Promise<Answer<LogoutAnswer>>} */ (this.#request('/logout', 'POST'));
  }

  /**
   * @param {string} path
   * @param {'GET' | 'POST'} [method]
   * @param {unknown} [body]
   * @returns {Promise<Answer<unknown>>} the route's answer; each method above states its type
   */
  async #request(path, method = 'GET', body = undefined) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    /** @type {RequestInit} */
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') headers[CSRF_HEADER] = '1';
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch {
      return { status: 0, data: { error: 'NETWORK', message: 'the daemon cannot be reached' } };
    }
    let data;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (res.status === 401 && path !== '/login') this.#onSignedOut();
    return { status: res.status, data: data ?? { error: 'NOT_JSON' } };
  }
}
