/**
 * The service's web page: a PIN keypad, the node list, the audit log and the security events, live.
 * Plugged into the HTTP API (edges/http/api-server.ts) as its extra routes; who may ask is decided
 * there (edges/http/auth.ts):
 *
 *   GET  /                      the page (web/index.html)                       public
 *   GET  /assets/app.js|style.css|icon.svg                                       public
 *   GET  /api/session           {loginRequired, authenticated, via}              public
 *   POST /login                 {"token":"..."}: sets the session cookie          public, X-MySeal: 1
 *   POST /logout                ends the session, clears the cookie              public, X-MySeal: 1
 *   GET  /api/overview          gateway, every node's state, counters
 *   GET  /api/audit?limit=50[&event=security][&node=N]   recent audit entries, oldest first
 *   GET  /api/events            Server-Sent Events: `audit` entries as written, `node` states as
 *                               they change, a heartbeat comment every 15 s
 *
 * The keypad itself uses the API's own POST /api/nodes/N/digits, one digit at a time.
 *
 * Access: with no token configured (loopback only) everything is open, but only to requests whose
 * Host is a loopback name, so a web site the user visits cannot read the page or its data through
 * DNS rebinding. With a token, the page shows a login form; the token typed there is compared in
 * constant time and buys a session cookie (sessions.ts), which the API then accepts like the token.
 * Login tries are limited per remote address; wrong ones are counted and audited.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAuditLog } from '../../audit/reader.ts';
import type { AuditInput, AuditRecord } from '../../audit/schema.ts';
import type { WebService } from '../../service/interfaces.ts';
import type { LoggerLike } from '../../service/ports.ts';
import { noopLogger } from '../../service/ports.ts';
import type { NodeStateView } from '../../service/sessions/node-session.ts';
import { isMySealError } from '../../core/errors.ts';
import { MAX_NODE_ID, MIN_NODE_ID } from '../../core/protocol/node-id.ts';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE, sessionCookie, tokenMatches } from '../http/auth.ts';
import type { AuthOptions, RequestAuth } from '../http/auth.ts';
import type { ExtraRoutes } from '../http/api-server.ts';
import { HttpError, readJson, sendJson as sendApiJson } from '../http/http-json.ts';
import { AttemptLimiter, SessionStore } from './sessions.ts';
import { isStaticPath, SECURITY_HEADERS, serveStatic } from './static-files.ts';

export const HEARTBEAT_MS = 15_000;
/** A node heard through the gateway within this window counts as online. */
export const ONLINE_WINDOW_MS = 5 * 60 * 1000;
export const LOGIN_TRIES_PER_MINUTE = 5;
/** Event streams open at once; a browser tab holds one. */
export const MAX_STREAMS = 32;
/** A stream whose client stopped reading is dropped once this much waits unsent. */
const MAX_STREAM_BACKLOG = 256 * 1024;
const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 500;
/** Entries searched for `event=` filters: bounded work per request, whatever the log holds. */
const AUDIT_SCAN = 5000;

export interface WebOptions {
  /** The API token; when set, the page needs a login. */
  token?: string;
  /** Where audit.log lives (history for the page). */
  stateDir: string;
  logger?: LoggerLike;
  heartbeatMs?: number;
  onlineWindowMs?: number;
  loginTriesPerMinute?: number;
  sessionIdleMs?: number;
  maxStreams?: number;
  clock?: () => number;
}

/** A node as the page shows it: the session's state, how it was last heard, and what it is. */
export interface NodeSummary extends Partial<Omit<NodeStateView, 'node'>> {
  node: number;
  name: string | null;
  /** Has a key: the service holds a sealed session for it. */
  sealed: boolean;
  /** Takes PIN digits (the catalogue's lock child, configured or the default one of a sealed node). */
  lock: boolean;
  pinLength: number;
  /** The service's submit and clear keys: the page's Enter and Clear send these. */
  submitKey: string;
  clearKey: string;
  /** When the gateway last passed on anything from it (ms since the epoch), or null. */
  heardAt: number | null;
  messages: number;
  online: boolean;
  bufferedDigits: number;
}

