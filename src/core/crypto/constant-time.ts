import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for tags and PINs. Length is not secret (both are fixed-size in MySeal),
 * so unequal lengths return false at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
