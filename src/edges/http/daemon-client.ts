/**
 * How a command reaches the running daemon's HTTP API: its address from the configuration, the API
 * token from its file, and, when the daemon serves HTTPS (http.tls), a TLS connection that trusts
 * exactly the daemon's own certificate, read from the file the daemon serves it from. The token goes
 * out only once the daemon has shown that certificate.
 *
 * The commands run on the daemon's machine with its configuration, so they know that file.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { formatHostPort } from '../../config/host-port.ts';
import type { ClientConfig } from '../../config/client-config.ts';
import { ErrorCode, MySealError, errnoCode } from '../../core/errors.ts';
import { readApiToken } from './api-token.ts';

export interface DaemonAnswer {
  status: number;
  /** The JSON answer, or {} when the body was not JSON. */
  body: Record<string, unknown>;
}

export interface DaemonCall {
  method?: 'GET' | 'POST';
  body?: unknown;
  timeoutMs: number;
}

/** Answers are a few hundred bytes of JSON; a daemon sending more is not the daemon. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The daemon's address as the configuration gives it, with the scheme it serves (for messages). */
export function daemonUrl(config: ClientConfig): string {
  return `${config.http.tls ? 'https' : 'http'}://${formatHostPort(config.http.listen)}/`;
}

/**
 * What to tell someone whose token the daemon refused (a 401): which setting to look at, not the
 * daemon's generic words, since "failed" or "unauthorized" does not say where the fix is.
 */
export function tokenRefusal(config: ClientConfig): string {
  return config.http.tokenFile
    ? `the daemon at ${daemonUrl(config)} refused the API token in ${config.http.tokenFile} (http.tokenFile): is it the daemon's token file?`
    : `the daemon at ${daemonUrl(config)} wants an API token: set http.tokenFile to the daemon's token file`;
}

/** The API token, if one is configured. */
function bearer(config: ClientConfig): Record<string, string> {
  return config.http.tokenFile ? { authorization: `Bearer ${readApiToken(config.http.tokenFile)}` } : {};
}

/** The certificate the daemon serves (the first of its file), as DER: the one a TLS connection must show. */
async function expectedCertificate(certFile: string): Promise<Buffer> {
  let pem: string;
  try {
    pem = readFileSync(certFile, 'utf8');
  } catch (e) {
    throw new MySealError(ErrorCode.BAD_CONFIG, `cannot read the daemon's certificate ${certFile} (${errnoCode(e) ?? 'unknown error'})`, { field: 'http.tls.cert' });
  }
  const { X509Certificate } = await import('node:crypto');
  try {
    return new X509Certificate(pem).raw;
  } catch {
    throw new MySealError(ErrorCode.BAD_CONFIG, `${certFile} does not hold a certificate in PEM form`, { field: 'http.tls.cert' });
  }
}

/**
 * A TLS connection to the daemon that is used only once the certificate it shows is, byte for byte,
 * the one in the daemon's certificate file. That pins the daemon itself: the handshake proves the
 * other end holds that certificate's private key, whoever issued it (a self-signed certificate, a
 * private CA, a public one) and whatever name it carries, so neither a chain nor the host name is
 * checked besides. Nothing (no token) is written before the check.
 */
async function pinnedConnection(host: string, port: number, expected: Buffer, signal: AbortSignal): Promise<TLSSocket> {
  const { connect: connectTls } = await import('node:tls');
  const socket = connectTls({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
  try {
    await once(socket, 'secureConnect', { signal });
  } catch (e) {
    socket.destroy();
    throw e;
  }
  if (!socket.getPeerCertificate().raw?.equals(expected)) {
    socket.destroy();
    throw new MySealError(ErrorCode.BAD_CONFIG, `the daemon at ${formatHostPort({ host, port })} did not present the certificate in http.tls.cert`, {
      field: 'http.tls.cert',
    });
  }
  return socket;
}

/**
 * One request to the daemon (`path` with its query). Resolves with any HTTP answer; rejects with
 * MySealError BAD_CONFIG for a token or certificate problem, and with the connection's error when
 * no daemon answers.
 */
export async function callDaemon(config: ClientConfig, path: string, call: DaemonCall): Promise<DaemonAnswer> {
  const { host, port } = config.http.listen;
  const headers: Record<string, string> = { ...bearer(config) };
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const signal = AbortSignal.timeout(call.timeoutMs);
  const options: RequestOptions = { host, port, path, method: call.method ?? 'GET', headers, signal };
  if (config.http.tls) {
    // TLS and certificates are loaded only for an HTTPS daemon: `myseal digit` runs per key press and starts faster without.
    const socket = await pinnedConnection(host, port, await expectedCertificate(config.http.tls.cert), signal);
    // The verified socket carries the request: plain HTTP spoken over it.
    options.createConnection = () => socket;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) res.destroy(new Error('the answer is too large'));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = {};
        }
        const json = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
        resolve({ status: res.statusCode ?? 0, body: json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