interface Stream {
  res: ServerResponse;
  /** The digest of the session that opened it, if a cookie did: the stream ends with the session. */
  session?: string;
  end(): void;
}

function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '?';
}

/** The API's JSON answer, with the page's security headers. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  sendApiJson(res, status, body, { ...SECURITY_HEADERS, ...headers });
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
  private readonly limiter: AttemptLimiter;
  private readonly streams = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onAudit = (entry: AuditInput & { ts: string }): void => this.broadcast('audit', entry);
  private readonly onNode = (node: number): void => this.broadcast('node', { ...this.nodeSummary(node), now: this.clock() });

  constructor(service: WebService, opts: WebOptions) {
    this.service = service;
    this.opts = opts;
    this.log = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? Date.now;
    this.sessions = new SessionStore({ idleMs: opts.sessionIdleMs, clock: opts.clock });
    this.limiter = new AttemptLimiter(opts.loginTriesPerMinute ?? LOGIN_TRIES_PER_MINUTE, this.clock);
    // A stream opened with a session ends with it (logout, idle, evicted).
    this.sessions.onEnd((digest) => {
      for (const s of this.streams) if (s.session === digest) s.end();
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
    return this.streams.size;
  }

  /** Ends every event stream (the service is stopping). */
  close(): void {
    for (const s of [...this.streams]) s.end();
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, auth: RequestAuth): Promise<boolean> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const mine = isStaticPath(path) || ['/api/session', '/login', '/logout', '/api/overview', '/api/audit', '/api/events'].includes(path);
    if (!mine) return false;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (isStaticPath(path)) {
      await serveStatic(res, path, method);
      return true;
    }
    if (path === '/api/session' && method === 'GET') {
      this.session(req, res, auth);
      return true;
    }
    if (path === '/login' || path === '/logout') {
      if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use POST');
      // The page always sends it; a cross-site form cannot (login CSRF, logout CSRF).
      if (req.headers[CSRF_HEADER] !== '1') throw new HttpError(403, 'CSRF', `${CSRF_HEADER}: 1 is required`);
      if (path === '/login') await this.login(req, res);
      else this.logout(req, res);
      return true;
    }
    // Everything below needs a credential; ApiServer refused the request already if it had none.
    if (auth === 'none') return false;
    if (method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use GET');
    if (path === '/api/overview') {
      sendJson(res, 200, this.overview());
    } else if (path === '/api/audit') {
      // What the page shows includes every entry recorded before it asked.
      await this.service.auditWritten();
      sendJson(res, 200, this.auditHistory(url));
    } else {
      this.openStream(req, res, auth);
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

  overview(): {
    now: number;
    gateway: { connected: boolean; answering: boolean; lastHeard: number | null; description: string };
    onlineWindowMs: number;
    nodes: NodeSummary[];
    counters: Record<string, number>;
  } {
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

  private auditHistory(url: URL): { entries: AuditRecord[]; corrupt: number } {
    const limit = intParam(url, 'limit', 1, MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT);
    const node = url.searchParams.has('node') ? intParam(url, 'node', MIN_NODE_ID, MAX_NODE_ID, MIN_NODE_ID) : undefined;
    const event = url.searchParams.get('event') ?? undefined;
    if (event !== undefined && !/^[a-z_]{1,32}$/.test(event)) throw new HttpError(400, 'BAD_PARAMETER', 'event is an event name');
    try {
      const read = readAuditLog(this.opts.stateDir, { node, limit: event === undefined ? limit : AUDIT_SCAN });
      const entries = event === undefined ? read.entries : read.entries.filter((e) => e.event === event).slice(-limit);
      return { entries, corrupt: read.corrupt };
    } catch (e) {
      this.log.error({ code: isMySealError(e) ? e.codeName : 'error' }, 'audit log not readable for the web page');
      throw new HttpError(500, 'AUDIT_UNREADABLE', 'the audit log could not be read');
    }
  }

  // ---- access ----------------------------------------------------------------------------------

  private session(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): void {
    const headers: Record<string, string> = {};
    const id = cookieValue(req, SESSION_COOKIE);
    // Each page load renews the cookie's lifetime; the server's idle expiry is what really counts.
    if (auth === 'session' && id !== undefined) headers['set-cookie'] = sessionCookie(req, id, Math.floor(this.sessions.idleMs / 1000));
    sendJson(res, 200, { loginRequired: this.opts.token !== undefined, authenticated: auth !== 'none', via: auth }, headers);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.opts.token;
    if (token === undefined) throw new HttpError(400, 'NO_LOGIN_NEEDED', 'no token is configured: the page needs no login');
    const address = remoteAddress(req);
    if (!this.limiter.take(address)) {
      this.service.countCode('http', 'LOGIN_RATE_LIMITED', { remote: address });
      const retryAfter = this.limiter.retryAfter(address);
      sendJson(res, 429, { error: 'RATE_LIMITED', message: 'too many login tries: wait a minute', retryAfter }, { 'retry-after': String(retryAfter) });
      return;
    }
    const body = await readJson(req);
    const given = typeof body.token === 'string' ? body.token : undefined;
    if (!tokenMatches(token, given)) {
      this.service.countCode('http', 'LOGIN_FAILED', { remote: address });
      this.service.recordAudit({ event: 'security', source: `http:${address}`, result: 'LOGIN_FAILED' });
      // The refusal is answered once it is on record: a guesser learns nothing before the owner can.
      await this.service.auditWritten();
      sendJson(res, 401, { error: 'WRONG_TOKEN', message: 'that is not the API token' });
      return;
    }
    const id = this.sessions.create();
    this.log.info({ remote: address }, 'web login');
    sendJson(res, 200, { authenticated: true }, { 'set-cookie': sessionCookie(req, id, Math.floor(this.sessions.idleMs / 1000)) });
  }

  private logout(req: IncomingMessage, res: ServerResponse): void {
    const id = cookieValue(req, SESSION_COOKIE);
    if (id !== undefined) this.sessions.end(id);
    sendJson(res, 200, { authenticated: false }, { 'set-cookie': sessionCookie(req, '', 0) });
  }

  // ---- the event stream ------------------------------------------------------------------------

  private openStream(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): void {
    if (this.streams.size >= (this.opts.maxStreams ?? MAX_STREAMS)) {
      throw new HttpError(503, 'TOO_MANY_STREAMS', 'too many event streams are open');
    }
    const id = auth === 'session' ? cookieValue(req, SESSION_COOKIE) : undefined;
    let ended = false;
    const stream: Stream = {
      res,
      session: id !== undefined ? SessionStore.digest(id) : undefined,
      end: () => {
        if (ended) return;
        ended = true;
        this.streams.delete(stream);
        if (this.streams.size === 0) this.unsubscribe();
        res.end();
      },
    };
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n: connected\n\n');
    req.on('close', stream.end);
    res.on('close', stream.end);
    res.on('error', stream.end);
    if (this.streams.size === 0) this.subscribe();
    this.streams.add(stream);
  }

  private subscribe(): void {
    this.service.events.on('audit', this.onAudit);
    this.service.events.on('node', this.onNode);
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private unsubscribe(): void {
    this.service.events.off('audit', this.onAudit);
    this.service.events.off('node', this.onNode);
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private beat(): void {
    for (const s of [...this.streams]) {
      if (s.session !== undefined && !this.sessionAlive(s.session)) s.end();
      else this.write(s, `: heartbeat ${new Date(this.clock()).toISOString()}\n\n`);
    }
  }

  private sessionAlive(digest: string): boolean {
    // The store knows sessions by digest; a stream keeps only the digest, never the cookie.
    return this.sessions.aliveDigest(digest);
  }

  private broadcast(event: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of [...this.streams]) this.write(s, text);
  }

  private write(s: Stream, text: string): void {
    if (s.res.writableLength > MAX_STREAM_BACKLOG) {
      s.end();
      s.res.destroy();
      return;
    }
    s.res.write(text);
  }
}
