/**
 * HTTPS for the daemon's HTTP API and web page: the certificate and key files read and checked
 * before the daemon starts, and the warning for the one setup that sends secrets in clear text (an
 * address other than loopback, without TLS).
 *
 * The key is a secret like every other of MySeal's: its file must be ours and 0600, and it is
 * refused otherwise (readPrivateFile). Nothing read from either file ever goes into a message.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatHostPort, isLoopbackHost } from '../../config/host-port.ts';
import type { HostPort, TlsFiles } from '../../config/types.ts';
import { ErrorCode, MySealError, errnoCode } from '../../core/errors.ts';
import { readPrivateFile } from '../../store/state-dir.ts';

/** PEM files are a few KiB; a certificate chain a few more. */
const MAX_PEM_BYTES = 64 * 1024;

/** What the HTTPS server is made with: the PEM text of both files. */
export interface TlsCredentials {
  cert: string;
  key: string;
  /** The certificate's end of validity, as the certificate states it. */
  validTo: string;
  /** Whether the certificate is past its end of validity now. */
  expired: boolean;
}

/**
 * HSTS: once a browser has seen the page over HTTPS it refuses plain HTTP to this host name for a
 * year, so no one on the network can quietly downgrade a later visit. It covers every port of the
 * host name (not subdomains); browsers ignore it for IP addresses and after certificate errors.
 */
export const HSTS_HEADER = 'max-age=31536000';

function bad(field: string, message: string): MySealError {
  return new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${message}`, { field });
}

/** Reads and checks both files: a private key file, a certificate that parses, and the two belonging together. */
export function readTlsFiles(files: TlsFiles, now: Date = new Date()): TlsCredentials {
  const keyBytes = readPrivateFile(files.key, MAX_PEM_BYTES);
  if (keyBytes === undefined) throw bad('http.tls.key', `the key file ${files.key} does not exist`);
  if (keyBytes.length > MAX_PEM_BYTES) throw bad('http.tls.key', `the key file ${files.key} is larger than ${MAX_PEM_BYTES} bytes`);
  const key = Buffer.from(keyBytes).toString('utf8');
  keyBytes.fill(0);

  let cert: string;
  try {
    cert = readFileSync(files.cert, 'utf8');
  } catch (e) {
    const code = errnoCode(e) ?? 'unknown error';
    throw bad('http.tls.cert', code === 'ENOENT' ? `the certificate file ${files.cert} does not exist` : `cannot read ${files.cert} (${code})`);
  }
  if (cert.length > MAX_PEM_BYTES) throw bad('http.tls.cert', `the certificate file ${files.cert} is larger than ${MAX_PEM_BYTES} bytes`);

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    // The parser's message is not repeated: it could quote the file.
    throw bad('http.tls.key', `${files.key} does not hold a private key in PEM form (an encrypted key is not supported)`);
  }
  let x509: X509Certificate;
  try {
    // The first certificate of the file is the server's own; any after it are the chain.
    x509 = new X509Certificate(cert);
  } catch {
    throw bad('http.tls.cert', `${files.cert} does not hold a certificate in PEM form`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw bad('http.tls.key', `${files.key} is not the private key of the certificate in ${files.cert}`);
  }
  return { cert, key, validTo: x509.validTo, expired: now.getTime() > Date.parse(x509.validTo) };
}

/**
 * The warning for an HTTP API reachable from the network without TLS: the API token, the login and
 * its session cookie, and every PIN digit cross the network in clear text, for anyone on it to read.
 * Undefined when there is nothing to warn about (loopback, or TLS on).
 */
export function clearTextWarning(listen: HostPort, tls: TlsFiles | undefined): string | undefined {
  if (tls !== undefined || isLoopbackHost(listen.host)) return undefined;
  return (
    `the HTTP API on ${formatHostPort(listen)} is reachable from the network without TLS: the API token, ` +
    'the web login and its session cookie, and every PIN digit cross the network in clear text; ' +
    'set http.tls (--http-tls-cert, --http-tls-key) to serve HTTPS'
  );
}
