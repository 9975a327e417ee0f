/**
 * The words the daemon and its web page share, each defined once: the audit log's event names and
 * the refusal reasons of its security events with the labels the page shows for them, what a PIN
 * entry came to, the CSRF header; and, as types, the shapes of the page's API answers (api-shapes.ts).
 *
 * The page gets this module as it is: every value exported here is served to the browser as the
 * ES module /assets/modules/vocabulary.js (static-files.ts writes it from this module's exports),
 * and the page's modules type-check against these declarations through web/modules/vocabulary.d.ts.
 * So export only plain JSON values (and any types): nothing secret, no functions.
 */
import type { AuditEvent } from '../../audit/schema.ts';
import type { ErrorCodeName } from '../../core/errors.ts';
import { RAW_SEALED_FRAME_REFUSED } from '../../service/routing/from-controller.ts';
import { LOGIN_FAILED, LOGIN_LINK_REFUSED } from './login-routes.ts';

export { CSRF_HEADER } from '../http/auth.ts';
export { PIN_MIN_DIGITS } from '../../core/protocol/constants.ts';
export { LOGIN_LINK_FRAGMENT } from './login-routes.ts';
export type * from './api-shapes.ts';

// ---- labels ---------------------------------------------------------------------------------------

/** Every audit event by name: a new event without a label here does not compile. */
export const EVENT_LABELS: Readonly<Record<AuditEvent, string>> = {
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

/**
 * The `result` of a security event: the error code a frame was refused with, or one of the two
 * refusals that are not an error of the core (a failed web login by token or by link, a controller's
 * raw sealed frame).
 */
export type SecurityReason = ErrorCodeName | typeof LOGIN_FAILED | typeof LOGIN_LINK_REFUSED | typeof RAW_SEALED_FRAME_REFUSED;

/** What each refusal means, for people; a reason missing here shows as its code. */
export const SECURITY_REASONS: Readonly<Partial<Record<SecurityReason, string>>> = {
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
  [LOGIN_FAILED]: 'Wrong API token at the login',
  [LOGIN_LINK_REFUSED]: 'A login link used again, expired or made up',
  PLAIN_FROM_SEALED_NODE: 'Plain value from a sealed node dropped (forged on the gateway link or radio?)',
  [RAW_SEALED_FRAME_REFUSED]: 'A controller sent a raw sealed frame',
};

/** How the keypad's answer panel looks: good news, a mistake of the user's, or a failure. */
export type Tone = 'ok' | 'warn' | 'bad';

export interface OutcomeLabel {
  tone: Tone;
  text: string;
  /** A second, smaller line; for wrong_pin the page says how many attempts are left instead. */
  sub?: string;
}

/**
 * What a submitted PIN came to (OutcomeReport.result), as the keypad shows it. A result not listed
 * shows as a failure with the daemon's own text. Every key is a result the daemon reports
 * (vocabulary.test.ts holds them to outcome.ts).
 */
export const OUTCOME_LABELS: Readonly<Record<string, OutcomeLabel>> = {
  unlocked: { tone: 'ok', text: 'Unlocked' },
  locked: { tone: 'ok', text: 'Locked' },
  wrong_pin: { tone: 'warn', text: 'Wrong PIN' },
  locked_out: { tone: 'bad', text: 'Locked out' },
  rate_limited: { tone: 'bad', text: 'Too many tries', sub: 'wait a minute' },
  timeout: { tone: 'bad', text: 'No answer', sub: 'the lock did not reply' },
  gateway_down: { tone: 'bad', text: 'Gateway unreachable' },
  refused: { tone: 'bad', text: 'Refused by the lock' },
  sent_legacy: { tone: 'warn', text: 'Sent', sub: 'legacy format: not confirmed' },
};
