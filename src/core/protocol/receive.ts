/**
 * The receive rules of sealed frames v1, as pure functions: every check a receiver makes, in the
 * normative order (docs/protocol.md, "Receiving a frame"), and the error code each one gives.
 * ControllerChannel uses the controller's side; the node's side is the reference the golden vectors
 * are judged by (scripts/generate-vectors.ts), which the node library (arduino/MySeal, run as
 * WebAssembly by src/node/wasm-node.ts) must match.
 *
 *   1. length 14..25                       FRAME_TOO_SHORT / FRAME_TOO_LONG
 *   2. version, direction, kind            BAD_VERSION / WRONG_DIRECTION / BAD_KIND
 *   3. counter not 0                       REPLAYED_COUNTER
 *   4. a challenge held, for Critical      NO_CHALLENGE
 *   5. the CCM tag                         AUTH_FAILED
 *   6. counter above the last accepted     REPLAYED_COUNTER   (authentic: may be answered)
 *   7. the challenge unused and in time    CHALLENGE_USED / CHALLENGE_EXPIRED (authentic and fresh:
 *                                          the counter is persisted, then answered with a new one)
 */
import { ErrorCode, fail, MySealError } from '../errors.ts';
import type { Result } from '../errors.ts';
import { GATEWAY_NODE_ID } from './constants.ts';
import { Direction, FrameKind } from './frame.ts';
import { openFrame } from './seal.ts';
import type { OpenedFrame } from './seal.ts';

const STALE = 'frame is not newer than the last one accepted';

export interface HeldChallengeState {
  bytes: Uint8Array;
  used: boolean;
  expired: boolean;
}

export interface NodeReceiverState {
  nodeId: number;
  key: Uint8Array;
  lastReceived: number;
  challenge: HeldChallengeState | null;
}

/** A frame as it reached the node: the MySensors sender and child it came with. */
export interface ArrivedAtNode {
  sender: number;
  child: number;
  frame: Uint8Array;
}

/** A refusal carries the opened frame when the tag verified: only then may the node answer it. */
export type NodeVerdict = { ok: true; frame: OpenedFrame } | { ok: false; error: MySealError; frame?: OpenedFrame };

/** Checks 1-7 for a frame arriving at a node. */
export function checkFrameAtNode(arrived: ArrivedAtNode, r: NodeReceiverState): NodeVerdict {
  const opened = openFrame(arrived.frame, {
    keys: [r.key],
    direction: Direction.ToNode,
    address: { sender: arrived.sender, destination: r.nodeId, child: arrived.child },
    challenge: r.challenge?.bytes,
  });
  if (!opened.ok) return opened;
  const frame = opened.value;
  const refuse = (code: ErrorCode, message: string): NodeVerdict => ({
    ok: false,
    error: new MySealError(code, message, { counter: frame.counter, last: r.lastReceived }),
    frame,
  });
  if (frame.counter <= r.lastReceived) return refuse(ErrorCode.REPLAYED_COUNTER, STALE);
  if (frame.kind === FrameKind.Critical && r.challenge) {
    if (r.challenge.used) return refuse(ErrorCode.CHALLENGE_USED, 'challenge already used');
    if (r.challenge.expired) return refuse(ErrorCode.CHALLENGE_EXPIRED, 'challenge window has passed');
  }
  return { ok: true, frame };
}

export interface ControllerReceiverState {
  nodeId: number;
  /** Keys to try: a rotated key awaiting confirmation first, then the current one. */
  keys: readonly Uint8Array[];
  lastReceived: number;
}

/** Checks 1-3, 5 and 6 for a frame from a node (results and reports carry no challenge). */
export function checkFrameAtController(child: number, frame: Uint8Array, r: ControllerReceiverState): Result<OpenedFrame> {
  const opened = openFrame(frame, {
    keys: r.keys,
    direction: Direction.ToController,
    address: { sender: r.nodeId, destination: GATEWAY_NODE_ID, child },
  });
  if (!opened.ok) return opened;
  const { counter } = opened.value;
  if (counter <= r.lastReceived) return fail(ErrorCode.REPLAYED_COUNTER, STALE, { counter, last: r.lastReceived });
  return opened;
}
