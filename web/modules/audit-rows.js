// @ts-check
/** An audit entry as a row of the audit log: when, what (the server's label for the event), how it ended, who asked. */
import { el } from './dom.js';
import { reasonText } from './security-rows.js';
import { labelOf, plural, timeOf } from './words.js';
import { EVENT_LABELS } from './vocabulary.js';

/** @import { AuditRecord } from './vocabulary.js' */

/** Results that are the thing asked for, and results that are a refusal worth a second look. */
const GOOD_RESULTS = ['unlocked', 'locked', 'accepted', 'Done', 'status'];
const WARN_RESULTS = ['wrong_pin', 'locked_out', 'timeout', 'rate_limited', 'gateway_down'];

/**
 * @param {AuditRecord} e
 * @param {string} where the node and child it concerns, or ''
 */
export function auditRow(e, where) {
  const sec = e.event === 'security';
  const body = el(
    'div',
    { class: 'audit-body' },
    sec ? el('span', { class: 'tag', text: 'Security' }) : null,
    el('span', { class: 'audit-event', text: sec ? '' : labelOf(EVENT_LABELS, e.event) ?? e.event }),
    sec ? null : document.createTextNode(' · '),
    el('span', { class: sec ? 'audit-result' : resultClass(e), text: sec ? reasonText(e.result) ?? e.result : resultText(e) }),
    el('div', { class: 'audit-source', text: [where, e.source].filter(Boolean).join(' · ') }),
  );
  return el(
    'li',
    { class: `audit-item ${sec ? 'security' : ''} ${e.event === 'digit' ? 'digit' : ''}`.trim() },
    el('time', { class: 'audit-time', datetime: e.ts, text: timeOf(e.ts) }),
    body,
  );
}

/** @param {AuditRecord} e */
function resultText(e) {
  const d = e.detail ?? {};
  if (e.event === 'digit') {
    const count = typeof d.count === 'number' ? d.count : 0;
    if (e.result === 'buffered') return `${plural(count, 'digit')} typed`;
    if (e.result === 'timeout') return `forgotten after a pause (${plural(count, 'digit')})`;
    return e.result;
  }
  if (e.result === 'wrong_pin' && d.attemptsLeft !== undefined) return `wrong PIN, ${d.attemptsLeft} left`;
  if (e.result === 'locked_out' && d.secondsLeft !== undefined) return `locked out, ${d.secondsLeft} s`;
  return e.result.replace(/_/g, ' ');
}

/** @param {AuditRecord} e */
function resultClass(e) {
  if (GOOD_RESULTS.includes(e.result)) return 'audit-result good';
  if (WARN_RESULTS.includes(e.result)) return 'audit-result warn';
  return 'audit-result';
}
