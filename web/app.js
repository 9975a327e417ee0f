/* global document, window, fetch, EventSource, localStorage, setTimeout, clearTimeout, setInterval */
/**
 * MySeal's web page: a PIN keypad, the node list, the audit log and security events, live over
 * Server-Sent Events. Plain JavaScript, no build step, nothing loaded from elsewhere.
 *
 * Digits go to the daemon one at a time (POST /api/nodes/N/digits {"digit":"d"}): it keeps the
 * buffer, fetches the lock's challenge at the first digit and submits at the PIN length or '#'.
 * The page shows only how many digits were typed, never which.
 */

const $ = (id) => document.getElementById(id);

const ui = {
  loading: $('loading'),
  app: $('app'),
  login: $('login'),
  loginForm: $('login-form'),
  token: $('token'),
  loginError: $('login-error'),
  logout: $('logout'),
  gateway: $('gateway'),
  live: $('live'),
  node: $('node'),
  lockLine: $('lock-line'),
  result: $('result'),
  dots: $('dots'),
  keys: $('keys'),
  nodes: $('nodes'),
  counters: $('counters'),
  security: $('security'),
  securityEmpty: $('security-empty'),
  audit: $('audit'),
  auditEmpty: $('audit-empty'),
  showDigits: $('show-digits'),
};

const AUDIT_ROWS = 150;
const SECURITY_ROWS = 20;
const POLL_MS = 15_000;

const state = {
  /** node id -> summary from /api/overview or a `node` event */
  nodes: new Map(),
  counters: {},
  gateway: null,
  onlineWindowMs: 300_000,
  /** the lockout deadline the result panel counts down to, or null */
  countdown: null,
  /** server clock minus ours, so lockout deadlines count down right */
  offset: 0,
  selected: null,
  typed: 0,
  inFlight: 0,
  /** a PIN was submitted and its answer is awaited */
  busy: false,
  queue: Promise.resolve(),
  events: null,
  started: false,
  seen: new Set(),
};

// ---- the API ----------------------------------------------------------------------------------

async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') headers['x-myseal'] = '1'; // the CSRF check: a cross-site form cannot send it
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
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (res.status === 401 && path !== '/login') showLogin();
  return { status: res.status, data: data ?? {} };
}

// ---- small helpers ------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function serverNow() {
  return Date.now() + state.offset;
}

