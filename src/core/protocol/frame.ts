/**
 * The wire format of sealed frames v1 (docs/protocol.md, "Frame layout"):
 *
 *   byte 0      header: direction (bit 7) | version (bits 6-4) | kind (bits 3-0)
 *   bytes 1-4   counter, 32-bit big-endian
 *   bytes 5..   CCM ciphertext of the body (1-12 bytes), then the 8-byte CCM tag
 *
 * and the 13-byte CCM nonce, which is never sent but rebuilt by the receiver:
 *
 *   byte 0      the header byte
 *   byte 1      MySensors sender id      (0 for controller-to-node frames: the gateway)
 *   byte 2      MySensors destination id (0 for node-to-controller frames)
 *   byte 3      MySensors child sensor id
 *   bytes 4-7   counter, big-endian
 *   bytes 8-12  the node's current challenge for CRITICAL frames, zero otherwise
 *
 * Parsing here is structural only and never throws; authenticity is seal.ts's job.
 */
import { ErrorCode, fail, ok } from '../errors.ts';
import type { Result } from '../errors.ts';
import { readU32BE, writeU32BE } from '../bytes.ts';
import {
  CHALLENGE_LENGTH,
  COUNTER_LENGTH,
  HEADER_LENGTH,
  MAX_COUNTER,
  MAX_FRAME_LENGTH,
  MIN_FRAME_LENGTH,
  NONCE_LENGTH,
  PROTOCOL_VERSION,
} from './constants.ts';

export enum Direction {
  ToNode = 0,
  ToController = 1,
}

export enum FrameKind {
  /** Controller to node, not bound to a challenge (status, lock, get-challenge, plain sets). */
  Command = 0,
  /** Controller to node, bound to the node's current challenge (unlock, set-PIN, rotate-key). */
  Critical = 1,
  /** Node to controller, answers one command and names its counter. */
  Result = 2,
  /** Node to controller, unsolicited (lock turned by hand, door contact, any value). */
  Report = 3,
}

export function directionOf(kind: FrameKind): Direction {
  return kind === FrameKind.Command || kind === FrameKind.Critical ? Direction.ToNode : Direction.ToController;
}

export interface FrameHeader {
  kind: FrameKind;
  counter: number;
}

/** Where a frame travels: the MySensors header fields that the nonce binds. */
export interface FrameAddress {
  sender: number;
  destination: number;
  child: number;
}

export interface ParsedFrame extends FrameHeader {
  headerByte: number;
  /** Ciphertext followed by the tag. */
  sealed: Uint8Array;
}

export function headerByte(kind: FrameKind): number {
  return (directionOf(kind) << 7) | (PROTOCOL_VERSION << 4) | kind;
}

export function encodeFrame(header: FrameHeader, sealed: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_LENGTH + COUNTER_LENGTH + sealed.length);
  frame[0] = headerByte(header.kind);
  writeU32BE(frame, HEADER_LENGTH, header.counter);
  frame.set(sealed, HEADER_LENGTH + COUNTER_LENGTH);
  return frame;
}

/**
 * Structural checks in the order a receiver must make them (each a distinct code, so the C++ node
 * and the vectors agree): length, version, direction, kind, counter not zero.
 */
export function parseFrame(frame: Uint8Array, expected: Direction): Result<ParsedFrame> {
  if (frame.length < MIN_FRAME_LENGTH) {
    return fail(ErrorCode.FRAME_TOO_SHORT, `a sealed frame has at least ${MIN_FRAME_LENGTH} bytes`, {
      length: frame.length,
    });
  }
  if (frame.length > MAX_FRAME_LENGTH) {
    return fail(ErrorCode.FRAME_TOO_LONG, `a sealed frame has at most ${MAX_FRAME_LENGTH} bytes`, {
      length: frame.length,
    });
  }
  const byte = frame[0]!;
  const version = (byte >> 4) & 0x7;
  if (version !== PROTOCOL_VERSION) {
    return fail(ErrorCode.BAD_VERSION, 'unsupported protocol version', { version });
  }
  const direction = byte >> 7;
  if (direction !== expected) {
    return fail(ErrorCode.WRONG_DIRECTION, 'frame travels the other way', { direction });
  }
  const kind = byte & 0x0f;
  if (kind > FrameKind.Report || directionOf(kind) !== expected) {
    return fail(ErrorCode.BAD_KIND, 'frame kind does not exist for this direction', { kind });
  }
  const counter = readU32BE(frame, HEADER_LENGTH);
  if (counter === 0) {
    return fail(ErrorCode.REPLAYED_COUNTER, 'counter 0 is never sent', { counter });
  }
  return ok({ headerByte: byte, kind, counter, sealed: frame.subarray(HEADER_LENGTH + COUNTER_LENGTH) });
}

export function buildNonce(
  kind: FrameKind,
  address: FrameAddress,
  counter: number,
  challenge?: Uint8Array,
): Uint8Array {
  if (!Number.isInteger(counter) || counter < 1 || counter > MAX_COUNTER) {
    throw new RangeError('counter out of range');
  }
  const nonce = new Uint8Array(NONCE_LENGTH);
  nonce[0] = headerByte(kind);
  nonce[1] = address.sender;
  nonce[2] = address.destination;
  nonce[3] = address.child;
  writeU32BE(nonce, 4, counter);
  if (kind === FrameKind.Critical) {
    if (!challenge || challenge.length !== CHALLENGE_LENGTH) throw new RangeError('a critical frame needs the challenge');
    nonce.set(challenge, 8);
  }
  return nonce;
}
