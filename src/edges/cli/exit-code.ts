/**
 * Exit codes of the one-shot CLI, distinct per outcome so scripts can branch on them. A module of
 * its own so that a command needing only these (`myseal digit`) does not load the protocol.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  WRONG_PIN: 10,
  LOCKED_OUT: 11,
  TIMEOUT: 12,
  GATEWAY_UNREACHABLE: 13,
  BAD_CONFIG: 14,
  REFUSED: 15,
  RATE_LIMITED: 16,
} as const;

/** The exit code of an outcome that did not succeed, by its result word (service/lock/outcome.ts). */
const EXIT_BY_RESULT: Readonly<Record<string, number>> = {
  wrong_pin: ExitCode.WRONG_PIN,
  locked_out: ExitCode.LOCKED_OUT,
  timeout: ExitCode.TIMEOUT,
  gateway_down: ExitCode.GATEWAY_UNREACHABLE,
  rate_limited: ExitCode.RATE_LIMITED,
  refused: ExitCode.REFUSED,
  refused_by_policy: ExitCode.REFUSED,
  unknown_node: ExitCode.BAD_CONFIG,
  bad_pin: ExitCode.USAGE,
};

/** The exit code for an operation's outcome, whether the service ran here or in a daemon. */
export function exitCodeFor(outcome: { ok: boolean; result: string }): number {
  return outcome.ok ? ExitCode.OK : (EXIT_BY_RESULT[outcome.result] ?? ExitCode.FAILURE);
}
