/**
 * The node side of sealed frames v1 in TypeScript: opens commands, issues challenges, runs the lock
 * (PIN, attempts, lockout) and seals results and reports. The C++ Arduino library implements the
 * same rules; this one drives the virtual node, the demo and the cross-implementation tests.
 *
 * The order of work on a received frame is normative (docs/protocol.md, "Receiving a frame"):
 * authenticate, check freshness, persist the counter, check the challenge, then act.
 */
import { ErrorCode, MySealError } from '../core/errors.ts';
import { constantTimeEqual } from '../core/crypto/constant-time.ts';
import { PayloadType, SetReq } from '../core/mysensors/enums.ts';
import {
  CHALLENGE_WINDOW_MS,
  DEFAULT_LOCKOUT_BASE_S,
  DEFAULT_LOCKOUT_CAP_S,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_LOCK_CHILD,
  GATEWAY_NODE_ID,
  KEY_LENGTH,
  MAX_COUNTER,
} from '../core/protocol/constants.ts';
import {
  BadRequestReason,
  decodeCommand,
  encodeReport,
  encodeResult,
  Op,
  requiresChallenge,
  Status,
} from '../core/protocol/body.ts';
import type { Command, ResultBody, SensorValue } from '../core/protocol/body.ts';
import { deriveChallenge, deriveRotatedKey } from '../core/protocol/derive.ts';
import { FrameKind } from '../core/protocol/frame.ts';
import { checkFrameAtNode } from '../core/protocol/receive.ts';
import { encodePin } from '../core/protocol/pin.ts';
import { sealFrame } from '../core/protocol/seal.ts';
import { cloneState } from './node-storage.ts';
import type { NodeState, NodeStorage } from './node-storage.ts';

/**
 * Node counters are reserved in aligned blocks of this many (a power of two): one EEPROM write per
 * 16 frames sent, at most 15 counters skipped by a reset, and after a reset the node goes on at the
 * next multiple of 16, as the C library does (docs/protocol.md, section 6).
 */
export const NODE_SEND_RESERVE = 16;

export interface SealedNodeOptions {
  nodeId: number;
  storage: NodeStorage;
  /** Milliseconds from any fixed point, never going back (millis() on a node). */
  clock?: () => number;
  /** The child id of the lock; commands for the lock go there. */
  lockChild?: number;
  /** Children whose sealed sets must be challenge-bound too (a garage door relay, say). */
  criticalChildren?: readonly number[];
  maxAttempts?: number;
  lockoutBaseS?: number;
  lockoutCapS?: number;
  challengeWindowMs?: number;
  /** Lock again this long after the last change of the lock (0 or absent: never); see poll(). */
  relockMs?: number;
  /** A sealed set arrived for a child; return false when the child cannot take that value. */
  onSet?: (child: number, value: SensorValue) => boolean;
  /** The lock changed state because of a command or auto-relock. */
  onLockChange?: (locked: boolean) => void;
}

/** What the node sends back: a sealed frame for a child, to the gateway. */
export interface OutgoingFrame {
  child: number;
  frame: Uint8Array;
}

export interface ReceiveOutcome {
  /** Set when the frame was refused; a refusal may still carry a reply (stale counter, expired challenge). */
  error?: ErrorCode;
  command?: Command;
  replies: OutgoingFrame[];
}

export interface IncomingFrame {
  /** MySensors sender: 0 for frames from the controller through the gateway. */
  sender: number;
  child: number;
  frame: Uint8Array;
}

interface Challenge {
  bytes: Uint8Array;
  issuedAt: number;
  used: boolean;
}

/** Provision a node once, as the sketch does on first boot: key and initial PIN. */
export function provisionNode(storage: NodeStorage, key: Uint8Array, pin: string, maxAttempts = DEFAULT_MAX_ATTEMPTS): void {
  if (key.length !== KEY_LENGTH) throw new MySealError(ErrorCode.BAD_KEY, 'a node key is 16 bytes');
  storage.save({
    key: Uint8Array.from(key),
    lastReceived: 0,
    sendReserved: 0,
    pin: encodePin(pin),
    attemptsLeft: maxAttempts,
    lockoutLevel: 0,
    inLockout: false,
    locked: true,
  });
}

