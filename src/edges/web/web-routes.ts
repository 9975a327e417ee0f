/**
 * The daemon's web page: a PIN keypad, the node list, the audit log and the security events, live.
 * Plugged into the HTTP API (src/http/api-server.ts) as its extra routes:
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
import type { TLSSocket } from 'node:tls';
import { readAuditLog } from '../../audit/audit-log.ts';
import type { AuditInput, AuditRecord } from '../../audit/audit-log.ts';
import type { AuditSink, Daemon, LoggerLike, NodeOptions } from '../../service/daemon.ts';
import type { NodeStateView } from '../../service/sessions/node-session.ts';
import { isMySealError } from '../../core/errors.ts';
import { cookieValue, CSRF_HEADER, HttpError, readJson, sendJson as sendApiJson, SESSION_COOKIE, tokenMatches } from '../http/api-server.ts';
import type { ApiServerOptions, RequestAuth } from '../http/api-server.ts';
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
  /** Where failed logins are recorded (the daemon's audit log). */
  audit?: AuditSink;
  logger?: LoggerLike;
  /** The configured nodes: names, which child is the lock, PIN lengths. */
  nodes?: ReadonlyMap<number, NodeOptions>;
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
  /** Has a key: the daemon holds a sealed session for it. */
  sealed: boolean;
  /** Takes PIN digits (a lock child, configured or the default one of a sealed node). */
  lock: boolean;
  pinLength: number;
  /** The daemon's submit and clear keys (pinEntry.submitKey / clearKey): the page's Enter and Clear send these. */
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

