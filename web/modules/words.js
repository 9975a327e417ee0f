// @ts-check
/** Small pieces of the page's wording: counts, clock times, and labels looked up by code. */

/**
 * "1 attempt", "3 attempts".
 * @param {number} n
 * @param {string} word
 */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The time of day of a timestamp, 24-hour with seconds, or '' for one that is not a time.
 * @param {string | number} ts an ISO date or milliseconds since the epoch
 */
export function timeOf(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/**
 * A table's label for a code, or undefined: only the table's own entries count, so a code that
 * happens to name an inherited property ("constructor") has no label either.
 * @template L
 * @param {Readonly<Partial<Record<string, L>>>} table
 * @param {string} code
 * @returns {L | undefined}
 */
export function labelOf(table, code) {
  return Object.hasOwn(table, code) ? table[code] : undefined;
}
