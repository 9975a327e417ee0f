/**
 * What an operation came to, in every form the daemon reports it: a short word for the audit log
 * and JSON, a line of text for controllers (V_TEXT, at most 25 bytes), an HTTP status, and the
 * CLI's exit code. One table, so all of them always agree.
 */
import { isMySealError } from '../../core/errors.ts';
import { Status } from '../../core/protocol/body.ts';
import type { ResultBody } from '../../core/protocol/body.ts';
import { ExitCode } from '../../edges/cli/exit-code.ts';

export { ExitCode };

export interface OutcomeReport {
  node: number;
  /** unlocked, locked, wrong_pin, locked_out, done, timeout, gateway_down, refused, ... */
  result: string;
  ok: boolean;
  text: string;
  locked?: boolean;
  attemptsLeft?: number;
  secondsLeft?: number;
  httpStatus: number;
  exitCode: number;
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

export function describeOutcome(node: number, r: ResultBody | unknown): OutcomeReport {
  if (typeof r === 'object' && r !== null && 'status' in r && 'commandCounter' in r) return describeResult(node, r as ResultBody);
  const code = isMySealError(r) ? r.codeName : 'ERROR';
  switch (code) {
    case 'TIMEOUT':
      return { node, result: 'timeout', ok: false, text: 'no answer from the lock', httpStatus: 504, exitCode: ExitCode.TIMEOUT };
    case 'GATEWAY_DOWN':
      return { node, result: 'gateway_down', ok: false, text: 'gateway unreachable', httpStatus: 502, exitCode: ExitCode.GATEWAY_UNREACHABLE };
    case 'RATE_LIMITED':
      return { node, result: 'rate_limited', ok: false, text: 'too many tries', httpStatus: 429, exitCode: ExitCode.RATE_LIMITED };
    case 'BAD_PIN':
      return { node, result: 'bad_pin', ok: false, text: 'PIN is 4-8 digits', httpStatus: 400, exitCode: ExitCode.USAGE };
    case 'NO_KEY':
      return { node, result: 'unknown_node', ok: false, text: 'no sealed lock', httpStatus: 404, exitCode: ExitCode.BAD_CONFIG };
    case 'REFUSED_BY_POLICY':
      return { node, result: 'refused_by_policy', ok: false, text: 'refused by policy', httpStatus: 403, exitCode: ExitCode.REFUSED };
    default:
      return { node, result: 'error', ok: false, text: 'failed', httpStatus: 500, exitCode: ExitCode.FAILURE, detail: { code } };
  }
}

function describeResult(node: number, r: ResultBody): OutcomeReport {
  const base = { node, httpStatus: 200 };
  switch (r.status) {
    case Status.Unlocked:
      return { ...base, result: 'unlocked', ok: true, text: 'unlocked', locked: false, exitCode: ExitCode.OK };
    case Status.Locked:
      return { ...base, result: 'locked', ok: true, text: 'locked', locked: true, exitCode: ExitCode.OK };
    case Status.Done:
      return { ...base, result: 'done', ok: true, text: 'done', exitCode: ExitCode.OK };
    case Status.LockStatus:
      return {
        ...base,
        result: 'status',
        ok: true,
        text: lockStatusText(r.locked, r.attemptsLeft, r.lockoutSeconds),
        locked: r.locked,
        attemptsLeft: r.attemptsLeft,
        secondsLeft: r.lockoutSeconds,
        exitCode: ExitCode.OK,
        detail: { locked: r.locked, attemptsLeft: r.attemptsLeft, lockoutSeconds: r.lockoutSeconds },
      };
    case Status.WrongPin:
      return {
        ...base,
        result: 'wrong_pin',
        ok: false,
        text: `wrong PIN, ${r.attemptsLeft} left`,
        attemptsLeft: r.attemptsLeft,
        exitCode: ExitCode.WRONG_PIN,
        detail: { attemptsLeft: r.attemptsLeft },
      };
    case Status.LockedOut:
      return {
        ...base,
        result: 'locked_out',
        ok: false,
        text: `locked out, ${r.secondsLeft} s`,
        secondsLeft: r.secondsLeft,
        attemptsLeft: 0,
        exitCode: ExitCode.LOCKED_OUT,
        detail: { secondsLeft: r.secondsLeft },
      };
    case Status.BadRequest:
      return { ...base, result: 'refused', ok: false, text: 'refused by the lock', exitCode: ExitCode.REFUSED, detail: { reason: r.reason } };
    default:
      return { ...base, result: Status[r.status].toLowerCase(), ok: false, text: 'failed', exitCode: ExitCode.FAILURE };
  }
}
