/**
 * What an operation came to, in the forms the service reports it: a short word for the audit log
 * and JSON (`result`, which the HTTP edge maps to a status and the CLI to an exit code), and a line
 * of text for controllers (V_TEXT, at most 25 bytes).
 */
import { isMySealError } from '../../core/errors.ts';
import { Status } from '../../core/protocol/body.ts';
import type { ResultBody } from '../../core/protocol/body.ts';

export interface OutcomeReport {
  node: number;
  /** unlocked, locked, wrong_pin, locked_out, done, timeout, gateway_down, refused, ... */
  result: string;
  ok: boolean;
  text: string;
  locked?: boolean;
  attemptsLeft?: number;
  secondsLeft?: number;
  detail?: Record<string, string | number | boolean>;
}

/** A controller's V_TEXT holds 25 characters; every status text fits in it. */
export const MAX_TEXT_CHARS = 25;

/** "50 s", "3 min", "2 h", "5 d": a duration, rounded up, short enough for a V_TEXT. */
function shortDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 120 * 60) return `${Math.ceil(seconds / 60)} min`;
  if (seconds < 100 * 3600) return `${Math.ceil(seconds / 3600)} h`;
  return `${Math.ceil(seconds / 86_400)} d`;
}

/**
 * A lock's status as every place shows it (the CLI, the API, the web page, controllers' V_TEXT):
 * the bolt, and then the lockout and its time left, or the PIN attempts left. A status that said
 * only "locked" while the lock refused every PIN would hide the one thing its owner needs to know.
 * The longest form within maxChars is chosen (a V_TEXT holds 25).
 */
export function lockStatusText(locked: boolean, attemptsLeft: number, lockoutSeconds: number, maxChars = Number.POSITIVE_INFINITY): string {
  const bolt = locked ? 'locked' : 'unlocked';
  const time = shortDuration(lockoutSeconds);
  const forms =
    lockoutSeconds > 0
      ? [`${bolt}, locked out for ${time}`, `${bolt}, locked out ${time}`, `${bolt}, out for ${time}`]
      : [`${bolt}, ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left`, `${bolt}, ${attemptsLeft} left`];
  return forms.find((f) => f.length <= maxChars) ?? forms[forms.length - 1]!;
}

/** A report's text as controllers get it in a V_TEXT: the same words, within 25 characters. */
export function controllerText(report: OutcomeReport): string {
  if (report.result === 'status' && report.locked !== undefined) {
    return lockStatusText(report.locked, report.attemptsLeft ?? 0, report.secondsLeft ?? 0, MAX_TEXT_CHARS);
  }
  return report.text.slice(0, MAX_TEXT_CHARS);
}

/** An unlock sent in the original sketch's format: sent, never confirmed, and replayable. */
export function sentLegacy(node: number): OutcomeReport {
  return { node, result: 'sent_legacy', ok: true, text: 'sent (legacy, replayable)' };
}

export function describeOutcome(node: number, r: ResultBody | unknown): OutcomeReport {
  if (typeof r === 'object' && r !== null && 'status' in r && 'commandCounter' in r) return describeResult(node, r as ResultBody);
  const code = isMySealError(r) ? r.codeName : 'ERROR';
  switch (code) {
    case 'TIMEOUT':
      return { node, result: 'timeout', ok: false, text: 'no answer from the lock' };
    case 'GATEWAY_DOWN':
      return { node, result: 'gateway_down', ok: false, text: 'gateway unreachable' };
    case 'RATE_LIMITED':
      return { node, result: 'rate_limited', ok: false, text: 'too many tries' };
    case 'BAD_PIN':
      return { node, result: 'bad_pin', ok: false, text: 'PIN is 4-8 digits' };
    case 'NO_KEY':
      return { node, result: 'unknown_node', ok: false, text: 'no sealed lock' };
    case 'REFUSED_BY_POLICY':
      return { node, result: 'refused_by_policy', ok: false, text: 'refused by policy' };
    default:
      return { node, result: 'error', ok: false, text: 'failed', detail: { code } };
  }
}

function describeResult(node: number, r: ResultBody): OutcomeReport {
  switch (r.status) {
    case Status.Unlocked:
      return { node, result: 'unlocked', ok: true, text: 'unlocked', locked: false };
    case Status.Locked:
      return { node, result: 'locked', ok: true, text: 'locked', locked: true };
    case Status.Done:
      return { node, result: 'done', ok: true, text: 'done' };
    case Status.LockStatus:
      return {
        node,
        result: 'status',
        ok: true,
        text: lockStatusText(r.locked, r.attemptsLeft, r.lockoutSeconds),
        locked: r.locked,
        attemptsLeft: r.attemptsLeft,
        secondsLeft: r.lockoutSeconds,
        detail: { locked: r.locked, attemptsLeft: r.attemptsLeft, lockoutSeconds: r.lockoutSeconds },
      };
    case Status.WrongPin:
      return {
        node,
        result: 'wrong_pin',
        ok: false,
        text: `wrong PIN, ${r.attemptsLeft} left`,
        attemptsLeft: r.attemptsLeft,
        detail: { attemptsLeft: r.attemptsLeft },
      };
    case Status.LockedOut:
      return {
        node,
        result: 'locked_out',
        ok: false,
        text: `locked out, ${r.secondsLeft} s`,
        secondsLeft: r.secondsLeft,
        attemptsLeft: 0,
        detail: { secondsLeft: r.secondsLeft },
      };
    case Status.BadRequest:
      return { node, result: 'refused', ok: false, text: 'refused by the lock', detail: { reason: r.reason } };
    default:
      return { node, result: Status[r.status].toLowerCase(), ok: false, text: 'failed' };
  }
}
