/**
 * The service's HTTP server: PIN digits from controllers, one-shot operations for the CLI and
 * scripts, and node state as JSON (api-routes.ts), with the web page's routes plugged in first
 * (edges/web). Who may ask is decided in auth.ts.
 *
 * With `tls` the same routes are served over HTTPS (http.tls in the configuration, tls.ts).
 *
 * Slow and stuck clients: a request must arrive within its header and request timeouts, and only
 * so many connections are open at once (HttpLimits).
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../config/host-port.ts';
import type { ApiService } from '../../service/interfaces.ts';
import { listenOn } from '../../io/listen.ts';
import { authenticate } from './auth.ts';
import type { AuthOptions, RequestAuth } from './auth.ts';
import { serveApi } from './api-routes.ts';
import { HttpError, sendJson } from './http-json.ts';
import { HSTS_HEADER } from './tls.ts';

/** Routes served beside the API (the web page): a first look at each authorized request; true when served. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, url: URL, auth: RequestAuth) => boolean | Promise<boolean>;

export interface ApiServerOptions extends AuthOptions {
  host: string;
  port: number;
  /**
   * Serve HTTPS with this certificate and key (PEM): every answer then carries HSTS, and the web
   * page's session cookie is Secure. Plain HTTP otherwise.
   */
  tls?: { cert: string; key: string };
  extraRoutes?: ExtraRoutes;
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

export class ApiServer {
  private readonly server: Server;

  constructor(
    private readonly service: ApiService,
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
      this.service.countCode('http', 'TOO_MANY_CONNECTIONS', { remoteAddress: peer?.remoteAddress ?? '?', limit: limits.maxConnections });
    });
    // A handshake that fails (plain HTTP sent to the HTTPS port, a client that does not trust the
    // certificate, a scanner): counted and logged like any refused request; the socket is closed.
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException) => {
      this.service.countCode('http', 'TLS_HANDSHAKE_FAILED', { reason: err.code ?? 'unknown' });
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
      this.service.countCode('http', code);
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
    this.service.countCode('http', e instanceof HttpError ? e.code : isMySealError(e) ? e.codeName : 'INTERNAL');
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = authenticate(req, url, this.opts);
    if (this.opts.extraRoutes && (await this.opts.extraRoutes(req, res, url, auth))) return;
    // Public means public to the extra routes only: the API itself always needs a credential.
    if (auth === 'none') throw new HttpError(401, 'UNAUTHORIZED', 'a valid token is required');
    await serveApi(this.service, req, res, url);
  }
}
