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
