/**
 * The daemon's HTTP API: PIN digits from controllers, one-shot operations for the CLI and scripts,
 * and node state as JSON.
 *
 *   GET  /digit?node=N&d=D[&token=T]     a Domoticz selector level's http:// action (no headers);
 *                                        &wait=0 answers at once even for the last digit
 *   POST /api/nodes/N/digits             {"digits":"12"} or {"digit":"3"}: openHAB, Home Assistant, Node-RED
 *   POST /api/nodes/N/unlock             {"pin":"1234"}, and "legacyEcb":true to insist on the original format
 *   POST /api/nodes/N/lock | /status     {}
 *   POST /api/nodes/N/set-pin            {"oldPin":"1234","newPin":"5678"}
 *   GET  /api/nodes, /api/nodes/N        node state (N: with PIN entry's submitKey and clearKey)
 *   GET  /api/health                     gateway link and counters
 *
 * A digit that completes a PIN answers with the lock's sealed result; earlier digits answer at once.
 * Loopback by default; when a token is configured every request needs it (Authorization: Bearer,
 * or token= in the query for GET /digit alone, since Domoticz sends no headers; anywhere else token=
 * is refused, see authorize), or a session cookie from the
 * web page's login (src/web/): a cookie authorizes like the token, except that a state-changing
 * request carrying only the cookie must also carry `X-MySeal: 1`, which the page sends and a
 * cross-site form cannot (CSRF). Requests with the token (curl, Home Assistant) need no such header.
 *
 * With `tls` the same routes are served over HTTPS (http.tls in the configuration, src/http/tls.ts).
 *
 * Browsers: a request that names another site in Origin, Sec-Fetch-Site or Referer is refused on
 * every route (see refuseOtherSites). Slow and stuck clients: a request must arrive within its
 * header and request timeouts, and only so many connections are open at once (HttpLimits).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../config/host-port.ts';
import type { Daemon } from '../../service/daemon.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import type { DigitOutcome } from '../../service/lock/pin-entry.ts';
import { listenOn } from '../../io/listen.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { HSTS_HEADER } from './tls.ts';

/** Request bodies are a few bytes of JSON; anything bigger is refused before it is read. */
export const MAX_BODY_BYTES = 4096;

/**
 * How a request was authorized: `open` (no token configured: loopback only), `token` (Bearer or
 * token=), `session` (the web page's session cookie), or `none` (no valid credential: only the
 * public routes named by `isPublic` get that far).
 */
export type RequestAuth = 'open' | 'token' | 'session' | 'none';

/** The web page's login sessions (src/web/sessions.ts). */
export interface SessionVerifier {
  /** True for a live session id (and counts as activity for its idle expiry). */
  valid(id: string): boolean;
}

/** The web page's session cookie. */
export const SESSION_COOKIE = 'myseal_session';

/** The header a state-changing request authorized by the session cookie must carry, with value "1". */
export const CSRF_HEADER = 'x-myseal';

export interface ApiServerOptions {
  host: string;
  port: number;
  /** Required for any non-loopback address; when set, every request must carry it (or a session cookie). */
  token?: string;
  /** Session cookies from the web page's login, authorized like the token. */
  sessions?: SessionVerifier;
  /** Requests that need no credential even with a token configured: the page, its assets, its login. */
  isPublic?: (method: string, path: string) => boolean;
  /**
   * Serve HTTPS with this certificate and key (PEM): every answer then carries HSTS, and the web
   * page's session cookie is Secure. Plain HTTP otherwise.
   */
  tls?: { cert: string; key: string };
  /** Extra routes (the web page) get a first look at each request, once it is authorized. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL, auth: RequestAuth) => boolean | Promise<boolean>;
  /** Limits on slow and stuck clients; DEFAULT_HTTP_LIMITS for what is not given. */
  limits?: Partial<HttpLimits>;
}

