/**
 * The two values a node derives with AES from its key, so it needs no random number generator.
 *
 * Both AES inputs start with a byte that has bit 7 set. Every block CCM itself enciphers directly
 * (B0 and the counter blocks A_i) starts with a flags byte whose bit 7 is reserved and zero, so these
 * derivations never compute a block that CCM also computes under the same key.
 */
import { aes128EncryptBlock } from '../crypto/ccm.ts';
import { writeU32BE } from '../bytes.ts';
import { CHALLENGE_LENGTH, KEY_LENGTH, ROTATION_SEED_LENGTH } from './constants.ts';

export const CHALLENGE_DOMAIN = 0xc3;
export const ROTATION_DOMAIN = 0xcb;

/**
 * The challenge a node hands out in the result frame whose own counter is `resultCounter`:
 *   AES_K( C3 | node | child | 00 | resultCounter (BE32) | 00 x 8 )[0..4]
 * Node counters never repeat, so no two challenges come from the same input; the challenge travels
 * only inside a sealed result, so it is secret as well as unpredictable.
 */
export function deriveChallenge(key: Uint8Array, nodeId: number, child: number, resultCounter: number): Uint8Array {
  const block = new Uint8Array(16);
  block[0] = CHALLENGE_DOMAIN;
  block[1] = nodeId;
  block[2] = child;
  writeU32BE(block, 4, resultCounter);
  return aes128EncryptBlock(key, block).subarray(0, CHALLENGE_LENGTH);
}

/**
 * The key that replaces `oldKey` after a rotate-key command carrying `seed` (11 random bytes from
 * the controller):  AES_oldK( CB | node | seed (11) | 00 00 00 ).
 * Someone without the old key learns nothing of the new one; someone with it could also have read a
 * new key sent in full, so deriving costs no security and lets the rotation fit in one frame.
 */
export function deriveRotatedKey(oldKey: Uint8Array, nodeId: number, seed: Uint8Array): Uint8Array {
  if (seed.length !== ROTATION_SEED_LENGTH) throw new RangeError(`a rotation seed is ${ROTATION_SEED_LENGTH} bytes`);
  const block = new Uint8Array(16);
  block[0] = ROTATION_DOMAIN;
  block[1] = nodeId;
  block.set(seed, 2);
  const key = aes128EncryptBlock(oldKey, block);
  if (key.length !== KEY_LENGTH) throw new Error('unreachable');
  return key;
}
