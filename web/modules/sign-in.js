// @ts-check
/**
 * Signing in with the API token and out again. The token goes to the daemon once, in the login
 * request, and buys an HttpOnly session cookie; the page never keeps it.
 */

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
}
