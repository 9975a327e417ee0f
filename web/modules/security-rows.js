// @ts-check
/**
 * A security event as the page shows it: the refusal's code, what it means (the server's label),
 * and what the entry's detail adds: the node's own answer, how long a frame was held back, what was
 * dropped.
 */
import { el } from './dom.js';
import { labelOf, timeOf } from './words.js';
import { SECURITY_REASONS } from './vocabulary.js';

/** @import { AuditRecord } from './vocabulary.js' */

/**
 * What a refusal code means, or undefined for one the page has no words for.
 * @param {string} code
 */
export function reasonText(code) {
  return labelOf(SECURITY_REASONS, code);
}

/**
 * A row of the security events list.
 * @param {AuditRecord} e a `security` entry
 * @param {boolean} fresh arrived live (highlighted) rather than from history
 * @param {string} where the node and child it concerns, or ''
 */
export function securityRow(e, fresh, where) {
  return el(
    'li',
    { class: fresh ? 'sec-item new' : 'sec-item' },
    el(
      'div',
      { class: 'sec-top' },
      el('code', { class: 'sec-code', text: e.result }),
      el('span', { class: 'sec-what', text: [reasonText(e.result) ?? '', detailText(e)].filter(Boolean).join(': ') }),
    ),
    el('div', { class: 'sec-meta', text: [timeOf(e.ts), where, `from ${e.source}`].filter(Boolean).join(' · ') }),
  );
}

/** @param {AuditRecord} e */
function detailText(e) {
  const d = e.detail ?? {};
  const parts = [];
  if (d.frame === 'held back' && d.heldSeconds !== undefined) parts.push(`frame held back ${d.heldSeconds} s`);
  if (d.nodeAnswer !== undefined) parts.push(`the node answered ${d.nodeAnswer}`);
  if (d.command !== undefined && d.type !== undefined) parts.push(`${d.command} ${d.type}`);
  return parts.join(', ');
}
