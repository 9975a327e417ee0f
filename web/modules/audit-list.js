// @ts-check
/**
 * The audit log and the security events lists, newest first. Entries come from two places, the
 * history (/api/audit) and the live stream, which overlap: each entry goes in once, at its place by
 * time.
 */
import { auditRow } from './audit-rows.js';
import { securityRow } from './security-rows.js';

/** @import { Api } from './api.js' */
/** @import { Site } from './site.js' */
/** @import { AuditRecord } from './vocabulary.js' */

/** Rows kept in the audit log list. */
export const AUDIT_ROWS = 150;
/** Rows kept in the security events list. */
export const SECURITY_ROWS = 20;

/**
 * @typedef {object} AuditElements
 * @property {HTMLElement} audit the audit log list
 * @property {HTMLElement} auditEmpty shown while the audit log list is empty
 * @property {HTMLElement} security the security events list
 * @property {HTMLElement} securityEmpty shown while there is no security event
 * @property {HTMLInputElement} showDigits whether key presses are listed too
 */

export class AuditList {
  /** @type {AuditElements} */
  #ui;
  /** @type {Site} */
  #site;
  /** @type {Set<string>} the entries listed, by entryKey */
  #seen = new Set();

  /**
   * @param {AuditElements} ui
   * @param {Site} site where node names come from
   */
  constructor(ui, site) {
    this.#ui = ui;
    this.#site = site;
    ui.showDigits.addEventListener('change', () => {
      ui.audit.classList.toggle('hide-digits', !ui.showDigits.checked);
      this.#updateEmpty();
    });
  }

  /** Empties both lists (a new sign-in starts from the history). */
  clear() {
    this.#seen.clear();
    this.#ui.audit.replaceChildren();
    this.#ui.security.replaceChildren();
  }

  /**
   * Adds an entry where it belongs; one seen twice (history and live overlap) goes in once.
   * @param {AuditRecord} e
   * @param {boolean} fresh arrived live, rather than from the history
   */
  add(e, fresh) {
    const key = entryKey(e);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const ts = String(e.ts);
    const where = this.#where(e);
    const row = auditRow(e, where);
    row.dataset.key = key;
    insertByTime(this.#ui.audit, row, ts, AUDIT_ROWS);
    this.#updateEmpty();
    if (e.event === 'security') {
      insertByTime(this.#ui.security, securityRow(e, fresh, where), ts, SECURITY_ROWS);
      this.#ui.securityEmpty.hidden = true;
    }
    if (this.#seen.size > AUDIT_ROWS * 10) {
      // Forget what scrolled off: only rows still shown can come back twice.
      this.#seen = new Set([...this.#ui.audit.children].map((r) => (r instanceof HTMLElement ? r.dataset.key ?? '' : '')));
    }
  }

  /**
   * The recent history: each entry at its place by time, under or among whatever arrived live meanwhile.
   * @param {Api} api
   */
  async loadHistory(api) {
    const [all, sec] = await Promise.all([api.audit(AUDIT_ROWS), api.audit(SECURITY_ROWS, 'security')]);
    const entries = [...('entries' in sec.data ? sec.data.entries : []), ...('entries' in all.data ? all.data.entries : [])];
    for (const e of entries) this.add(e, false);
    this.#updateEmpty();
    this.#ui.securityEmpty.hidden = this.#ui.security.children.length > 0;
  }

  #updateEmpty() {
    this.#ui.auditEmpty.hidden = this.#ui.audit.querySelector(this.#ui.showDigits.checked ? 'li' : 'li:not(.digit)') !== null;
  }

  /** @param {AuditRecord} e */
  #where(e) {
    const parts = [];
    if (e.node !== undefined) parts.push(this.#site.describe(e.node));
    if (e.child !== undefined) parts.push(`child ${e.child}`);
    return parts.join(', ');
  }
}

/**
 * The same entry from the history and from the stream: equal to the second, in every field.
 * @param {AuditRecord} e
 */
function entryKey(e) {
  return [String(e.ts).slice(0, 19), e.event, e.node ?? '', e.child ?? '', e.source, e.result, JSON.stringify(e.detail ?? {})].join('|');
}

/**
 * Puts a row into a newest-first list at its place by time; keeps at most `max` rows.
 * @param {HTMLElement} list
 * @param {HTMLElement} row
 * @param {string} ts
 * @param {number} max
 */
function insertByTime(list, row, ts, max) {
  row.dataset.ts = ts;
  let before = null;
  for (const r of list.children) {
    if (r instanceof HTMLElement && String(r.dataset.ts) <= ts) {
      before = r;
      break;
    }
  }
  list.insertBefore(row, before);
  while (list.children.length > max) list.lastElementChild?.remove();
}
