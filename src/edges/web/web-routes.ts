/**
 * The service's web page: a PIN keypad, the node list, the audit log and the security events, live.
 * Plugged into the HTTP API (edges/http/api-server.ts) as its extra routes; who may ask is decided
 * there (edges/http/auth.ts):
 *
 *   GET  /                      the page (web/index.html)                       public
 *   GET  /assets/app.js, /assets/modules/*.js, /assets/style.css, /assets/icon.svg,
 *        /manifest.webmanifest, /assets/icon-192.png, icon-512.png, apple-touch-icon.png   public
 *                               (static-files.ts; modules/vocabulary.js is written from vocabulary.ts)
 *   GET  /api/session           {loginRequired, authenticated, via}              public
 *   POST /login                 {"token":"..."}: sets the session cookie          public, X-MySeal: 1
 *   POST /logout                ends the session, clears the cookie              public, X-MySeal: 1
 *   POST /api/login-link        a one-time sign-in link for a phone: {path: "/#login=CODE", ...}
 *                               with the token only (myseal login-link; login-routes.ts)
 *   GET  /api/overview          gateway, every node's state, counters
 *   GET  /api/audit?limit=50[&event=security][&node=N]   recent audit entries, oldest first
 *   GET  /api/events            Server-Sent Events: `audit` entries as written, `node` states as
 *                               they change, a heartbeat comment every 15 s (event-streams.ts)
 *
 * The answers' shapes are api-shapes.ts. The keypad itself uses the API's own
 * POST /api/nodes/N/digits, one digit at a time.
 *
 * Access: with no token configured (loopback only) everything is open, but only to requests whose
 * Host is a loopback name, so a web site the user visits cannot read the page or its data through
 * DNS rebinding. With a token, the page shows a login form (login-routes.ts); the token typed there
 * buys a session cookie (sessions.ts), which the API then accepts like the token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAuditLog } from '../../audit/reader.ts';
import type { WebService } from '../../service/interfaces.ts';
import type { LoggerLike } from '../../service/ports.ts';
import { noopLogger } from '../../service/ports.ts';
import { isMySealError } from '../../core/errors.ts';
import { MAX_NODE_ID, MIN_NODE_ID } from '../../core/protocol/node-id.ts';
import type { AuthOptions, RequestAuth } from '../http/auth.ts';
import type { ExtraRoutes } from '../http/api-server.ts';
import { HttpError } from '../http/http-json.ts';
import type { AuditHistory, NodeSummary, Overview } from './api-shapes.ts';
import { EventStreams } from './event-streams.ts';
import { LoginRoutes } from './login-routes.ts';
import { SECURITY_HEADERS, sendJson } from './security-headers.ts';
import { SessionStore } from './sessions.ts';
import { isStaticPath, serveStatic } from './static-files.ts';

/** A node heard through the gateway within this window counts as online. */
export const ONLINE_WINDOW_MS = 5 * 60 * 1000;
const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 500;
/** Entries searched for `event=` filters: bounded work per request, whatever the log holds. */
const AUDIT_SCAN = 5000;

/** The routes answered here besides the page's files. */
const ROUTES: readonly string[] = ['/api/session', '/login', '/logout', '/api/login-link', '/api/overview', '/api/audit', '/api/events'];

export interface WebOptions {
  /** The API token; when set, the page needs a login. */
  token?: string;
  /** Where audit.log lives (history for the page). */
  stateDir: string;
  logger?: LoggerLike;
  heartbeatMs?: number;
  onlineWindowMs?: number;
  loginTriesPerMinute?: number;
  /** How long a login link works; LOGIN_CODE_TTL_MS by default. */
  loginCodeTtlMs?: number;
  sessionIdleMs?: number;
  maxStreams?: number;
  clock?: () => number;
}