/**
 * What a client gets before it is cut off. The timeouts cover receiving a request, not answering
 * it: a last digit's answer waits for the lock (the operation's timeout times its tries, behind
 * whatever the node had queued, src/protocol/operation.ts) and is never cut short by them.
 */
export interface HttpLimits {
  /** To send a request's headers: a keypad's client sends them in one go. */
  headersTimeoutMs: number;
  /** To send a whole request, headers and body (a body is at most MAX_BODY_BYTES). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; one more is closed as it comes, counted and logged (http:TOO_MANY_CONNECTIONS). */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

/**
 * How often Node's server looks for connections past their timeouts (its default, 30 s, would let
 * a stuck client stay three times its headers timeout): four times per timeout, at most once a second.
 */
function timeoutCheckInterval(limits: HttpLimits): number {
  return Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time token check: both sides hashed first, so neither length nor content leaks by timing. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(expected), digest(given));
}

/** The host name of a Host header, without the port or IPv6 brackets. */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]+)\](?::[0-9]*)?$/.exec(header);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return header.replace(/:[0-9]*$/, '');
}

/** An Origin or Referer header naming this server itself (same host:port as the Host header), or none at all. */
function namesThisServer(value: string | undefined, req: IncomingMessage): boolean {
  if (value === undefined) return true;
  try {
    return new URL(value).host === req.headers.host?.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * A page on another site must not drive the lock through the user's browser (typing digits from an
 * <img>, a form POST, or reading state after DNS rebinding). Browsers name the page a request comes
 * from in Sec-Fetch-Site and Origin; older ones, for an <img> or a link, only in Referer. Any of the
 * three naming another site refuses the request. Controllers and scripts send none of them.
 */
function refuseOtherSites(req: IncomingMessage): void {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site' || !namesThisServer(req.headers.origin, req) || !namesThisServer(req.headers.referer, req)) {
    throw new HttpError(403, 'CROSS_SITE', 'requests from other sites are refused');
  }
}

/** The value of one cookie of a request, if present. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `a request body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body of a request, as a JSON object. A plain-text body that is not a JSON object (openHAB's
 * HTTP binding without a transformation sends the bare command, "3") comes back as { text }.
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.length === 0) return {};
  const plain = req.headers['content-type']?.startsWith('text/plain') === true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (plain) return { text: text.trim() };
    throw new HttpError(400, 'BAD_JSON', 'the body is not JSON');
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  if (plain) return { text: text.trim() };
  throw new HttpError(400, 'BAD_JSON', 'the body is a JSON object');
}

/** GET /digit, the one route that takes the token in its query (see authorize). */
function isDigitRoute(method: string | undefined, pathname: string): boolean {
  return method === 'GET' && (pathname.replace(/\/+$/, '') || '/') === '/digit';
}

function nodeId(text: string | null | undefined): number {
  const node = parseNodeId(text);
  if (node === null) throw new HttpError(400, 'BAD_NODE_ID', `node is a number ${NODE_ID_RANGE}`);
  return node;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string') throw new HttpError(400, 'BAD_FIELD', `"${name}" must be a string`);
  return v;
}

