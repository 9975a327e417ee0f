/**
 * The page's public routes of access: whether a login is needed and held (GET /api/session), the
 * login that trades the token for a session cookie (POST /login), and the logout (POST /logout).
 *
 * The token typed at the login is compared in constant time; tries are limited per remote address,
 * and a wrong one is counted and audited before it is answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebService } from '../../service/interfaces.ts';
import type { LoggerLike } from '../../service/ports.ts';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE, sessionCookie, tokenMatches } from '../http/auth.ts';
import type { RequestAuth } from '../http/auth.ts';
import { HttpError, readJson } from '../http/http-json.ts';
import type { ApiErrorBody, LoginAnswer, LogoutAnswer, SessionAnswer } from './api-shapes.ts';
import { sendJson } from './security-headers.ts';
import { AttemptLimiter } from './sessions.ts';
import type { SessionStore } from './sessions.ts';

export const LOGIN_TRIES_PER_MINUTE = 5;

/** A wrong token at the login: the refusal's code in the counters and the result of its security event. */
export const LOGIN_FAILED = 'LOGIN_FAILED';

export interface LoginOptions {
  /** The API token; when set, the page needs a login. */
  token?: string;
  logger: LoggerLike;
  loginTriesPerMinute?: number;
  clock: () => number;
}

function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '?';
}

export class LoginRoutes {
  private readonly limiter: AttemptLimiter;

  constructor(
    private readonly service: Pick<WebService, 'countCode' | 'recordAudit' | 'auditWritten'>,
    private readonly sessions: SessionStore,
    private readonly opts: LoginOptions,
  ) {
    this.limiter = new AttemptLimiter(opts.loginTriesPerMinute ?? LOGIN_TRIES_PER_MINUTE, opts.clock);
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
    const given = typeof body.token === 'string' ? body.token : undefined;
    if (!tokenMatches(token, given)) {
      this.service.countCode('http', LOGIN_FAILED, { remote: address });
      this.service.recordAudit({ event: 'security', source: `http:${address}`, result: LOGIN_FAILED });
      // The refusal is answered once it is on record: a guesser learns nothing before the owner can.
      await this.service.auditWritten();
      const refusal: ApiErrorBody = { error: 'WRONG_TOKEN', message: 'that is not the API token' };
      sendJson(res, 401, refusal);
      return;
    }
    const id = this.sessions.create();
    this.opts.logger.info({ remote: address }, 'web login');
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
