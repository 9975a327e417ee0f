/**
 * What must hold whatever the attacker does, checked as the run goes: each thing the lock does is
 * traced to the frame that made it do it, and that frame must be one the controller sealed, acted
 * on once, inside its challenge's window; each side's counters must be new every time; and what
 * the controller was told must be what the node did. Violations are collected (some are seen inside
 * the controller's own calls, where throwing would only fail its operation) and asserted by the test.
 */
import { toHex, readU32BE } from '../../src/core/bytes.ts';
import { encodePin } from '../../src/core/protocol/pin.ts';
import { Op, Status } from '../../src/core/protocol/body.ts';
import type { ResultBody, SensorValue } from '../../src/core/protocol/body.ts';
import type { SealedByController } from './recording-channel.ts';

/** What the node holds that a command can change. */
export interface NodeSnapshot {
  locked: boolean;
  pin: string;
  key: string;
}

/** One call into the node, as the oracle sees it. */
export interface NodeCall {
  what: 'receive' | 'poll' | 'hand' | 'report' | 'reset';
  at: number;
  /** The frame received and the child it came for (receive only). */
  frame?: Uint8Array;
  child?: number;
  /** The operation the node says it carried out (receive only; absent when refused or cut short). */
  op?: Op;
  /** For 'hand': the state the lock was turned to. */
  handLocked?: boolean;
  before: NodeSnapshot;
  after: NodeSnapshot;
  /** onLockChange calls during the call itself (not the reboot after a power cut). */
  lockChanges: boolean[];
  /** onLockChange calls while the node booted again (after a reset or a power cut). */
  bootLockChanges: boolean[];
  /** onSet calls: sealed sets the node applied to a child. */
  sets: { child: number; value: SensorValue }[];
  powerCut: boolean;
}

/** A command the node carried out, by the controller's counter. */
export interface NodeAct {
  op: Op | undefined;
  at: number;
  lockedAfter: boolean;
  unlocked: boolean;
  locked: boolean;
  pinChanged: boolean;
  /** The PIN the node holds after it (packed, hex). */
  pinAfter: string;
  keyChanged: boolean;
}

const OP_NAME = (op: Op | undefined): string => (op === undefined ? 'unknown' : Op[op]);

export function frameCounter(frame: Uint8Array): number | null {
  return frame.length >= 5 ? readU32BE(frame, 1) : null;
}

export class Oracle {
  readonly violations: string[] = [];
  /** Every frame the controller put on the link, by its bytes. */
  readonly #sent = new Map<string, SealedByController>();
  readonly #sealed = new Map<number, SealedByController>();
  readonly #acts = new Map<number, NodeAct>();
  /** When the node sent each of its frames, by counter (a challenge is issued when its result is sent). */
  readonly #nodeSentAt = new Map<number, number>();
  #lastControllerCounter = 0;
  #lastNodeCounter = 0;
  /** How many commands the node carried out, and how many of them were challenge-bound. */
  acted = 0;
  actedCritical = 0;
  /** The oldest challenge the node still honoured (how close the attacker came to the window). */
  oldestChallengeMs = 0;

  constructor(private readonly windowMs: number) {}