export class ApiServer {
  private readonly server: Server;

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: ApiServerOptions,
  ) {
    if (!isLoopbackHost(opts.host) && !opts.token) {
      throw new MySealError(ErrorCode.BAD_CONFIG, 'an HTTP address other than loopback needs a token', { field: 'http.listen' });
    }
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      if (opts.tls) res.setHeader('strict-transport-security', HSTS_HEADER);
      this.handle(req, res).catch((e: unknown) => this.fail(req, res, e));
    };
    const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
    const serverOptions: ServerOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(limits),
    };
    this.server = opts.tls
      ? createHttpsServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, onRequest)
      : createServer(serverOptions, onRequest);
    // Past the cap Node closes a new connection at once, before reading from it.
    this.server.maxConnections = limits.maxConnections;
    this.server.on('drop', (peer) => {
      this.daemon.countCode('http', 'TOO_MANY_CONNECTIONS', { remoteAddress: peer?.remoteAddress ?? '?', limit: limits.maxConnections });
    });
    // A handshake that fails (plain HTTP sent to the HTTPS port, a client that does not trust the
    // certificate, a scanner): counted and logged like any refused request; the socket is closed.
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException) => {
      this.daemon.countCode('http', 'TLS_HANDSHAKE_FAILED', { reason: err.code ?? 'unknown' });
    });
    // A request Node's parser cannot read at all, or one past its timeout: counted like any refused
    // request, answered, closed. Closed for good: the server keeps a half-closed socket open for as
    // long as its client goes on sending, so ending our side alone would leave a stuck client a slot.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const [status, code] =
        err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'HEADERS_TOO_LARGE'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'REQUEST_TIMEOUT'] : [400, 'BAD_REQUEST'];
      this.daemon.countCode('http', code);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
    });
  }

  listen(): Promise<AddressInfo> {
    return listenOn(this.server, this.opts.port, this.opts.host);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    // A request whose connection went before its body was in (the client hung up, or was cut off
    // past its request timeout, which clientError has counted): nothing to answer, and no internal error.
    if (!(e instanceof HttpError) && !isMySealError(e) && req.destroyed && !req.complete) return;
    // Every refused request is counted under http:<CODE>, as bad input on the other ways in is.
    this.daemon.countCode('http', e instanceof HttpError ? e.code : isMySealError(e) ? e.codeName : 'INTERNAL');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof HttpError) {
      sendJson(res, e.status, { error: e.code, message: e.message });
    } else if (isMySealError(e)) {
      const status = e.code === ErrorCode.NO_KEY ? 404 : e.code === ErrorCode.RATE_LIMITED ? 429 : 400;
      sendJson(res, status, { error: e.codeName, message: e.reason });
    } else {
      sendJson(res, 500, { error: 'INTERNAL', message: 'internal error' });
    }
  }

  private authorize(req: IncomingMessage, url: URL): RequestAuth {
    if (!this.opts.token) return 'open';
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const inQuery = url.searchParams.get('token') ?? undefined;
    // token= is taken on GET /digit alone: a Domoticz selector's http:// action sends no headers, so
    // for it the query is the only place. A URL is copied into browser history, Referer headers and
    // proxy and server logs; every other route has a client that can send Authorization instead.
    if (inQuery !== undefined && bearer === undefined && !isDigitRoute(req.method, url.pathname)) {
      throw new HttpError(401, 'TOKEN_IN_QUERY', 'token= in the URL is taken only by GET /digit; send Authorization: Bearer <token>');
    }
    const given = bearer ?? inQuery;
    if (tokenMatches(this.opts.token, given)) return 'token';
    const session = cookieValue(req, SESSION_COOKIE);
    if (session !== undefined && this.opts.sessions?.valid(session)) return 'session';
    return 'none';
  }

  private source(req: IncomingMessage): string {
    return `http:${req.socket.remoteAddress ?? '?'}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const auth = this.authorize(req, url);
    refuseOtherSites(req);
    // Without a token (loopback), the Host must be a loopback name too (DNS rebinding).
    if (auth === 'open' && req.headers.host !== undefined && !isLoopbackHost(hostName(req.headers.host))) {
      throw new HttpError(403, 'BAD_HOST', 'without a token only loopback host names are served');
    }
    if (auth === 'none' && !this.opts.isPublic?.(method, url.pathname)) {
      throw new HttpError(401, 'UNAUTHORIZED', 'a valid token is required');
    }
    if (auth === 'session' && method !== 'GET' && method !== 'HEAD' && req.headers[CSRF_HEADER] !== '1') {
      // SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
      throw new HttpError(403, 'CSRF', `a request authorized by the session cookie must carry ${CSRF_HEADER}: 1`);
    }
    if (this.opts.extraRoutes && (await this.opts.extraRoutes(req, res, url, auth))) return;
    // Public means public to the extra routes only: the API itself always needs a credential.
    if (auth === 'none') throw new HttpError(401, 'UNAUTHORIZED', 'a valid token is required');
    const path = url.pathname.replace(/\/+$/, '') || '/';

    if (path === '/digit' && method === 'GET') {
      const node = nodeId(url.searchParams.get('node'));
      const key = url.searchParams.get('d') ?? '';
      const outcome = this.daemon.digit(node, key, this.source(req));
      if (outcome.state === 'submitted' && url.searchParams.get('wait') === '0') {
        // The result still reaches controllers, MQTT and the audit log; this caller just won't wait.
        outcome.result.catch(() => undefined);
        sendJson(res, 202, { state: 'submitted' });
        return;
      }
      await this.answerDigit(res, outcome);
      return;
    }
    if (path === '/api/health' && method === 'GET') {
      sendJson(res, 200, { ...this.daemon.health(), counters: Object.fromEntries(this.daemon.counters) });
      return;
    }
    if (path === '/api/nodes' && method === 'GET') {
      sendJson(res, 200, { nodes: this.daemon.nodeIds().map((n) => this.daemon.nodeView(n) ?? { node: n }) });
      return;
    }
    const m = /^\/api\/nodes\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
    if (!m) throw new HttpError(404, 'NOT_FOUND', 'no such resource');
    const node = nodeId(m[1]);
    const action = m[2];
    if (!action && method === 'GET') {
      const view = this.daemon.nodeView(node);
      if (!view) throw new HttpError(404, 'UNKNOWN_NODE', 'no sealed node with that id');
      sendJson(res, 200, { ...view, bufferedDigits: this.daemon.pinEntry.buffered(node), ...this.daemon.pinEntry.keys });
      return;
    }
    if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const body = await readJson(req);
    const source = this.source(req);
    switch (action) {
      case 'digits': {
        // {"digit":"3"}, {"digit":3}, {"digits":"12"}, or a text/plain body "3".
        const given = body.digit ?? body.digits ?? body.text;
        const keys = typeof given === 'number' && Number.isInteger(given) ? String(given) : given;
        if (typeof keys !== 'string') throw new HttpError(400, 'BAD_FIELD', 'send "digit" or "digits" as a string (or a text/plain body)');
        if (keys.length === 0 || keys.length > 10) throw new HttpError(400, 'BAD_FIELD', 'send 1 to 10 keys');
        let last: DigitOutcome<OutcomeReport> | undefined;
        for (const key of keys) {
          last = this.daemon.digit(node, key, source);
          if (last.state === 'submitted') break;
        }
        await this.answerDigit(res, last!);
        return;
      }
      case 'unlock': {
        // {"pin":"1234","legacyEcb":true}: `myseal unlock --legacy-ecb`, for a node in legacy mode.
        const legacy = body.legacyEcb;
        if (legacy !== undefined && typeof legacy !== 'boolean') throw new HttpError(400, 'BAD_FIELD', '"legacyEcb" must be true or false');
        return this.answerOutcome(res, await this.daemon.unlock(node, stringField(body, 'pin'), source, { legacy: legacy === true }));
      }
      case 'lock':
        return this.answerOutcome(res, await this.daemon.lock(node, source));
      case 'status':
        return this.answerOutcome(res, await this.daemon.status(node, source));
      case 'set-pin':
        return this.answerOutcome(res, await this.daemon.setPin(node, stringField(body, 'oldPin'), stringField(body, 'newPin'), source));
      default:
        throw new HttpError(404, 'NOT_FOUND', 'no such action');
    }
  }

  private async answerDigit(res: ServerResponse, outcome: DigitOutcome<OutcomeReport>): Promise<void> {
    if (outcome.state === 'submitted') {
      this.answerOutcome(res, await outcome.result);
    } else {
      sendJson(res, outcome.state === 'buffered' ? 202 : 200, outcome);
    }
  }

  private answerOutcome(res: ServerResponse, report: OutcomeReport): void {
    const { httpStatus, exitCode: _exitCode, ...body } = report;
    sendJson(res, httpStatus, body);
  }
}