function intParam(url: URL, name: string, min: number, max: number, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  if (!/^[0-9]{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new HttpError(400, 'BAD_PARAMETER', `${name} is an integer ${min}-${max}`);
  }
  return Number(text);
}

export class WebRoutes {
  readonly sessions: SessionStore;
  private readonly service: WebService;
  private readonly opts: WebOptions;
  private readonly log: LoggerLike;
  private readonly clock: () => number;
  private readonly access: LoginRoutes;
  private readonly streams: EventStreams;

  constructor(service: WebService, opts: WebOptions) {
    this.service = service;
    this.opts = opts;
    this.log = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? Date.now;
    this.sessions = new SessionStore({ idleMs: opts.sessionIdleMs, clock: opts.clock });
    this.access = new LoginRoutes(service, this.sessions, {
      token: opts.token,
      logger: this.log,
      loginTriesPerMinute: opts.loginTriesPerMinute,
      loginCodeTtlMs: opts.loginCodeTtlMs,
      clock: this.clock,
    });
    this.streams = new EventStreams(service.events, this.sessions, {
      heartbeatMs: opts.heartbeatMs,
      maxStreams: opts.maxStreams,
      clock: this.clock,
      nodeSummary: (node) => this.nodeSummary(node),
    });
  }

  /** What ApiServer needs to serve the page: the routes, what is public, and the sessions. */
  apiOptions(): Required<Pick<AuthOptions, 'isPublic' | 'sessions'>> & { extraRoutes: ExtraRoutes } {
    return {
      extraRoutes: (req, res, url, auth) => this.handle(req, res, url, auth),
      isPublic: (method, path) => this.isPublic(method, path),
      sessions: this.sessions,
    };
  }

  /** Reachable without a credential: the page and its files (to show the login form), and logging in and out. */
  isPublic(method: string, path: string): boolean {
    if (method === 'GET' || method === 'HEAD') return isStaticPath(path) || path === '/api/session';
    return method === 'POST' && (path === '/login' || path === '/logout');
  }

  /** Event streams open now. */
  get streamCount(): number {
    return this.streams.count;
  }

  /** Ends every event stream (the service is stopping). */
  close(): void {
    this.streams.close();
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, auth: RequestAuth): Promise<boolean> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (!isStaticPath(path) && !ROUTES.includes(path)) return false;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (isStaticPath(path)) {
      await serveStatic(res, path, method);
      return true;
    }
    if (path === '/api/session' && method === 'GET') {
      this.access.session(req, res, auth);
      return true;
    }
    if (path === '/login' || path === '/logout') {
      await this.access.loginOrOut(req, res, path, method);
      return true;
    }
    // Everything below needs a credential; ApiServer refused the request already if it had none.
    if (auth === 'none') return false;
    if (path === '/api/login-link') {
      this.access.loginLink(res, auth, method);
      return true;
    }
    if (method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use GET');
    if (path === '/api/overview') {
      sendJson(res, 200, this.overview());
    } else if (path === '/api/audit') {
      // What the page shows includes every entry recorded before it asked.
      await this.service.auditWritten();
      sendJson(res, 200, await this.auditHistory(url));
    } else {
      this.streams.open(req, res, auth);
    }
    return true;
  }

  // ---- data ------------------------------------------------------------------------------------

  nodeSummary(node: number, heard = this.heardMap()): NodeSummary {
    const { node: _node, ...state } = this.service.nodeView(node) ?? { node };
    const h = heard.get(node);
    return {
      node,
      ...this.service.nodeFacts(node),
      ...this.service.keys,
      ...state,
      heardAt: h?.lastSeen ?? null,
      messages: h?.messages ?? 0,
      online: h !== undefined && this.clock() - h.lastSeen <= (this.opts.onlineWindowMs ?? ONLINE_WINDOW_MS),
      bufferedDigits: this.service.bufferedDigits(node),
    };
  }

  overview(): Overview {
    const health = this.service.health();
    const heard = this.heardMap(health.nodes);
    return {
      now: this.clock(),
      gateway: { connected: health.gatewayConnected, answering: health.gatewayAnswering, lastHeard: health.gatewayLastHeard, description: health.gateway },
      onlineWindowMs: this.opts.onlineWindowMs ?? ONLINE_WINDOW_MS,
      nodes: this.service.nodeIds().map((n) => this.nodeSummary(n, heard)),
      counters: this.service.counterValues(),
    };
  }

  private heardMap(nodes = this.service.health().nodes): Map<number, { lastSeen: number; messages: number }> {
    return new Map(nodes.map((n) => [n.node, n]));
  }

  private async auditHistory(url: URL): Promise<AuditHistory> {
    const limit = intParam(url, 'limit', 1, MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT);
    const node = url.searchParams.has('node') ? intParam(url, 'node', MIN_NODE_ID, MAX_NODE_ID, MIN_NODE_ID) : undefined;
    const event = url.searchParams.get('event') ?? undefined;
    if (event !== undefined && !/^[a-z_]{1,32}$/.test(event)) throw new HttpError(400, 'BAD_PARAMETER', 'event is an event name');
    try {
      const read = await readAuditLog(this.opts.stateDir, { node, limit: event === undefined ? limit : AUDIT_SCAN });
      const entries = event === undefined ? read.entries : read.entries.filter((e) => e.event === event).slice(-limit);
      return { entries, corrupt: read.corrupt };
    } catch (e) {
      this.log.error({ code: isMySealError(e) ? e.codeName : 'error' }, 'audit log not readable for the web page');
      throw new HttpError(500, 'AUDIT_UNREADABLE', 'the audit log could not be read');
    }
  }
}
