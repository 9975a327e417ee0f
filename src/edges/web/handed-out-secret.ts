/**
 * Secrets the web edge hands out once and never keeps: a session's cookie, a login link's code.
 * Each is 32 random bytes in base64url; the daemon keeps only its SHA-256, so a memory dump shows no
 * usable secret, and a lookup compares digests, not the secret (its time gives nothing away).
 */
import { createHash, randomBytes } from 'node:crypto';

const SECRET_BYTES = 32;
/** base64url of SECRET_BYTES, without padding. */
const SECRET_FORM = /^[A-Za-z0-9_-]{43}$/;

/** How a secret handed out once is kept: its SHA-256, never itself. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** A new secret, to hand out once, and the digest to keep. */
export function issueSecret(): { secret: string; digest: string } {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, digest: secretDigest(secret) };
}

/** The digest a presented secret is kept under, or undefined when it cannot be one of ours. */
export function presentedDigest(secret: string): string | undefined {
  return SECRET_FORM.test(secret) ? secretDigest(secret) : undefined;
}