export class SealedNode {
  readonly nodeId: number;
  private readonly storage: NodeStorage;
  private readonly clock: () => number;
  private readonly opts: SealedNodeOptions;
  private state: NodeState;
  private sendNext: number;
  private challenge: Challenge | null = null;
  private lockoutUntil = 0;
  /** Highest stale counter answered since boot: each recorded frame gets one answer per boot at most. */
  private staleAnswered = 0;
  /** When the lock last changed (or the node booted): auto-relock counts from here. */
  private lockChangedAt: number;

  constructor(opts: SealedNodeOptions) {
    this.opts = opts;
    this.nodeId = opts.nodeId;
    this.storage = opts.storage;
    this.clock = opts.clock ?? (() => performance.now());
    const state = this.storage.load();
    if (!state) throw new MySealError(ErrorCode.NO_KEY, 'node is not provisioned', { node: this.nodeId });
    this.state = state;
    // Counters reserved before the reset may have been used: start after all of them.
    this.sendNext = state.sendReserved + 1;
    // A lockout running at reset starts over in full: pulling the power must not shorten it.
    if (state.inLockout) this.lockoutUntil = this.clock() + this.lockoutDurationMs(state.lockoutLevel);
    this.lockChangedAt = this.clock();
  }

  get locked(): boolean {
    return this.state.locked;
  }

  get attemptsLeft(): number {
    this.expireLockout();
    return this.state.attemptsLeft;
  }

  /** A copy of what is persisted (tests). */
  get persisted(): NodeState {
    return cloneState(this.state);
  }

  private get lockChild(): number {
    return this.opts.lockChild ?? DEFAULT_LOCK_CHILD;
  }

