// @ts-check
/**
 * MySeal's web page: a PIN keypad, the node list, the audit log and security events, live over
 * Server-Sent Events. Plain JavaScript modules, type-checked against the daemon's own vocabulary
 * (src/edges/web/vocabulary.ts), no build step, nothing loaded from elsewhere.
 *
 * This module puts the page together: each part in modules/ owns its elements and its state, and
 * gets what it needs from here; the sign-in decides which view shows.
 */
import { Api } from './modules/api.js';
import { AuditList } from './modules/audit-list.js';
import { ServerClock } from './modules/clock.js';
import { byId } from './modules/dom.js';
import { EventStream } from './modules/event-stream.js';
import { Keypad } from './modules/keypad.js';
import { NodeList } from './modules/node-list.js';
import { SignIn, takeLoginCode } from './modules/sign-in.js';
import { Site } from './modules/site.js';

/** @import { RequestAuth } from './modules/vocabulary.js' */

/** The overview is fetched again this often, besides the live events (a missed event heals). */
const POLL_MS = 15_000;
/** Countdowns and relative times move on this often, all from one timer so they agree. */
const TICK_MS = 500;
/** Security events come in bursts: the counters are fetched once the burst is over. */
const REFRESH_DELAY_MS = 300;

function main() {
  const views = {
    loading: byId('loading', HTMLElement),
    app: byId('app', HTMLElement),
    login: byId('login', HTMLElement),
    logout: byId('logout', HTMLButtonElement),
    gateway: byId('gateway', HTMLElement),
  };
  const clock = new ServerClock();
  const site = new Site(clock);
  const api = new Api(() => showLogin());
  const keypad = new Keypad(
    {
      picker: byId('node', HTMLSelectElement),
      lockLine: byId('lock-line', HTMLElement),
      result: byId('result', HTMLElement),
      dots: byId('dots', HTMLElement),
      keys: byId('keys', HTMLElement),
      lockButton: byId('lock-button', HTMLButtonElement),
      unlockButton: byId('unlock-button', HTMLButtonElement),
      lockout: byId('lockout', HTMLElement),
    },
    api,
    site,
    () => void loadOverview(),
  );
  const nodeList = new NodeList({ nodes: byId('nodes', HTMLElement), gateway: views.gateway, counters: byId('counters', HTMLElement) }, site);
  const auditList = new AuditList(
    {
      audit: byId('audit', HTMLElement),
      auditEmpty: byId('audit-empty', HTMLElement),
      security: byId('security', HTMLElement),
      securityEmpty: byId('security-empty', HTMLElement),
      showDigits: byId('show-digits', HTMLInputElement),
    },
    site,
  );
  const stream = new EventStream(byId('live', HTMLElement), api, {
    audit(e) {
      auditList.add(e, true);
      if (e.event === 'security') refreshSoon();
      if (e.event === 'digit' && e.result === 'timeout' && e.node !== undefined) keypad.entryTimedOut(e.node);
    },
    node(x) {
      const pickerChanged = site.applyNode(x);
      nodeList.render();
      if (pickerChanged) keypad.renderPicker();
      keypad.renderLockLine();
    },
    reconnected() {
      void loadOverview();
      void auditList.loadHistory(api);
    },
    signedOut: () => showLogin(),
  });
  const signIn = new SignIn(
    { form: byId('login-form', HTMLFormElement), token: byId('token', HTMLInputElement), error: byId('login-error', HTMLElement), logout: views.logout },
    api,
    { signedIn: () => start('session'), signedOut: () => showLogin() },
  );

  /** The app is showing and fed (between a sign-in and a sign-out). */
  let started = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let refreshTimer = null;

  async function loadOverview() {
    const r = await api.overview();
    if (r.status !== 200 || 'error' in r.data) return;
    site.applyOverview(r.data);
    nodeList.renderGateway();
    nodeList.renderCounters();
    nodeList.render();
    keypad.renderPicker();
    keypad.renderLockLine();
  }

  function refreshSoon() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void loadOverview();
    }, REFRESH_DELAY_MS);
  }

  function showLogin() {
    stream.close();
    started = false;
    views.loading.hidden = true;
    views.app.hidden = true;
    views.logout.hidden = true;
    views.gateway.hidden = true;
    views.login.hidden = false;
    signIn.focus();
  }

  /** @param {RequestAuth} via how the daemon let the page in: only a session can be signed out of */
  async function start(via) {
    views.loading.hidden = true;
    views.login.hidden = true;
    views.app.hidden = false;
    views.logout.hidden = via !== 'session';
    if (started) return;
    started = true;
    auditList.clear();
    stream.open();
    await loadOverview();
    await auditList.loadHistory(api);
  }

  document.addEventListener('keydown', (ev) => {
    if (!views.app.hidden) keypad.onKeyDown(ev);
  });
  setInterval(() => {
    keypad.tick();
    nodeList.tick();
  }, TICK_MS);
  setInterval(() => {
    if (started && !document.hidden) void loadOverview();
  }, POLL_MS);

  void (async () => {
    const code = takeLoginCode();
    if (code !== null) {
      const r = await api.loginWithCode(code);
      if (r.status === 200) return start('session');
      const refusal = 'error' in r.data ? r.data : undefined;
      if (refusal?.error === 'LINK_REFUSED') signIn.linkRefused('This login link is used up or expired: make a new one with myseal login-link, or sign in with the token.');
      else signIn.linkRefused(`The login link was refused (${refusal?.message ?? `HTTP ${r.status}`}).`);
    }
    const s = await api.session();
    if (s.status === 200 && 'authenticated' in s.data && s.data.authenticated) await start(s.data.via);
    else if (s.status === 200 || s.status === 401) showLogin();
    else views.loading.textContent = ('message' in s.data ? s.data.message : undefined) ?? 'The daemon cannot be reached.';
  })();
}

main();
