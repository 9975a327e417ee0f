/**
 * The HTTP status of an operation's outcome. The lock's own answers (a wrong PIN, a lockout, a
 * refusal) are 200: the request was served and the body says what the lock said. Outcomes where
 * the lock was not reached or not asked get the status that names why. A key rotation sent without
 * the node's confirmation is 202: under way, settled by the next exchange with the node.
 */
const STATUS_BY_RESULT: Readonly<Record<string, number>> = {
  unconfirmed: 202,
  timeout: 504,
  gateway_down: 502,
  rate_limited: 429,
  bad_pin: 400,
  unknown_node: 404,
  refused_by_policy: 403,
  error: 500,
};

export function httpStatusFor(outcome: { result: string }): number {
  return STATUS_BY_RESULT[outcome.result] ?? 200;
}
