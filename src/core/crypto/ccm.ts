/**
 * AES-128-CCM (RFC 3610, NIST SP 800-38C) on node:crypto.
 *
 * Generic over nonce length (7-13 bytes) and tag length (4-16, even) so the known-answer tests of
 * both standards run against the very code MySeal uses; sealed frames v1 always use a 13-byte nonce
 * and an 8-byte tag (docs/protocol.md).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CipherCCMTypes } from 'node:crypto';

export interface CcmParams {
  key: Uint8Array;
  nonce: Uint8Array;
  aad?: Uint8Array;
  tagLength: number;
}

function algorithm(key: Uint8Array): CipherCCMTypes {
  if (key.length !== 16) throw new RangeError('AES-128-CCM takes a 16-byte key');
  return 'aes-128-ccm';
}

/** Encrypts and authenticates: returns ciphertext followed by the tag. */
export function ccmSeal(p: CcmParams, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv(algorithm(p.key), p.key, p.nonce, { authTagLength: p.tagLength });
  cipher.setAAD(p.aad ?? new Uint8Array(0), { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(body.length + tag.length);
  out.set(body, 0);
  out.set(tag, body.length);
  return out;
}

/**
 * Verifies and decrypts ciphertext||tag. Returns null when the tag does not verify; the tag check
 * is OpenSSL's, in constant time, and no plaintext is released before it passes.
 */
export function ccmOpen(p: CcmParams, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < p.tagLength) return null;
  const bodyLength = sealed.length - p.tagLength;
  const decipher = createDecipheriv(algorithm(p.key), p.key, p.nonce, { authTagLength: p.tagLength });
  decipher.setAuthTag(sealed.subarray(bodyLength));
  decipher.setAAD(p.aad ?? new Uint8Array(0), { plaintextLength: bodyLength });
  let body: Buffer;
  try {
    body = decipher.update(sealed.subarray(0, bodyLength));
    decipher.final();
  } catch {
    return null;
  }
  return new Uint8Array(body);
}

/** One raw AES-128 block encryption (ECB of a single block): challenges and key rotation use it. */
export function aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length !== 16) throw new RangeError('an AES block is 16 bytes');
  if (key.length !== 16) throw new RangeError('AES-128 takes a 16-byte key');
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  const out = cipher.update(block);
  cipher.final();
  return new Uint8Array(out);
}