  private get maxAttempts(): number {
    return this.opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  private persist(): void {
    this.storage.save(this.state);
  }

  private nextSendCounter(): number {
    if (this.sendNext > MAX_COUNTER) throw new MySealError(ErrorCode.COUNTER_EXHAUSTED, 'node counters used up');
    if (this.sendNext > this.state.sendReserved) {
      // To the end of the aligned block that holds the counter (counter | 15).
      this.state.sendReserved = (this.sendNext | (NODE_SEND_RESERVE - 1)) >>> 0;
      this.persist();
    }
    return this.sendNext++;
  }

  private lockoutDurationMs(level: number): number {
    const base = this.opts.lockoutBaseS ?? DEFAULT_LOCKOUT_BASE_S;
    const cap = this.opts.lockoutCapS ?? DEFAULT_LOCKOUT_CAP_S;
    const seconds = Math.min(cap, base * 2 ** Math.max(0, Math.min(level - 1, 31)));
    return seconds * 1000;
  }

  /** Ends a finished lockout: the attempts come back, the level stays until a correct PIN. */
  private expireLockout(): void {
    if (this.state.inLockout && this.clock() >= this.lockoutUntil) {
      this.state.inLockout = false;
      this.state.attemptsLeft = this.maxAttempts;
      this.persist();
    }
  }

  private lockoutSecondsLeft(): number {
    this.expireLockout();
    return this.state.inLockout ? Math.ceil((this.lockoutUntil - this.clock()) / 1000) : 0;
  }

  private seal(kind: FrameKind, child: number, body: Uint8Array): { counter: number; frame: Uint8Array } {
    const counter = this.nextSendCounter();
    const frame = sealFrame(
      { key: this.state.key, kind, address: { sender: this.nodeId, destination: GATEWAY_NODE_ID, child }, counter },
      body,
    );
    return { counter, frame };
  }

  /**
   * Seals a result. Results that hand out a challenge derive it from their own counter, so the
   * counter is taken first and the body built around it.
   */
  private reply(child: number, build: (challengeFor: () => Uint8Array) => ResultBody): OutgoingFrame {
    const counter = this.nextSendCounter();
    const body = build(() => this.issueChallenge(child, counter));
    const frame = sealFrame(
      {
        key: this.state.key,
        kind: FrameKind.Result,
        address: { sender: this.nodeId, destination: GATEWAY_NODE_ID, child },
        counter,
      },
      encodeResult(body),
    );
    return { child, frame };
  }

  private issueChallenge(child: number, resultCounter: number): Uint8Array {
    const bytes = deriveChallenge(this.state.key, this.nodeId, child, resultCounter);
    this.challenge = { bytes, issuedAt: this.clock(), used: false };
    return bytes;
  }

  /** Seals an unsolicited report (lock turned by hand, door contact, any value). */
  report(child: number, value: SensorValue): OutgoingFrame {
    return { child, frame: this.seal(FrameKind.Report, child, encodeReport(value)).frame };
  }

  /** The lock was turned by hand or by its button: change state and seal a V_LOCK_STATUS report. */
  setLockedByHand(locked: boolean): OutgoingFrame {
    this.state.locked = locked;
    this.lockChangedAt = this.clock();
    this.persist();
    return this.lockReport(locked);
  }

  private lockReport(locked: boolean): OutgoingFrame {
    return this.report(this.lockChild, {
      type: SetReq.V_LOCK_STATUS,
      payloadType: PayloadType.P_BYTE,
      data: new Uint8Array([locked ? 1 : 0]),
    });
  }

  /**
   * Call often (a node's loop()): auto-relock. An unlocked lock relocks relockMs after its last
   * change, or after boot when it booted unlocked, and reports it sealed on the lock's child.
   */
  poll(): OutgoingFrame | null {
    const relockMs = this.opts.relockMs ?? 0;
    if (relockMs <= 0 || this.state.locked || this.clock() - this.lockChangedAt < relockMs) return null;
    this.changeLock(true);
    return this.lockReport(true);
  }

  receive(incoming: IncomingFrame): ReceiveOutcome {
    const now = this.clock();
    const held = this.challenge;
    const verdict = checkFrameAtNode(incoming, {
      nodeId: this.nodeId,
      key: this.state.key,
      lastReceived: this.state.lastReceived,
      challenge: held && {
        bytes: held.bytes,
        used: held.used,
        expired: now - held.issuedAt > (this.opts.challengeWindowMs ?? CHALLENGE_WINDOW_MS),
      },
    });
    // Unauthentic frames get no answer: answering would spend counters (EEPROM writes) for anyone.
    if (!verdict.ok && !verdict.frame) return { error: verdict.error.code, replies: [] };
    const { counter, kind, body } = verdict.frame!;
    const child = incoming.child;

    if (!verdict.ok && verdict.error.code === ErrorCode.REPLAYED_COUNTER) {
      const replies: OutgoingFrame[] = [];
      if (counter > this.staleAnswered) {
        this.staleAnswered = counter;
        replies.push(
          this.reply(child, () => ({
            status: Status.StaleCounter,
            commandCounter: counter,
            lastAccepted: this.state.lastReceived,
          })),
        );
      }
      return { error: ErrorCode.REPLAYED_COUNTER, replies };
    }

    // Authentic and fresh: persist before acting, so after a power cut it can never be accepted again.
    this.state.lastReceived = counter;
    this.persist();

    if (!verdict.ok) {
      // A used or expired challenge: answer with a new one so the controller can retry at once.
      this.challenge = null;
      return {
        error: verdict.error.code,
        replies: [
          this.reply(child, (next) => ({ status: Status.ChallengeExpired, commandCounter: counter, challenge: next() })),
        ],
      };
    }
    if (kind === FrameKind.Critical) held!.used = true; // single use, whatever the outcome

    const decoded = decodeCommand(body);
    const badRequest = (reason: BadRequestReason): ReceiveOutcome => ({
      error: ErrorCode.BAD_BODY,
      replies: [this.reply(child, () => ({ status: Status.BadRequest, commandCounter: counter, reason }))],
    });
    if (!decoded.ok) return badRequest(decoded.reason);
    const command = decoded.command;
    const critical = kind === FrameKind.Critical;
    if (!critical && (requiresChallenge(command.op) || this.isCriticalSet(command, child))) {
      return badRequest(BadRequestReason.ChallengeRequired);
    }
    const isLockOp = command.op !== Op.Set && command.op !== Op.GetChallenge && command.op !== Op.RotateKey;
    if (isLockOp && child !== this.lockChild) return badRequest(BadRequestReason.NotSupported);

    const result = this.execute(command, child, counter);
    return result ? { command, replies: [result] } : badRequest(BadRequestReason.NotSupported);
  }

  private isCriticalSet(command: Command, child: number): boolean {
    return command.op === Op.Set && (this.opts.criticalChildren ?? []).includes(child);
  }

  private execute(command: Command, child: number, counter: number): OutgoingFrame | null {
    const done = (status: Status.Done | Status.Locked | Status.Unlocked): OutgoingFrame =>
      this.reply(child, () => ({ status, commandCounter: counter }));
    switch (command.op) {
      case Op.GetChallenge:
        return this.reply(child, (next) => ({ status: Status.Challenge, commandCounter: counter, challenge: next() }));
      case Op.Status:
        return this.reply(child, () => ({
          status: Status.LockStatus,
          commandCounter: counter,
          locked: this.state.locked,
          attemptsLeft: this.attemptsLeft,
          lockoutSeconds: this.lockoutSecondsLeft(),
        }));
      case Op.Lock:
        this.changeLock(true);
        return done(Status.Locked);
      case Op.Unlock:
        return this.checkPin(command.pin, child, counter, () => {
          this.changeLock(false);
          return done(Status.Unlocked);
        });
      case Op.SetPin:
        return this.checkPin(command.oldPin, child, counter, () => {
          this.state.pin = encodePin(command.newPin);
          this.persist();
          return done(Status.Done);
        });
      case Op.RotateKey: {
        // Committed before the answer, which goes out under the new key: that is the confirmation
        // the controller waits for before it forgets the old one.
        this.state.key = deriveRotatedKey(this.state.key, this.nodeId, command.seed);
        this.persist();
        return done(Status.Done);
      }
      case Op.Set:
        return this.opts.onSet?.(child, command.value) ? done(Status.Done) : null;
    }
  }

  private changeLock(locked: boolean): void {
    this.state.locked = locked;
    this.lockChangedAt = this.clock();
    this.persist();
    this.opts.onLockChange?.(locked);
  }

  /**
   * A PIN attempt. The attempt, and the lockout it would start if it is wrong, are persisted in one
   * write before the comparison: cutting the power at the moment of a wrong answer never wins a
   * free try, nor skips a lockout. A correct PIN gives the attempt back and clears the lockout.
   */
  private checkPin(pin: string, child: number, counter: number, onCorrect: () => OutgoingFrame): OutgoingFrame {
    const secondsLeft = this.lockoutSecondsLeft();
    if (secondsLeft > 0) {
      return this.reply(child, () => ({ status: Status.LockedOut, commandCounter: counter, secondsLeft }));
    }
    this.state.attemptsLeft = Math.max(0, this.state.attemptsLeft - 1);
    const lastTry = this.state.attemptsLeft === 0;
    if (lastTry) {
      this.state.lockoutLevel = Math.min(255, this.state.lockoutLevel + 1);
      this.state.inLockout = true;
    }
    this.persist();
    if (constantTimeEqual(encodePin(pin), this.state.pin)) {
      this.state.attemptsLeft = this.maxAttempts;
      this.state.lockoutLevel = 0;
      this.state.inLockout = false;
      this.persist();
      return onCorrect();
    }
    if (lastTry) {
      this.lockoutUntil = this.clock() + this.lockoutDurationMs(this.state.lockoutLevel);
      const seconds = Math.ceil(this.lockoutDurationMs(this.state.lockoutLevel) / 1000);
      return this.reply(child, () => ({ status: Status.LockedOut, commandCounter: counter, secondsLeft: seconds }));
    }
    return this.reply(child, (next) => ({
      status: Status.WrongPin,
      commandCounter: counter,
      attemptsLeft: this.state.attemptsLeft,
      challenge: next(),
    }));
  }
}
