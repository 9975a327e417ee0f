// @ts-check
/**
 * Signing in with the API token, or with a login link, and out again. The token goes to the daemon
 * once, in the login request, and buys an HttpOnly session cookie; the page never keeps it.
 *
 * A login link (`myseal login-link`) is this page with a one-time code in its fragment,
 * `/#login=CODE`: a fragment is never sent to the server nor in a Referer, so the code is in no log;
 * the page takes it out of the address bar and the history before anything else, then spends it.
 */
import { LOGIN_LINK_FRAGMENT } from './vocabulary.js';

/** @import { Api } from './api.js' */

/**
 * @typedef {object} SignInElements
 * @property {HTMLFormElement} form
 * @property {HTMLInputElement} token
 * @property {HTMLElement} error what went wrong with the last try
 * @property {HTMLButtonElement} logout the "Sign out" button
 */

export class SignIn {
  /** @type {SignInElements} */
  #ui;

  /**
   * @param {SignInElements} ui
   * @param {Api} api
   * @param {{ signedIn: () => Promise<void>, signedOut: () => void }} on
   */
  constructor(ui, api, on) {
    this.#ui = ui;
    ui.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const button = ui.form.querySelector('button');
      if (button) button.disabled = true;
      ui.error.textContent = '';
      const r = await api.login(ui.token.value);
      if (button) button.disabled = false;
      if (r.status === 200) {
        ui.token.value = '';
        await on.signedIn();
        return;
      }
      ui.token.select();
      const refusal = 'error' in r.data ? r.data : undefined;
      if (r.status === 401) ui.error.textContent = 'That is not the API token.';
      else if (r.status === 429) ui.error.textContent = `Too many tries: wait ${refusal?.retryAfter ?? 60} s.`;
      else ui.error.textContent = refusal?.message ?? `Sign-in failed (HTTP ${r.status}).`;
    });
    ui.logout.addEventListener('click', async () => {
      await api.logout();
      on.signedOut();
    });
  }

  /** Ready for the token. */
  focus() {
    this.#ui.token.focus();
  }

  /**
   * Why the login form shows although a login link was opened.
   * @param {string} text
   */
  linkRefused(text) {
    this.#ui.error.textContent = text;
  }
}

/**
 * The one-time code of a login link this page was opened with, or null; gone from the address
 * bar and the history once read, so a bookmark, a reload or a shared screenshot cannot carry it.
 */
export function takeLoginCode() {
  const { location, history } = window;
  const field = location.hash
    .slice(1)
    .split('&')
    .map((pair) => pair.split('='))
    .find(([name]) => name === LOGIN_LINK_FRAGMENT);
  if (field === undefined) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  // base64url needs no decoding; anything else is not a code, and the daemon says so.
  return field[1] ?? '';
}