  #violate(message: string): void {
    if (this.violations.length < 20) this.violations.push(message);
  }

  sealed(record: SealedByController): void {
    this.#sealed.set(record.counter, record);
  }

  /** The controller wrote a frame to the gateway link. */
  controllerSent(frame: Uint8Array): void {
    const counter = frameCounter(frame) ?? 0;
    const record = this.#sealed.get(counter);
    if (!record || toHex(record.frame) !== toHex(frame)) this.#violate(`controller wrote a frame it did not seal (counter ${counter})`);
    else this.#sent.set(toHex(frame), record);
    if (counter <= this.#lastControllerCounter) {
      this.#violate(`controller reused a counter: ${counter} after ${this.#lastControllerCounter}`);
    }
    this.#lastControllerCounter = Math.max(this.#lastControllerCounter, counter);
  }

  /** The node sent a frame (a result, a report). */
  nodeSent(frame: Uint8Array, at: number): void {
    const counter = frameCounter(frame) ?? 0;
    if (counter <= this.#lastNodeCounter) this.#violate(`node reused a counter: ${counter} after ${this.#lastNodeCounter}`);
    this.#lastNodeCounter = Math.max(this.#lastNodeCounter, counter);
    this.#nodeSentAt.set(counter, at);
  }

  observe(call: NodeCall): void {
    const { before, after } = call;
    const pinChanged = before.pin !== after.pin;
    const keyChanged = before.key !== after.key;
    // A boot may drive the lock to the state it stored, nothing else.
    for (const locked of call.bootLockChanges) {
      if (locked !== after.locked) this.#violate(`the node moved the lock to ${locked ? 'locked' : 'unlocked'} while booting, stored ${after.locked}`);
    }
    if (call.what !== 'receive') {
      if (call.sets.length > 0) this.#violate(`the node set child ${call.sets[0]!.child} without a command (${call.what})`);
      if (pinChanged || keyChanged) this.#violate(`the node changed its ${pinChanged ? 'PIN' : 'key'} without a command (${call.what})`);
      const allowed = call.what === 'hand' ? [call.handLocked] : call.what === 'poll' ? [true] : [];
      for (const locked of call.lockChanges) {
        if (!allowed.includes(locked)) this.#violate(`the node moved the lock to ${locked} on ${call.what}`);
      }
      return;
    }
    const acted = call.op !== undefined || call.lockChanges.length > 0 || call.sets.length > 0 || pinChanged || keyChanged;
    if (!acted) return;
    const frame = call.frame!;
    const counter = frameCounter(frame) ?? 0;
    const record = this.#sent.get(toHex(frame));
    const what = `${OP_NAME(call.op)} at counter ${counter}`;
    if (!record) {
      this.#violate(`the node acted on a frame the controller never sent (${what}${call.powerCut ? ', power cut' : ''})`);
      return;
    }
    const op = record.command.op;
    if (call.child !== record.child) this.#violate(`the node acted on a ${OP_NAME(op)} sealed for child ${record.child} that came for child ${call.child}`);
    if (call.op !== undefined && call.op !== op) this.#violate(`the node carried out ${OP_NAME(call.op)} for a sealed ${OP_NAME(op)} (counter ${counter})`);
    if (this.#acts.has(counter)) this.#violate(`the node acted twice on counter ${counter} (${OP_NAME(op)})`);
    for (const locked of call.lockChanges) {
      if (!(locked ? op === Op.Lock : op === Op.Unlock)) this.#violate(`a ${OP_NAME(op)} moved the lock to ${locked ? 'locked' : 'unlocked'}`);
    }
    for (const set of call.sets) {
      const sent = record.command.op === Op.Set ? record.command.value : undefined;
      const same = sent !== undefined && set.child === record.child && set.value.type === sent.type && toHex(set.value.data) === toHex(sent.data);
      if (!same) this.#violate(`a ${OP_NAME(op)} for child ${record.child} set child ${set.child} to a value the controller did not send`);
    }
    if (pinChanged && op !== Op.SetPin) this.#violate(`a ${OP_NAME(op)} changed the PIN`);
    if (keyChanged && op !== Op.RotateKey) this.#violate(`a ${OP_NAME(op)} changed the key`);
    if (record.critical) {
      this.actedCritical++;
      const issuedAt = record.challengeFrom === undefined ? undefined : this.#nodeSentAt.get(record.challengeFrom);
      if (issuedAt === undefined) this.#violate(`a critical ${OP_NAME(op)} was bound to a challenge the node never sent`);
      else if (call.at - issuedAt <= this.windowMs) this.oldestChallengeMs = Math.max(this.oldestChallengeMs, call.at - issuedAt);
      else {
        this.#violate(`the node acted on a critical ${OP_NAME(op)} ${call.at - issuedAt} ms after its challenge (window ${this.windowMs} ms)`);
      }
    }
    this.acted++;
    this.#acts.set(counter, {
      op: call.op,
      at: call.at,
      lockedAfter: after.locked,
      unlocked: call.lockChanges.includes(false),
      locked: call.lockChanges.includes(true),
      pinChanged,
      pinAfter: after.pin,
      keyChanged,
    });
  }

  /** The controller's operation ended with this result for its command `commandCounter`: the node must have done that. */
  answered(op: Op, result: ResultBody, commandCounter: number): void {
    const act = this.#acts.get(commandCounter);
    const command = this.#sealed.get(commandCounter)?.command;
    const sealedOp = command?.op;
    const claim = `${OP_NAME(op)} answered ${Status[result.status]} for counter ${commandCounter}`;
    const needs = (ok: boolean, why: string): void => {
      if (!ok) this.#violate(`${claim}, but ${why}`);
    };
    switch (result.status) {
      case Status.Unlocked:
        needs(sealedOp === Op.Unlock && act?.unlocked === true, 'the node did not unlock for it');
        break;
      case Status.Locked:
        needs(sealedOp === Op.Lock && act !== undefined, 'the node did not carry it out');
        break;
      case Status.Done:
        needs(act !== undefined, 'the node did not carry it out');
        if (command?.op === Op.SetPin) needs(act?.pinAfter === toHex(encodePin(command.newPin)), 'the node does not hold the new PIN');
        if (sealedOp === Op.RotateKey) needs(act?.keyChanged === true, 'the key did not change');
        break;
      case Status.LockStatus:
        needs(sealedOp === Op.Status && act !== undefined, 'the node did not carry it out');
        needs(act === undefined || act.lockedAfter === result.locked, 'the node was in the other state');
        break;
      case Status.WrongPin:
      case Status.LockedOut:
        needs(act !== undefined && !act.unlocked && !act.pinChanged, 'the node did not refuse it');
        break;
      default:
        break;
    }
  }
}
