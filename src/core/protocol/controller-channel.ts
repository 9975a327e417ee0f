/**
 * The controller's state for one node: seals commands with fresh counters and the node's current
 * challenge, opens results and reports (authentic and fresh only), tracks the challenge the node
 * handed out, resyncs counters, and commits a rotated key once the node answers under it.
 *
 * No I/O and no timers here: operation.ts runs exchanges over a link; the daemon queues them.
 * Sealing and opening are asynchronous only because they wait for the counter store: a frame is
 * sealed once its counter's reservation is durable, and a frame is handed over once its counter is.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, MySealError, fail, ok } from '../errors.ts';
import type { Result } from '../errors.ts';
import type { ControllerCounters, ControllerKeyStore } from './stores.ts';
import { CHALLENGE_CONTROLLER_MARGIN_MS, CHALLENGE_WINDOW_MS, GATEWAY_NODE_ID, ROTATION_SEED_LENGTH } from './constants.ts';
import { challengeOf, decodeReport, decodeResult, encodeCommand, Op, requiresChallenge, Status } from './body.ts';
import type { Command, ResultBody, SensorValue } from './body.ts';
import { deriveRotatedKey } from './derive.ts';
import { FrameKind } from './frame.ts';
import { checkFrameAtController } from './receive.ts';
import { sealFrame } from './seal.ts';

export interface ControllerChannelOptions {
  nodeId: number;
  keys: ControllerKeyStore;
  counters: ControllerCounters;
  /** Milliseconds, monotonic. */
  clock?: () => number;
  /** The node's challenge window (default 10 s); the controller stops short of it by a margin. */
  challengeWindowMs?: number;
}

export interface SealedCommand {
  child: number;
  counter: number;
  frame: Uint8Array;
  critical: boolean;
  command: Command;
}

/**
 * Why a result does not answer a command this channel is waiting on: `not-sent`, its command
 * counter is none this channel sealed and left unanswered, or it came on another child than that
 * command went to (a frame recorded earlier and replayed, or forged with the key's counters; a node
 * sends a result on its command's child, docs/protocol.md section 8.2); `held-back`, a refusal of a command sealed longer ago than a
 * challenge lives (the frame was held back and released). Either way someone else put the frame
 * on the gateway link.
 */
export type ForeignAnswer = { why: 'not-sent' } | { why: 'held-back'; ageMs: number };

export type FromNode =
  /**
   * underOldKey: a rotated key awaited confirmation, and the node answered under the old one.
   * foreign: the result answers a frame MySeal did not send (or sent long ago): see ForeignAnswer.
   */
  | { kind: 'result'; child: number; counter: number; result: ResultBody; underOldKey: boolean; foreign?: ForeignAnswer }
  | { kind: 'report'; child: number; counter: number; value: SensorValue };

interface HeldChallenge {
  bytes: Uint8Array;
  child: number;
  receivedAt: number;
}

/**
 * Commands sealed and not yet answered, remembered to tell the node's answers to them from answers
 * to frames someone else replayed. Bounded: the oldest are forgotten first (a node answers a
 * command within seconds, and an operation sends a few at most).
 */
const MAX_AWAITED = 64;

/** Results that refuse the command they answer: what a replayed or held-back frame earns. */
const REFUSALS: ReadonlySet<Status> = new Set([Status.StaleCounter, Status.ChallengeExpired, Status.BadRequest]);

/** Which key to seal with while a rotation awaits the node's confirmation. */
export type KeyChoice = 'current' | 'pending';

export class ControllerChannel {
  readonly nodeId: number;
  private readonly keys: ControllerKeyStore;
  private readonly counters: ControllerCounters;
  private readonly clock: () => number;
  private readonly usableMs: number;
  private challenge: HeldChallenge | null = null;
  /** Command counter -> when it was sealed and for which child, until the node answers it. */
  private readonly awaited = new Map<number, { sealedAt: number; child: number }>();

  constructor(opts: ControllerChannelOptions) {
    this.nodeId = opts.nodeId;
    this.keys = opts.keys;
    this.counters = opts.counters;
    this.clock = opts.clock ?? (() => performance.now());
    this.usableMs = (opts.challengeWindowMs ?? CHALLENGE_WINDOW_MS) - CHALLENGE_CONTROLLER_MARGIN_MS;
  }

  private nodeKeys(): { key: Uint8Array; pendingKey?: Uint8Array } {
    const k = this.keys.get(this.nodeId);
    if (!k) throw new MySealError(ErrorCode.NO_KEY, 'no key for this node', { node: this.nodeId });
    return k;
  }

  get hasPendingKey(): boolean {
    return this.nodeKeys().pendingKey !== undefined;
  }

  /** True when a challenge from the node is held and still comfortably inside its window. */
  hasFreshChallenge(): boolean {
    return this.challenge !== null && this.clock() - this.challenge.receivedAt < this.usableMs;
  }

  /** Drops the held challenge (after a timeout the node may have consumed it). */
  forgetChallenge(): void {
    this.challenge = null;
  }

