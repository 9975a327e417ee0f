/**
 * The shapes of the answers the web page gets, each defined once: the routes that send them declare
 * their results with these types (web-routes.ts, login.ts, event-streams.ts, and the API's digit
 * route), and the page's modules type-check against them through vocabulary.ts.
 *
 * Types only, importing only types: the page's type-check (web/tsconfig.json) reads this module, so
 * it must not reach the code that builds the answers.
 */
import type { AuditReadResult } from '../../audit/reader.ts';
import type { DigitOutcome } from '../../service/lock/pin-entry.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import type { NodeStateView } from '../../service/sessions/node-session.ts';
import type { NodeFacts } from '../../service/interfaces.ts';
import type { RequestAuth } from '../http/auth.ts';

export type { AuditRecord } from '../../audit/schema.ts';
export type { RequestAuth } from '../http/auth.ts';

/** Any refused request: a MySealError's code name or the HTTP edge's own (CSRF, BAD_HOST, ...). */
export interface ApiErrorBody {
  error: string;
  message?: string;
  /** Seconds, with a 429 from the login. */
  retryAfter?: number;
}

/** GET /api/session. */
export interface SessionAnswer {
  loginRequired: boolean;
  authenticated: boolean;
  via: RequestAuth;
}

/** POST /login: a session begun (the cookie is set). */
export interface LoginAnswer {
  authenticated: true;
}

/** POST /api/login-link: where a phone signs in once, without the token. */
export interface LoginLinkAnswer {
  /** The page's path with the one-time code in its fragment: `/#login=CODE`. */
  path: string;
  /** When the code stops working (ms since the epoch, the daemon's clock). */
  expiresAt: number;
  validSeconds: number;
}

/** POST /logout: the session ended (the cookie is cleared). */
export interface LogoutAnswer {
  authenticated: false;
}

/**
 * A node as the page shows it: the session's state (absent for a node without one), what the
 * catalogue says it is, the keypad's keys, and how it was last heard.
 */
export interface NodeSummary extends Partial<Omit<NodeStateView, 'node'>>, NodeFacts {
  node: number;
  /** The service's submit and clear keys: the page's Enter and Clear send these. */
  submitKey: string;
  clearKey: string;
  /** When the gateway last passed on anything from it (ms since the epoch), or null. */
  heardAt: number | null;
  messages: number;
  online: boolean;
  bufferedDigits: number;
}

/** The gateway link, as the page's header shows it. */
export interface GatewaySummary {
  connected: boolean;
  answering: boolean;
  lastHeard: number | null;
  description: string;
}

/** GET /api/overview. */
export interface Overview {
  /** The server's clock (ms since the epoch), so the page can tell ages without trusting its own. */
  now: number;
  gateway: GatewaySummary;
  onlineWindowMs: number;
  nodes: NodeSummary[];
  counters: Record<string, number>;
}

/** A `node` event on /api/events: the node's summary and the server's clock when it was sent. */
export type NodeEvent = NodeSummary & { now: number };

/** GET /api/audit: entries oldest first. An `audit` event on /api/events is one AuditRecord. */
export type AuditHistory = AuditReadResult;

/** What a submitted PIN came to, as the API sends it. */
export type OutcomeAnswer = OutcomeReport;

/** POST /api/nodes/N/digits: a key taken into the buffer, the buffer cleared, or the PIN's outcome. */
export type DigitAnswer = Exclude<DigitOutcome<never>, { state: 'submitted' }> | OutcomeAnswer;
