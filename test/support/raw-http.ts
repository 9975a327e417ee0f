/**
 * A raw HTTP(S) client for tests: the request path is sent exactly as given, where fetch would
 * normalize `..` and percent-encodings away (the path traversal tests need them on the wire).
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** HTTPS, trusting this CA certificate (PEM) alone. */
  ca?: string;
}

/** One request with the path sent exactly as given (no URL normalization); HTTPS when `ca` is given. */
export function raw(port: number, path: string, init: RawInit = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers };
    const send = init.ca === undefined ? request : httpsRequest;
    const req = send({ ...options, ...(init.ca === undefined ? {} : { ca: init.ca }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