function ago(ms) {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((serverNow() - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

function secondsUntil(ms) {
  if (!ms) return 0;
  return Math.max(0, Math.ceil((ms - serverNow()) / 1000));
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function nodeLabel(n) {
  return n.name ? n.name : `Node ${n.node}`;
}

function timeOf(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function isOnline(n) {
  return n.heardAt !== null && n.heardAt !== undefined && serverNow() - n.heardAt <= state.onlineWindowMs;
}

// ---- the result panel ----------------------------------------------------------------------------

/** An answer stays this long, then the keypad is ready again (a wall tablet must not say "Unlocked" for hours). */
const RESULT_MS = 30_000;
let resultTimer = null;

function setResult(tone, main, sub) {
  stopCountdown();
  if (resultTimer !== null) clearTimeout(resultTimer);
  resultTimer = null;
  ui.result.dataset.tone = tone;
  const parts = [el('span', { class: 'result-main', text: main })];
  if (sub) parts.push(el('span', { class: 'result-sep', text: ' — ' }), el('span', { class: 'result-sub', text: sub }));
  ui.result.replaceChildren(...parts);
  if (tone === 'ok' || tone === 'warn' || tone === 'bad') {
    resultTimer = setTimeout(() => {
      resultTimer = null;
      if (state.typed === 0 && !state.busy && state.countdown === null) setResult('idle', 'Enter PIN');
    }, RESULT_MS);
  }
}

function stopCountdown() {
  state.countdown = null;
}

/** "Locked out — 55 s", counted down by the page's one timer (tick), to "Enter PIN". */
function showLockout(untilMs) {
  stopCountdown();
  if (resultTimer !== null) clearTimeout(resultTimer);
  resultTimer = null;
  state.countdown = untilMs;
  renderCountdown();
}

function renderCountdown() {
  if (state.countdown === null) return;
  const left = secondsUntil(state.countdown);
  if (left <= 0) {
    setResult('idle', 'Enter PIN', 'the lockout is over');
    return;
  }
  ui.result.dataset.tone = 'bad';
  ui.result.replaceChildren(
    el('span', { class: 'result-main', text: 'Locked out' }),
    el('span', { class: 'result-sep', text: ' — ' }),
    el('span', { class: 'result-sub', text: `${left} s` }),
  );
}

/** What the daemon answered to the digit that completed (or '#'-submitted) the PIN. */
function showOutcome(r) {
  switch (r.result) {
    case 'unlocked':
      return setResult('ok', 'Unlocked');
    case 'locked':
      return setResult('ok', 'Locked');
    case 'wrong_pin':
      return setResult('warn', 'Wrong PIN', r.attemptsLeft === undefined ? '' : `${plural(r.attemptsLeft, 'attempt')} left`);
    case 'locked_out': {
      // The node's state (sent live just before this answer) holds the same deadline on the server's clock.
      const known = state.nodes.get(r.node)?.lockoutUntil;
      const until = serverNow() + (r.secondsLeft ?? 0) * 1000;
      return showLockout(known && Math.abs(known - until) < 2000 ? known : until);
    }
    case 'rate_limited':
      return setResult('bad', 'Too many tries', 'wait a minute');
    case 'timeout':
      return setResult('bad', 'No answer', 'the lock did not reply');
    case 'gateway_down':
      return setResult('bad', 'Gateway unreachable');
    case 'refused':
      return setResult('bad', 'Refused by the lock');
    case 'sent_legacy':
      return setResult('warn', 'Sent', 'legacy format: not confirmed');
    default:
      return setResult('bad', 'Failed', r.text ?? r.result ?? '');
  }
}

function showError(status, data) {
  if (status === 401) return setResult('bad', 'Signed out');
  if (status === 403) return setResult('bad', 'Refused', data.message ?? '');
  if (data.error === 'BAD_PIN') return setResult('warn', 'Too short', 'a PIN has at least 4 digits');
  if (data.error === 'NETWORK') return setResult('bad', 'Offline', 'the daemon cannot be reached');
  return setResult('bad', 'Failed', data.message ?? `HTTP ${status}`);
}

// ---- the keypad -----------------------------------------------------------------------------------

function selectedNode() {
  return state.selected === null ? undefined : state.nodes.get(state.selected);
}

function renderDots() {
  const n = selectedNode();
  const slots = Math.max(n?.pinLength ?? 4, state.typed);
  const dots = [];
  for (let i = 0; i < slots; i++) dots.push(el('span', { class: i < state.typed ? 'dot-slot filled' : 'dot-slot' }));
  ui.dots.replaceChildren(...dots);
  ui.dots.setAttribute('aria-label', state.typed === 0 ? 'No digits entered' : `${plural(state.typed, 'digit')} entered`);
}

function press(key) {
  const n = selectedNode();
  // While the lock is checking a PIN, keys wait: the next entry starts once the answer is shown.
  if (!n || state.busy) return;
  flash(key);
  const node = n.node;
  if (key === '*') {
    state.typed = 0;
    setResult('idle', 'Enter PIN');
  } else if (key === '#') {
    if (state.typed === 0) return;
    state.busy = true;
    setResult('busy', 'Checking…');
  } else {
    // A lockout stays on screen while it lasts; the lock will say so again if asked.
    if (state.typed === 0 && state.countdown === null) setResult('idle', 'Enter PIN');
    state.typed += 1;
    if (state.typed >= n.pinLength) {
      state.busy = true;
      setResult('busy', 'Checking…');
    }
  }
  renderDots();
  state.inFlight += 1;
  // Enter and Clear are whatever keys the daemon is configured to take for them (# and * by default).
  const wire = key === '#' ? n.submitKey : key === '*' ? n.clearKey : key;
  // One at a time, in order: the daemon's buffer must see the keys as they were pressed.
  state.queue = state.queue.then(() => sendKey(node, wire)).catch(() => undefined);
}

async function sendKey(node, key) {
  const r = await api(`/api/nodes/${node}/digits`, { method: 'POST', body: { digit: key } });
  state.inFlight -= 1;
  const d = r.data;
  if (d.state !== 'buffered' && d.state !== 'cleared') state.busy = false;
  if (node !== state.selected) return;
  if (d.state === 'buffered') {
    if (state.inFlight === 0) state.typed = d.count;
  } else if (d.state === 'cleared') {
    if (state.inFlight === 0) state.typed = 0;
  } else if (typeof d.result === 'string') {
    state.typed = 0;
    showOutcome(d);
  } else {
    state.typed = 0;
    showError(r.status, d);
  }
  renderDots();
}

function flash(key) {
  const b = ui.keys.querySelector(`[data-key="${key === '*' || key === '#' ? key : Number(key)}"]`);
  if (!b) return;
  b.classList.add('pressed');
  setTimeout(() => b.classList.remove('pressed'), 120);
}

function setKeysEnabled(on) {
  for (const b of ui.keys.querySelectorAll('button')) b.disabled = !on;
}

function renderSelector() {
  const locks = [...state.nodes.values()].filter((x) => x.lock).sort((a, b) => a.node - b.node);
  const current = [...ui.node.options].map((o) => o.value).join(',');
  const wanted = locks.map((x) => String(x.node)).join(',');
  if (current !== wanted || locks.some((x, i) => ui.node.options[i]?.textContent !== optionText(x))) {
    ui.node.replaceChildren(...locks.map((x) => el('option', { value: x.node, text: optionText(x) })));
  }
  if (locks.length === 0) {
    state.selected = null;
    ui.node.disabled = true;
    setKeysEnabled(false);
    setResult('idle', 'No lock configured');
    return;
  }
  ui.node.disabled = false;
  setKeysEnabled(true);
  if (state.selected === null || !locks.some((x) => x.node === state.selected)) {
    const remembered = Number(localStorage.getItem('myseal.node'));
    state.selected = locks.some((x) => x.node === remembered) ? remembered : locks[0].node;
    onSelected();
  }
  ui.node.value = String(state.selected);
}

function optionText(x) {
  return x.name ? `${x.name} (node ${x.node})` : `Node ${x.node}`;
}

function onSelected() {
  state.typed = 0;
  renderDots();
  const x = selectedNode();
  if (x && secondsUntil(x.lockoutUntil) > 0) showLockout(x.lockoutUntil);
  else setResult('idle', 'Enter PIN');
  renderLockLine();
}

function renderLockLine() {
  const x = selectedNode();
  if (!x) {
    ui.lockLine.replaceChildren();
    return;
  }
  const parts = [];
  if (x.locked === true) parts.push(el('span', { class: 'state-locked', text: 'Locked' }));
  else if (x.locked === false) parts.push(el('span', { class: 'state-unlocked', text: 'Unlocked' }));
  else parts.push(el('span', { text: 'State unknown' }));
  parts.push(el('span', { text: isOnline(x) ? 'online' : 'offline' }));
  const lockout = secondsUntil(x.lockoutUntil);
  // While the result panel counts the lockout down, the line does not repeat it.
  if (lockout > 0) {
    if (state.countdown === null) parts.push(el('span', { text: `locked out ${lockout} s` }));
  } else if (x.attemptsLeft !== null && x.attemptsLeft !== undefined) parts.push(el('span', { text: `${plural(x.attemptsLeft, 'attempt')} left` }));
  ui.lockLine.replaceChildren(...parts);
}

// ---- the node list --------------------------------------------------------------------------------

function renderNodes() {
  const items = [...state.nodes.values()].sort((a, b) => a.node - b.node).map(renderNode);
  ui.nodes.replaceChildren(...items);
  if (items.length === 0) ui.nodes.append(el('li', { class: 'empty', text: 'No nodes configured or heard yet.' }));
}

function renderNode(x) {
  const online = isOnline(x);
  const lockout = secondsUntil(x.lockoutUntil);
  let badge;
  if (!x.sealed) badge = el('span', { class: 'badge', text: x.lock ? 'Not sealed' : 'Plain' });
  else if (lockout > 0) badge = el('span', { class: 'badge lockout', text: 'Locked out' });
  else if (x.locked === true) badge = el('span', { class: 'badge locked', text: 'Locked' });
  else if (x.locked === false) badge = el('span', { class: 'badge unlocked', text: 'Unlocked' });
  else badge = el('span', { class: 'badge', text: 'Unknown' });

  const meta = [
    el('span', { text: online ? 'Online' : 'Offline' }),
    el('span', { 'data-ago': x.heardAt ?? '', text: `seen ${ago(x.heardAt)}` }),
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
    const cell = (label, value, alert) =>
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

function renderGateway() {
  if (!state.gateway) return;
  ui.gateway.hidden = false;
  const g = state.gateway;
  // Connected is the link (over MQTT, the broker); answering is the gateway itself.
  ui.gateway.dataset.tone = g.connected && g.answering ? 'ok' : 'bad';
  ui.gateway.textContent = !g.connected ? 'Gateway down' : g.answering ? 'Gateway up' : 'Gateway not answering';
  ui.gateway.title = g.lastHeard === null ? g.description : `${g.description}, last heard ${timeOf(g.lastHeard)}`;
}

function renderCounters() {
  const entries = Object.entries(state.counters).sort(([a], [b]) => a.localeCompare(b));
  ui.counters.replaceChildren(
    ...entries.map(([k, v]) => el('span', { class: 'counter', title: 'refused input since the daemon started' }, `${k} `, el('b', { text: `× ${v}` }))),
  );
}

/** Relative times and countdowns, twice a second, all from one timer so they agree; nothing rebuilt. */
function tick() {
  renderCountdown();
  for (const e of document.querySelectorAll('[data-ago]')) {
    const v = e.getAttribute('data-ago');
    e.textContent = `seen ${ago(v === '' ? null : Number(v))}`;
  }
  let expired = false;
  for (const e of document.querySelectorAll('[data-until]')) {
    const left = secondsUntil(Number(e.getAttribute('data-until')));
    if (left <= 0) expired = true;
    e.textContent = `locked out ${left} s`;
  }
  if (expired) renderNodes();
  renderLockLine();
}

// ---- audit log and security events ------------------------------------------------------------------

const EVENT_NAMES = {
  unlock: 'Unlock',
  lock: 'Lock',
  status: 'Status',
  set_pin: 'PIN change',
  rotate_key: 'Key rotation',
  set: 'Command',
  report: 'Report',
  digit: 'Key press',
  security: 'Security',
  legacy: 'Legacy unlock',
  config: 'Configuration',
  keygen: 'New key',
  startup: 'Started',
  shutdown: 'Stopped',
};

const SECURITY_REASONS = {
  AUTH_FAILED: 'Forged or damaged frame (authentication failed)',
  REPLAYED_COUNTER: 'Replayed frame (old counter)',
  WRONG_DIRECTION: 'Frame sent the wrong way',
  BAD_VERSION: 'Unknown frame version',
  BAD_KIND: 'Unknown frame kind',
  FRAME_TOO_SHORT: 'Truncated frame',
  FRAME_TOO_LONG: 'Over-long frame',
  BAD_BODY: 'Malformed frame body',
  UNEXPECTED_RESULT: 'The node refused a frame MySeal did not send (replay on the gateway link?)',
  CHALLENGE_EXPIRED: 'Expired challenge',
  CHALLENGE_USED: 'Reused challenge',
  NO_CHALLENGE: 'Missing challenge',
  LOGIN_FAILED: 'Wrong API token at the login',
  PLAIN_FROM_SEALED_NODE: 'Plain value from a sealed node dropped (forged on the gateway link or radio?)',
  'raw sealed frame refused': 'A controller sent a raw sealed frame',
};

function entryKey(e) {
  return [String(e.ts).slice(0, 19), e.event, e.node ?? '', e.child ?? '', e.source, e.result, JSON.stringify(e.detail ?? {})].join('|');
}

function resultText(e) {
  const d = e.detail ?? {};
  if (e.event === 'digit') {
    if (e.result === 'buffered') return `${plural(d.count ?? 0, 'digit')} typed`;
    if (e.result === 'timeout') return `forgotten after a pause (${plural(d.count ?? 0, 'digit')})`;
    return e.result;
  }
  if (e.result === 'wrong_pin' && d.attemptsLeft !== undefined) return `wrong PIN, ${d.attemptsLeft} left`;
  if (e.result === 'locked_out' && d.secondsLeft !== undefined) return `locked out, ${d.secondsLeft} s`;
  return e.result.replace(/_/g, ' ');
}

function resultClass(e) {
  if (['unlocked', 'locked', 'accepted', 'Done', 'status'].includes(e.result)) return 'audit-result good';
  if (['wrong_pin', 'locked_out', 'timeout', 'rate_limited', 'gateway_down'].includes(e.result)) return 'audit-result warn';
  return 'audit-result';
}

function where(e) {
  const parts = [];
  if (e.node !== undefined) {
    const x = state.nodes.get(e.node);
    parts.push(x?.name ? `${x.name} (#${e.node})` : `node ${e.node}`);
  }
  if (e.child !== undefined) parts.push(`child ${e.child}`);
  return parts.join(', ');
}

function auditItem(e) {
  const sec = e.event === 'security';
  const body = el(
    'div',
    { class: 'audit-body' },
    sec ? el('span', { class: 'tag', text: 'Security' }) : null,
    el('span', { class: 'audit-event', text: sec ? '' : EVENT_NAMES[e.event] ?? e.event }),
    sec ? null : document.createTextNode(' · '),
    el('span', { class: sec ? 'audit-result' : resultClass(e), text: sec ? SECURITY_REASONS[e.result] ?? e.result : resultText(e) }),
    el('div', { class: 'audit-source', text: [where(e), e.source].filter(Boolean).join(' · ') }),
  );
  return el(
    'li',
    { class: `audit-item ${sec ? 'security' : ''} ${e.event === 'digit' ? 'digit' : ''}`.trim() },
    el('time', { class: 'audit-time', datetime: e.ts, text: timeOf(e.ts) }),
    body,
  );
}

/** What a security event's detail adds: the node's own answer, how long a frame was held back, what was dropped. */
function securityDetail(e) {
  const d = e.detail ?? {};
  const parts = [];
  if (d.frame === 'held back' && d.heldSeconds !== undefined) parts.push(`frame held back ${d.heldSeconds} s`);
  if (d.nodeAnswer !== undefined) parts.push(`the node answered ${d.nodeAnswer}`);
  if (d.command !== undefined && d.type !== undefined) parts.push(`${d.command} ${d.type}`);
  return parts.join(', ');
}

function securityItem(e, fresh) {
  return el(
    'li',
    { class: fresh ? 'sec-item new' : 'sec-item' },
    el(
      'div',
      { class: 'sec-top' },
      el('code', { class: 'sec-code', text: e.result }),
      el('span', { class: 'sec-what', text: [SECURITY_REASONS[e.result] ?? '', securityDetail(e)].filter(Boolean).join(': ') }),
    ),
    el('div', { class: 'sec-meta', text: [timeOf(e.ts), where(e), `from ${e.source}`].filter(Boolean).join(' · ') }),
  );
}

/** Puts a row into a newest-first list at its place by time; keeps at most `max` rows. */
function insertByTime(list, item, ts, max) {
  item.dataset.ts = ts;
  let before = null;
  for (const row of list.children) {
    if (String(row.dataset.ts) <= ts) {
      before = row;
      break;
    }
  }
  list.insertBefore(item, before);
  while (list.children.length > max) list.lastElementChild.remove();
}

/** Adds an entry where it belongs; one seen twice (history and live overlap) goes in once. */
function addAudit(e, fresh) {
  const key = entryKey(e);
  if (state.seen.has(key)) return;
  state.seen.add(key);
  const ts = String(e.ts);
  const row = auditItem(e);
  row.dataset.key = key;
  insertByTime(ui.audit, row, ts, AUDIT_ROWS);
  updateAuditEmpty();
  if (e.event === 'security') {
    insertByTime(ui.security, securityItem(e, fresh), ts, SECURITY_ROWS);
    ui.securityEmpty.hidden = true;
  }
  if (state.seen.size > AUDIT_ROWS * 10) {
    // Forget what scrolled off: only rows still shown can come back twice.
    state.seen = new Set([...ui.audit.children].map((r) => r.dataset.key));
  }
}

function updateAuditEmpty() {
  ui.auditEmpty.hidden = ui.audit.querySelector(ui.showDigits.checked ? 'li' : 'li:not(.digit)') !== null;
}

// ---- live updates ---------------------------------------------------------------------------------------

function setLive(on, text) {
  ui.live.hidden = false;
  ui.live.dataset.tone = on ? 'ok' : 'bad';
  ui.live.textContent = text ?? (on ? 'Live' : 'Reconnecting…');
}

function applyNode(x) {
  if (typeof x.now === 'number') state.offset = x.now - Date.now();
  const before = state.nodes.get(x.node);
  state.nodes.set(x.node, x);
  renderNodes();
  if (!before || before.lock !== x.lock || before.name !== x.name) renderSelector();
  renderLockLine();
}

let overviewTimer = null;
function refreshSoon() {
  if (overviewTimer !== null) return;
  overviewTimer = setTimeout(() => {
    overviewTimer = null;
    void loadOverview();
  }, 300);
}

function connectEvents() {
  if (state.events) state.events.close();
  const es = new EventSource('/api/events');
  state.events = es;
  let opened = false;
  es.addEventListener('open', () => {
    setLive(true);
    // After a reconnect, fetch what was missed meanwhile (the first time, start() does).
    if (opened) {
      void loadOverview();
      void loadHistory();
    }
    opened = true;
  });
  es.addEventListener('error', () => {
    setLive(false);
    if (es.readyState === EventSource.CLOSED) {
      // Refused (signed out, or too many streams): find out which, then try again.
      setTimeout(async () => {
        if (state.events !== es) return;
        const s = await api('/api/session');
        if (s.data.authenticated) connectEvents();
        else if (s.status === 200) showLogin();
      }, 3000);
    }
  });
  es.addEventListener('audit', (m) => {
    const e = JSON.parse(m.data);
    addAudit(e, true);
    if (e.event === 'security') refreshSoon();
    if (e.event === 'digit' && e.result === 'timeout' && e.node === state.selected && state.inFlight === 0 && state.typed > 0) {
      state.typed = 0;
      renderDots();
      setResult('idle', 'Too slow', 'start again');
    }
  });
  es.addEventListener('node', (m) => applyNode(JSON.parse(m.data)));
}

async function loadOverview() {
  const r = await api('/api/overview');
  if (r.status !== 200) return;
  const o = r.data;
  state.offset = o.now - Date.now();
  state.onlineWindowMs = o.onlineWindowMs;
  state.gateway = o.gateway;
  state.counters = o.counters;
  state.nodes = new Map(o.nodes.map((x) => [x.node, x]));
  renderGateway();
  renderCounters();
  renderNodes();
  renderSelector();
  renderLockLine();
}

async function loadHistory() {
  const [all, sec] = await Promise.all([api(`/api/audit?limit=${AUDIT_ROWS}`), api(`/api/audit?limit=${SECURITY_ROWS}&event=security`)]);
  // Each goes in at its place by time, under or among whatever arrived live meanwhile.
  for (const e of [...(sec.data.entries ?? []), ...(all.data.entries ?? [])]) addAudit(e, false);
  updateAuditEmpty();
  ui.securityEmpty.hidden = ui.security.children.length > 0;
}

// ---- sign in and out ------------------------------------------------------------------------------------

function showLogin() {
  if (state.events) {
    state.events.close();
    state.events = null;
  }
  state.started = false;
  ui.loading.hidden = true;
  ui.app.hidden = true;
  ui.logout.hidden = true;
  ui.live.hidden = true;
  ui.gateway.hidden = true;
  ui.login.hidden = false;
  ui.token.focus();
}

async function start(via) {
  ui.loading.hidden = true;
  ui.login.hidden = true;
  ui.app.hidden = false;
  ui.logout.hidden = via !== 'session';
  if (state.started) return;
  state.started = true;
  state.seen.clear();
  ui.audit.replaceChildren();
  ui.security.replaceChildren();
  setLive(false, 'Connecting…');
  connectEvents();
  await loadOverview();
  await loadHistory();
}

ui.loginForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const button = ui.loginForm.querySelector('button');
  button.disabled = true;
  ui.loginError.textContent = '';
  const r = await api('/login', { method: 'POST', body: { token: ui.token.value } });
  button.disabled = false;
  if (r.status === 200) {
    ui.token.value = '';
    await start('session');
    return;
  }
  ui.token.select();
  if (r.status === 401) ui.loginError.textContent = 'That is not the API token.';
  else if (r.status === 429) ui.loginError.textContent = `Too many tries: wait ${r.data.retryAfter ?? 60} s.`;
  else ui.loginError.textContent = r.data.message ?? `Sign-in failed (HTTP ${r.status}).`;
});

ui.logout.addEventListener('click', async () => {
  await api('/logout', { method: 'POST' });
  showLogin();
});

// ---- input ---------------------------------------------------------------------------------------------

ui.keys.addEventListener('click', (ev) => {
  const b = ev.target instanceof window.Element ? ev.target.closest('button[data-key]') : null;
  if (b && !b.disabled) press(b.dataset.key);
});

ui.showDigits.addEventListener('change', () => {
  ui.audit.classList.toggle('hide-digits', !ui.showDigits.checked);
  updateAuditEmpty();
});

ui.node.addEventListener('change', () => {
  state.selected = Number(ui.node.value);
  localStorage.setItem('myseal.node', String(state.selected));
  onSelected();
});

document.addEventListener('keydown', (ev) => {
  if (ui.app.hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  if (t instanceof window.Element && t.closest('input, select, textarea')) return;
  if (/^[0-9]$/.test(ev.key)) press(ev.key);
  else if (ev.key === '*' || ev.key === 'Escape' || ev.key === 'Backspace' || ev.key === 'Delete') press('*');
  else if (ev.key === '#') press('#');
  else if (ev.key === 'Enter') {
    if (t instanceof window.HTMLButtonElement) return; // Enter on a focused button presses that button
    press('#');
  } else return;
  ev.preventDefault();
});

setInterval(tick, 500);
setInterval(() => {
  if (state.started && !document.hidden) void loadOverview();
}, POLL_MS);

(async () => {
  const s = await api('/api/session');
  if (s.status === 200 && s.data.authenticated) await start(s.data.via);
  else if (s.status === 200 || s.status === 401) showLogin();
  else {
    ui.loading.textContent = s.data.message ?? 'The daemon cannot be reached.';
  }
})();
