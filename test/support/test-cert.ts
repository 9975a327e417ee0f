/**
 * Certificates for HTTPS tests, made by openssl at test time (node:crypto cannot issue X.509
 * certificates): a throwaway CA, a server certificate it issued for 127.0.0.1 and localhost, and a
 * second, unrelated self-signed one to play an impostor. Keys are EC P-256 (quick to make), in 0600
 * files; nothing is passed on a command line but file names. Callers check requireTool(t, 'openssl').
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA's certificate: what a client trusts. */
  caPath: string;
  caPem: string;
  /** The server's certificate (issued by the CA) and its key, mode 0600. */
  certPath: string;
  certPem: string;
  keyPath: string;
  /** A self-signed certificate for the same names, with its own key: not the server. */
  impostorCertPath: string;
  impostorKeyPath: string;
  /** base64 SHA-256 of the server certificate's public key (what chromium's SPKI allow-list takes). */
  spkiSha256: string;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ecKey(dir: string, name: string): string {
  openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
  chmodSync(join(dir, name), 0o600);
  return join(dir, name);
}

export function makeTestCertificates(dir: string): TestCertificates {
  ecKey(dir, 'ca.key');
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl(dir, 'req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', '/CN=MySeal test CA', ...ca, '-out', 'ca.pem');

  const keyPath = ecKey(dir, 'server.key');
  openssl(dir, 'req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr');
  writeFileSync(
    join(dir, 'server.ext'),
    ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'),
  );
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', 'server.ext', '-out', 'server.pem');

  const impostorKeyPath = ecKey(dir, 'impostor.key');
  const names = ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  openssl(dir, 'req', '-x509', '-new', '-key', 'impostor.key', '-sha256', '-days', '2', '-subj', '/CN=localhost', ...names, '-out', 'impostor.pem');

  const certPem = readFileSync(join(dir, 'server.pem'), 'utf8');
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return {
    caPath: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certPath: join(dir, 'server.pem'),
    certPem,
    keyPath,
    impostorCertPath: join(dir, 'impostor.pem'),
    impostorKeyPath,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}
