/**
 * Stateless sealing and opening of one frame. No counters or challenges are tracked here: the
 * caller supplies them (controller-channel.ts holds the controller's state). The order of checks
 * in openFrame is normative (docs/protocol.md, "Receiving a frame").
 */
import { ErrorCode, fail, ok } from '../errors.ts';
import type { Result } from '../errors.ts';
import { ccmOpen, ccmSeal } from '../crypto/ccm.ts';
import { KEY_LENGTH, MAX_BODY_LENGTH, TAG_LENGTH } from './constants.ts';
import { buildNonce, directionOf, encodeFrame, FrameKind, parseFrame } from './frame.ts';
import type { Direction, FrameAddress } from './frame.ts';

export interface SealParams {
  key: Uint8Array;
  kind: FrameKind;
  address: FrameAddress;
  counter: number;
  /** Required for FrameKind.Critical, ignored otherwise. */
  challenge?: Uint8Array;
}

export function sealFrame(p: SealParams, body: Uint8Array): Uint8Array {
  if (p.key.length !== KEY_LENGTH) throw new RangeError('key must be 16 bytes');
  if (body.length < 1 || body.length > MAX_BODY_LENGTH) {
    throw new RangeError(`a body is 1 to ${MAX_BODY_LENGTH} bytes`);
  }
  const nonce = buildNonce(p.kind, p.address, p.counter, p.challenge);
  return encodeFrame({ kind: p.kind, counter: p.counter }, ccmSeal({ key: p.key, nonce, tagLength: TAG_LENGTH }, body));
}

export interface OpenParams {
  /** Keys to try in order (a rotated key awaiting confirmation, then the current one). */
  keys: readonly Uint8Array[];
  direction: Direction;
  address: FrameAddress;
  /**
   * The challenge a Critical frame must be bound to; undefined when the receiver holds none
   * (NO_CHALLENGE). Freshness of the challenge is the caller's business, after authenticity.
   */
  challenge?: Uint8Array;
}

export interface OpenedFrame {
  kind: FrameKind;
  counter: number;
  body: Uint8Array;
  /** Index into OpenParams.keys of the key that opened it. */
  keyIndex: number;
}

/**
 * Structural checks, then the tag. Never throws on any input. Freshness (the counter against the
 * last accepted one) is checked by the caller after this succeeds, so a stale but authentic frame
 * can be answered with the receiver's counter.
 */
export function openFrame(frame: Uint8Array, p: OpenParams): Result<OpenedFrame> {
  const parsed = parseFrame(frame, p.direction);
  if (!parsed.ok) return parsed;
  const { kind, counter, sealed } = parsed.value;
  if (kind === FrameKind.Critical && p.challenge === undefined) {
    return fail(ErrorCode.NO_CHALLENGE, 'critical frame but no challenge is outstanding', { counter });
  }
  if (sealed.length < TAG_LENGTH + 1) {
    return fail(ErrorCode.FRAME_TOO_SHORT, 'no body', { length: frame.length });
  }
  const nonce = buildNonce(kind, p.address, counter, kind === FrameKind.Critical ? p.challenge : undefined);
  for (let i = 0; i < p.keys.length; i++) {
    const key = p.keys[i]!;
    const body = ccmOpen({ key, nonce, tagLength: TAG_LENGTH }, sealed);
    if (body) return ok({ kind, counter, body, keyIndex: i });
  }
  return fail(ErrorCode.AUTH_FAILED, 'tag does not verify', { counter, direction: directionOf(kind) });
}