const noopLogger: LoggerLike = { info() {}, warn() {}, error() {}, debug() {} };

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
  private readonly daemon: Daemon;
  private readonly opts: WebOptions;
  private readonly log: LoggerLike;
  private readonly clock: () => number;
  private readonly limiter: AttemptLimiter;
  private readonly streams = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onAudit = (entry: AuditInput & { ts: string }): void => this.broadcast('audit', entry);
  private readonly onNode = (node: number): void => this.broadcast('node', { ...this.nodeSummary(node), now: this.clock() });

  constructor(daemon: Daemon, opts: WebOptions) {
    this.daemon = daemon;
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
  apiOptions(): Required<Pick<ApiServerOptions, 'extraRoutes' | 'isPublic' | 'sessions'>> {
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

  /** Ends every event stream (the daemon is stopping). */
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
      sendJson(res, 200, this.auditHistory(url));
    } else {
      this.openStream(req, res, auth);
    }
    return true;
  }

  // ---- data ------------------------------------------------------------------------------------

  nodeSummary(node: number, heard = this.heardMap()): NodeSummary {
    const view = this.daemon.nodeView(node);
    const config = this.opts.nodes?.get(node);
    let lockChild: { pinLength?: number } | undefined;
    for (const child of config?.children.values() ?? []) {
      if (child.kind === 'lock') {
        lockChild = child;
        break;
      }
    }
    const configuredChildren = config !== undefined && config.children.size > 0;
    const h = heard.get(node);
    const now = this.clock();
    const { node: _node, ...state } = view ?? { node };
    return {
      node,
      name: config?.name ?? null,
      sealed: view !== undefined,
      // As the daemon decides: a configured lock child, else a sealed node's default lock child.
      lock: lockChild !== undefined || (view !== undefined && !configuredChildren),
      pinLength: Math.min(8, Math.max(4, lockChild?.pinLength ?? 4)),
      ...this.daemon.pinEntry.keys,
      ...state,
      heardAt: h?.lastSeen ?? null,
      messages: h?.messages ?? 0,
      online: h !== undefined && now - h.lastSeen <= (this.opts.onlineWindowMs ?? ONLINE_WINDOW_MS),
      bufferedDigits: this.daemon.pinEntry.buffered(node),
    };
  }

  overview(): {
    now: number;
    gateway: { connected: boolean; answering: boolean; lastHeard: number | null; description: string };
    onlineWindowMs: number;
    nodes: NodeSummary[];
    counters: Record<string, number>;
  } {
    const health = this.daemon.health();
    const heard = this.heardMap(health.nodes);
    return {
      now: this.clock(),
      gateway: { connected: health.gatewayConnected, answering: health.gatewayAnswering, lastHeard: health.gatewayLastHeard, description: health.gateway },
      onlineWindowMs: this.opts.onlineWindowMs ?? ONLINE_WINDOW_MS,
      nodes: this.daemon.nodeIds().map((n) => this.nodeSummary(n, heard)),
      counters: Object.fromEntries(this.daemon.counters),
    };
  }

  private heardMap(nodes = this.daemon.health().nodes): Map<number, { lastSeen: number; messages: number }> {
    return new Map(nodes.map((n) => [n.node, n]));
  }

  private auditHistory(url: URL): { entries: AuditRecord[]; corrupt: number } {
    const limit = intParam(url, 'limit', 1, MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT);
    const node = url.searchParams.has('node') ? intParam(url, 'node', 0, 255, 0) : undefined;
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
    if (auth === 'session' && id !== undefined) headers['set-cookie'] = this.cookie(req, id, Math.floor(this.sessions.idleMs / 1000));
    sendJson(res, 200, { loginRequired: this.opts.token !== undefined, authenticated: auth !== 'none', via: auth }, headers);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.opts.token;
    if (token === undefined) throw new HttpError(400, 'NO_LOGIN_NEEDED', 'no token is configured: the page needs no login');
    const address = remoteAddress(req);
    if (!this.limiter.take(address)) {
      this.bump('http:LOGIN_RATE_LIMITED');
      const retryAfter = this.limiter.retryAfter(address);
      sendJson(res, 429, { error: 'RATE_LIMITED', message: 'too many login tries: wait a minute', retryAfter }, { 'retry-after': String(retryAfter) });
      return;
    }
    const body = await readJson(req);
    const given = typeof body.token === 'string' ? body.token : undefined;
    if (!tokenMatches(token, given)) {
      this.bump('http:LOGIN_FAILED');
      this.log.warn({ remote: address }, 'web login with a wrong token');
      this.record({ event: 'security', source: `http:${address}`, result: 'LOGIN_FAILED' });
      sendJson(res, 401, { error: 'WRONG_TOKEN', message: 'that is not the API token' });
      return;
    }
    const id = this.sessions.create();
    this.log.info({ remote: address }, 'web login');
    sendJson(res, 200, { authenticated: true }, { 'set-cookie': this.cookie(req, id, Math.floor(this.sessions.idleMs / 1000)) });
  }

  private logout(req: IncomingMessage, res: ServerResponse): void {
    const id = cookieValue(req, SESSION_COOKIE);
    if (id !== undefined) this.sessions.end(id);
    sendJson(res, 200, { authenticated: false }, { 'set-cookie': this.cookie(req, '', 0) });
  }

  private cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
    // Secure when the request came over TLS (http.tls): the browser then never sends the cookie
    // over plain HTTP. Without TLS a Secure cookie would not be sent back at all, so it is left off.
    const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${tls ? '; Secure' : ''}`;
  }

  private bump(key: string): void {
    this.daemon.counters.set(key, (this.daemon.counters.get(key) ?? 0) + 1);
  }

  /** An audit entry of the web page's own (a failed login): to the log, and live to the page. */
  private record(entry: AuditInput): void {
    try {
      this.opts.audit?.append(entry);
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : 'unknown' }, 'audit log write failed');
    }
    this.daemon.events.emit('audit', { ts: new Date(this.clock()).toISOString(), ...entry });
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
    this.daemon.events.on('audit', this.onAudit);
    this.daemon.events.on('node', this.onNode);
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private unsubscribe(): void {
    this.daemon.events.off('audit', this.onAudit);
    this.daemon.events.off('node', this.onNode);
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