  /**
   * Seals a command. Unlock, set-PIN and rotate-key always go challenge-bound; `critical` makes any
   * other command challenge-bound too (sets to a child the node guards). The held challenge is
   * used once. A rotate-key records the new key as pending, durably, before the frame exists.
   */
  async seal(child: number, command: Command, opts: { critical?: boolean; key?: KeyChoice } = {}): Promise<SealedCommand> {
    const critical = requiresChallenge(command.op) || opts.critical === true;
    let challenge: Uint8Array | undefined;
    if (critical) {
      if (!this.hasFreshChallenge()) {
        throw new MySealError(ErrorCode.NO_CHALLENGE, 'this command needs a fresh challenge from the node', {
          node: this.nodeId,
        });
      }
      challenge = this.challenge!.bytes;
      this.challenge = null;
    }
    const keys = this.nodeKeys();
    const key = opts.key === 'pending' && keys.pendingKey ? keys.pendingKey : keys.key;
    if (command.op === Op.RotateKey) await this.keys.setPending(this.nodeId, deriveRotatedKey(key, this.nodeId, command.seed));
    const counter = await this.counters.nextSend(this.nodeId);
    this.awaited.set(counter, { sealedAt: this.clock(), child });
    if (this.awaited.size > MAX_AWAITED) this.awaited.delete(this.awaited.keys().next().value!);
    const frame = sealFrame(
      {
        key,
        kind: critical ? FrameKind.Critical : FrameKind.Command,
        address: { sender: GATEWAY_NODE_ID, destination: this.nodeId, child },
        counter,
        challenge,
      },
      encodeCommand(command),
    );
    return { child, counter, frame, critical, command };
  }

  /** A rotate-key command with a fresh random seed. */
  static rotateKeyCommand(): Command {
    return { op: Op.RotateKey, seed: new Uint8Array(randomBytes(ROTATION_SEED_LENGTH)) };
  }

  /**
   * Opens a frame from the node. Accepted only when authentic under the node's key (or the pending
   * one) and fresh; resolves only once its counter is durable, so the caller never acts on a frame
   * a crash could make acceptable again.
   */
  async open(child: number, frame: Uint8Array): Promise<Result<FromNode>> {
    const keys = this.nodeKeys();
    const tryKeys = keys.pendingKey ? [keys.pendingKey, keys.key] : [keys.key];
    const opened = checkFrameAtController(child, frame, {
      nodeId: this.nodeId,
      keys: tryKeys,
      lastReceived: this.counters.lastReceived(this.nodeId),
    });
    if (!opened.ok) return opened;
    const { counter, kind, body, keyIndex } = opened.value;
    // The store accepts the counter at once, before the await: a copy of this frame opened while it
    // is being written fails the check above, or (opened in between) gets false here.
    if (!(await this.counters.recordReceived(this.nodeId, counter))) {
      return fail(ErrorCode.REPLAYED_COUNTER, 'counter already accepted', { counter });
    }
    // The node speaks under the new key: it has committed it, the old one can go.
    if (keys.pendingKey && keyIndex === 0) await this.keys.commitPending(this.nodeId);

    if (kind === FrameKind.Report) {
      const value = decodeReport(body);
      return value.ok ? ok({ kind: 'report', child, counter, value: value.value }) : value;
    }
    const result = decodeResult(body);
    if (!result.ok) return result;
    const challenge = challengeOf(result.value);
    if (challenge) this.challenge = { bytes: challenge, child, receivedAt: this.clock() };
    const foreign = this.answered(result.value, child);
    return ok({
      kind: 'result',
      child,
      counter,
      result: result.value,
      underOldKey: keys.pendingKey !== undefined && keyIndex === 1,
      ...(foreign ? { foreign } : {}),
    });
  }

  /** Marks a command answered; says why not, for a result to a frame this channel did not send now. */
  private answered(result: ResultBody, child: number): ForeignAnswer | undefined {
    const awaited = this.awaited.get(result.commandCounter);
    if (awaited === undefined || awaited.child !== child) return { why: 'not-sent' };
    this.awaited.delete(result.commandCounter);
    const { sealedAt } = awaited;
    // A late answer to a command that timed out is normal on a lossy radio; a refusal of one sealed
    // longer ago than a challenge lives is a frame that was held back and released.
    const ageMs = this.clock() - sealedAt;
    return REFUSALS.has(result.status) && ageMs > this.usableMs + CHALLENGE_CONTROLLER_MARGIN_MS ? { why: 'held-back', ageMs } : undefined;
  }

  /** After a stale-counter result: the next command goes out above the node's last accepted counter. */
  resync(lastAccepted: number): Promise<void> {
    return this.counters.raiseSendAbove(this.nodeId, lastAccepted);
  }

  /** The node answered a command sealed with the current key after a rotation: it never rotated. */
  abandonRotation(): Promise<void> {
    return this.keys.discardPending(this.nodeId);
  }
}
