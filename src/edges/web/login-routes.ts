/**
 * The page's routes of access: whether a login is needed and held (GET /api/session), the login
 * that trades the token, or a one-time code from a login link, for a session cookie (POST /login),
 * the logout (POST /logout), and the making of a login link (POST /api/login-link, with the token).
 *
 * The token typed at the login is compared in constant time and a code is looked up by its digest
 * (login-codes.ts); tries are limited per remote address, and a wrong one is counted and audited
 * before it is answered.
 *
 * A login link carries its code in the fragment (`/#login=CODE`): browsers never send a fragment to
 * the server or in a Referer, so the code sits in no access log; the page takes it out of the
 * address bar and POSTs it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebService } from '../../service/interfaces.ts';
import type { LoggerLike } from '../../service/ports.ts';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE, sessionCookie, tokenMatches } from '../http/auth.ts';
import type { RequestAuth } from '../http/auth.ts';
import { HttpError, readJson } from '../http/http-json.ts';
import type { ApiErrorBody, LoginAnswer, LoginLinkAnswer, LogoutAnswer, SessionAnswer } from './api-shapes.ts';
import { LoginCodeStore } from './login-codes.ts';
import { sendJson } from './security-headers.ts';
import { AttemptLimiter } from './sessions.ts';
import type { SessionStore } from './sessions.ts';

export const LOGIN_TRIES_PER_MINUTE = 5;

/** A wrong token at the login: the refusal's code in the counters and the result of its security event. */
export const LOGIN_FAILED = 'LOGIN_FAILED';

/** A login link's code that is used up, expired or was never made: a refusal like LOGIN_FAILED. */
export const LOGIN_LINK_REFUSED = 'LOGIN_LINK_REFUSED';

/** Where the page reads a login link's code: the fragment of its own address. */
export const LOGIN_LINK_FRAGMENT = 'login';

export interface LoginOptions {
  /** The API token; when set, the page needs a login. */
  token?: string;
  logger: LoggerLike;
  loginTriesPerMinute?: number;
  /** How long a login link's code works; LOGIN_CODE_TTL_MS by default. */
  loginCodeTtlMs?: number;
  clock: () => number;
}

function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '?';
}

export class LoginRoutes {
  private readonly limiter: AttemptLimiter;
  private readonly codes: LoginCodeStore;

  constructor(
    private readonly service: Pick<WebService, 'countCode' | 'recordAudit' | 'auditWritten'>,
    private readonly sessions: SessionStore,
    private readonly opts: LoginOptions,
  ) {
    this.limiter = new AttemptLimiter(opts.loginTriesPerMinute ?? LOGIN_TRIES_PER_MINUTE, opts.clock);
    this.codes = new LoginCodeStore({ ttlMs: opts.loginCodeTtlMs, clock: opts.clock });
  }

  /**
   * POST /api/login-link: a one-time code for another device, as the path of the page that uses it.
   * Only for the token itself (`myseal login-link` reads it from the token file): a session is
   * where a link leads, and must not be able to mint more of itself for other devices.
   */
  loginLink(res: ServerResponse, auth: RequestAuth, method: string): void {
    if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use POST');
    if (this.opts.token === undefined) throw new HttpError(400, 'NO_LOGIN_NEEDED', 'no token is configured: the page needs no login');
    if (auth !== 'token') throw new HttpError(403, 'TOKEN_REQUIRED', 'a login link is made with the API token (myseal login-link)');
    const { code, expiresAt } = this.codes.create();
    this.opts.logger.info({ expiresAt }, 'web login link made');
    const answer: LoginLinkAnswer = { path: `/#${LOGIN_LINK_FRAGMENT}=${code}`, expiresAt, validSeconds: Math.round(this.codes.ttlMs / 1000) };
    sendJson(res, 200, answer);
  }

  /** POST /login or POST /logout. */
  async loginOrOut(req: IncomingMessage, res: ServerResponse, path: '/login' | '/logout', method: string): Promise<void> {
    if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use POST');
    // The page always sends it; a cross-site form cannot (login CSRF, logout CSRF).
    if (req.headers[CSRF_HEADER] !== '1') throw new HttpError(403, 'CSRF', `${CSRF_HEADER}: 1 is required`);
    if (path === '/login') await this.login(req, res);
    else this.logout(req, res);
  }

  /** GET /api/session. */
  session(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): void {
    const headers: Record<string, string> = {};
    const id = cookieValue(req, SESSION_COOKIE);
    // Each page load renews the cookie's lifetime; the server's idle expiry is what really counts.
    if (auth === 'session' && id !== undefined) headers['set-cookie'] = sessionCookie(req, id, Math.floor(this.sessions.idleMs / 1000));
    const answer: SessionAnswer = { loginRequired: this.opts.token !== undefined, authenticated: auth !== 'none', via: auth };
    sendJson(res, 200, answer, headers);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.opts.token;
    if (token === undefined) throw new HttpError(400, 'NO_LOGIN_NEEDED', 'no token is configured: the page needs no login');
    const address = remoteAddress(req);
    if (!this.limiter.take(address)) {
      this.service.countCode('http', 'LOGIN_RATE_LIMITED', { remote: address });
      const retryAfter = this.limiter.retryAfter(address);
      const refusal: ApiErrorBody = { error: 'RATE_LIMITED', message: 'too many login tries: wait a minute', retryAfter };
      sendJson(res, 429, refusal, { 'retry-after': String(retryAfter) });
      return;
    }
    const body = await readJson(req);
    // {"code": ...} from a login link, or {"token": ...} typed in the form.
    const viaLink = typeof body.code === 'string';
    const accepted = viaLink ? this.codes.redeem(body.code as string) : tokenMatches(token, typeof body.token === 'string' ? body.token : undefined);
    if (!accepted) {
      const reason = viaLink ? LOGIN_LINK_REFUSED : LOGIN_FAILED;
      this.service.countCode('http', reason, { remote: address });
      this.service.recordAudit({ event: 'security', source: `http:${address}`, result: reason });
      // The refusal is answered once it is on record: a guesser learns nothing before the owner can.
      await this.service.auditWritten();
      const refusal: ApiErrorBody = viaLink
        ? { error: 'LINK_REFUSED', message: 'this login link is used up or expired: make a new one with myseal login-link' }
        : { error: 'WRONG_TOKEN', message: 'that is not the API token' };
      sendJson(res, 401, refusal);
      return;
    }
    const id = this.sessions.create();
    this.opts.logger.info({ remote: address, via: viaLink ? 'login link' : 'token' }, 'web login');
    const answer: LoginAnswer = { authenticated: true };
    sendJson(res, 200, answer, { 'set-cookie': sessionCookie(req, id, Math.floor(this.sessions.idleMs / 1000)) });
  }

  private logout(req: IncomingMessage, res: ServerResponse): void {
    const id = cookieValue(req, SESSION_COOKIE);
    if (id !== undefined) this.sessions.end(id);
    const answer: LogoutAnswer = { authenticated: false };
    sendJson(res, 200, answer, { 'set-cookie': sessionCookie(req, '', 0) });
  }
}
