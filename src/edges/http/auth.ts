/**
 * Who may use the HTTP API and the web page, decided in this one module. Loopback by default; when a
 * token is configured every request needs it (Authorization: Bearer, or token= in the query for
 * GET /digit alone, since Domoticz sends no headers; anywhere else token= is refused), or the web
 * page's session cookie: a cookie authorizes like the token, except that a state-changing request
 * carrying only the cookie must also carry `X-MySeal: 1`, which the page sends and a cross-site form
 * cannot (CSRF). Requests with the token (curl, Home Assistant) need no such header.
 *
 * Browsers: a request that names another site in Origin, Sec-Fetch-Site or Referer is refused on
 * every route. Without a token the Host must be a loopback name too (DNS rebinding).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLoopbackHost } from '../../config/host-port.ts';
import { HttpError } from './http-json.ts';

/**
 * How a request was authorized: `open` (no token configured: loopback only), `token` (Bearer or
 * token=), `session` (the web page's session cookie), or `none` (no valid credential: only the
 * public routes get that far).
 */
export type RequestAuth = 'open' | 'token' | 'session' | 'none';

/** The web page's login sessions (edges/web/sessions.ts). */
export interface SessionVerifier {
  /** True for a live session id (and counts as activity for its idle expiry). */
  valid(id: string): boolean;
}

/** The web page's session cookie. */
export const SESSION_COOKIE = 'myseal_session';

/** The header a state-changing request authorized by the session cookie must carry, with value "1". */
export const CSRF_HEADER = 'x-myseal';

export interface AuthOptions {
  /** When set, every request must carry it (or a session cookie). */
  token?: string;
  sessions?: SessionVerifier;
  /** Requests that need no credential even with a token configured: the page, its assets, its login. */
  isPublic?: (method: string, path: string) => boolean;
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

/**
 * The Set-Cookie value of the session cookie. Secure when the request came over TLS (http.tls):
 * the browser then never sends the cookie over plain HTTP. Without TLS a Secure cookie would not be
 * sent back at all, so it is left off.
 */
export function sessionCookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${tls ? '; Secure' : ''}`;
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

/** GET /digit, the one route that takes the token in its query. */
function isDigitRoute(method: string | undefined, pathname: string): boolean {
  return method === 'GET' && (pathname.replace(/\/+$/, '') || '/') === '/digit';
}

function credential(req: IncomingMessage, url: URL, opts: AuthOptions): RequestAuth {
  if (!opts.token) return 'open';
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const inQuery = url.searchParams.get('token') ?? undefined;
  // token= is taken on GET /digit alone: a Domoticz selector's http:// action sends no headers, so
  // for it the query is the only place. A URL is copied into browser history, Referer headers and
  // proxy and server logs; every other route has a client that can send Authorization instead.
  if (inQuery !== undefined && bearer === undefined && !isDigitRoute(req.method, url.pathname)) {
    throw new HttpError(401, 'TOKEN_IN_QUERY', 'token= in the URL is taken only by GET /digit; send Authorization: Bearer <token>');
  }
  if (tokenMatches(opts.token, bearer ?? inQuery)) return 'token';
  const session = cookieValue(req, SESSION_COOKIE);
  if (session !== undefined && opts.sessions?.valid(session)) return 'session';
  return 'none';
}

/**
 * How a request is authorized, or an HttpError refusing it. `none` comes back only for a public
 * route (isPublic), which then serves what needs no credential.
 */
export function authenticate(req: IncomingMessage, url: URL, opts: AuthOptions): RequestAuth {
  const method = req.method ?? 'GET';
  const auth = credential(req, url, opts);
  refuseOtherSites(req);
  if (auth === 'open' && req.headers.host !== undefined && !isLoopbackHost(hostName(req.headers.host))) {
    throw new HttpError(403, 'BAD_HOST', 'without a token only loopback host names are served');
  }
  if (auth === 'none' && !opts.isPublic?.(method, url.pathname)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'a valid token is required');
  }
  if (auth === 'session' && method !== 'GET' && method !== 'HEAD' && req.headers[CSRF_HEADER] !== '1') {
    // SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
    throw new HttpError(403, 'CSRF', `a request authorized by the session cookie must carry ${CSRF_HEADER}: 1`);
  }
  return auth;
}
