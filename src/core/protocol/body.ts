/**
 * The plaintext inside a sealed frame (1-12 bytes): commands to the node, results and reports from
 * it. Layouts are normative (docs/protocol.md, "Bodies"). Decoders never throw: they return a
 * Result with BAD_BODY and say which part is wrong.
 */
import { ErrorCode, fail, ok } from '../errors.ts';
import type { Result } from '../errors.ts';
import { PayloadType } from '../mysensors/enums.ts';
import { concatBytes, readU32BE, u32BE } from '../bytes.ts';
import { CHALLENGE_LENGTH, MAX_BODY_LENGTH, PIN_ENCODED_LENGTH, ROTATION_SEED_LENGTH } from './constants.ts';
import { decodePin, encodePin } from './pin.ts';

// ---- Values (sealed sets and reports carry any MySensors V_ value) ---------------------------

export interface SensorValue {
  /** A MySensors V_ type (V_STATUS, V_LOCK_STATUS, V_TRIPPED, ...). */
  type: number;
  payloadType: PayloadType;
  /** The value as MySensors holds it in a message: numbers little-endian, strings as bytes. */
  data: Uint8Array;
}

/** Fixed sizes of the numeric payload types; strings and custom bytes are variable. */
const FIXED_VALUE_LENGTH: Partial<Record<PayloadType, number>> = {
  [PayloadType.P_BYTE]: 1,
  [PayloadType.P_INT16]: 2,
  [PayloadType.P_UINT16]: 2,
  [PayloadType.P_LONG32]: 4,
  [PayloadType.P_ULONG32]: 4,
  [PayloadType.P_FLOAT32]: 4,
};

function checkValue(v: SensorValue, maxData: number): string | null {
  if (!Number.isInteger(v.type) || v.type < 0 || v.type > 255) return 'value type';
  if (!Number.isInteger(v.payloadType) || v.payloadType < 0 || v.payloadType > 7) return 'payload type';
  const fixed = FIXED_VALUE_LENGTH[v.payloadType];
  if (fixed !== undefined ? v.data.length !== fixed : v.data.length > maxData) return 'value length';
  if (v.data.length > maxData) return 'value length';
  if (v.payloadType === PayloadType.P_STRING && !isPlainText(v.data)) return 'string value';
  return null;
}

/** Printable ASCII without ';' so a value can be relayed as a plain gateway line unchanged. */
function isPlainText(data: Uint8Array): boolean {
  return data.every((b) => b >= 0x20 && b < 0x7f && b !== 0x3b);
}

function encodeValue(v: SensorValue, maxData: number): Uint8Array {
  const problem = checkValue(v, maxData);
  if (problem) throw new RangeError(`bad ${problem}`);
  return concatBytes(new Uint8Array([v.type, v.payloadType]), v.data);
}

function decodeValue(bytes: Uint8Array, maxData: number): Result<SensorValue> {
  if (bytes.length < 2) return fail(ErrorCode.BAD_BODY, 'value is cut short', { length: bytes.length });
  const v: SensorValue = { type: bytes[0]!, payloadType: bytes[1]!, data: bytes.slice(2) };
  const problem = checkValue(v, maxData);
  return problem ? fail(ErrorCode.BAD_BODY, `bad ${problem}`, { length: bytes.length }) : ok(v);
}

/** Largest data part of a value: a set spends 1 byte on its opcode, a report does not. */
export const MAX_SET_VALUE_LENGTH = MAX_BODY_LENGTH - 3;
export const MAX_REPORT_VALUE_LENGTH = MAX_BODY_LENGTH - 2;

// ---- Commands (controller to node) -----------------------------------------------------------

export enum Op {
  GetChallenge = 0x01,
  Status = 0x02,
  Lock = 0x03,
  Unlock = 0x04,
  SetPin = 0x05,
  RotateKey = 0x06,
  Set = 0x07,
}

export type Command =
  | { op: Op.GetChallenge }
  | { op: Op.Status }
  | { op: Op.Lock }
  | { op: Op.Unlock; pin: string }
  | { op: Op.SetPin; oldPin: string; newPin: string }
  | { op: Op.RotateKey; seed: Uint8Array }
  | { op: Op.Set; value: SensorValue };

/** Operations a node accepts only in a Critical (challenge-bound) frame. */
export function requiresChallenge(op: Op): boolean {
  return op === Op.Unlock || op === Op.SetPin || op === Op.RotateKey;
}

export function encodeCommand(c: Command): Uint8Array {
  switch (c.op) {
    case Op.GetChallenge:
    case Op.Status:
    case Op.Lock:
      return new Uint8Array([c.op]);
    case Op.Unlock:
      return concatBytes(new Uint8Array([c.op]), encodePin(c.pin));
    case Op.SetPin:
      return concatBytes(new Uint8Array([c.op]), encodePin(c.oldPin), encodePin(c.newPin));
    case Op.RotateKey:
      if (c.seed.length !== ROTATION_SEED_LENGTH) throw new RangeError('bad rotation seed length');
      return concatBytes(new Uint8Array([c.op]), c.seed);
    case Op.Set:
      return concatBytes(new Uint8Array([c.op]), encodeValue(c.value, MAX_SET_VALUE_LENGTH));
  }
}

/** Why a node answers BAD_REQUEST (the reason byte of that result). */
export enum BadRequestReason {
  UnknownOp = 1,
  BadLength = 2,
  ChallengeRequired = 3,
  BadPin = 4,
  NotSupported = 5,
  BadValue = 6,
}

export type CommandDecode = { ok: true; command: Command } | { ok: false; op: number; reason: BadRequestReason };

/** The node's decoder: a malformed command gets a BAD_REQUEST result naming the reason. */
export function decodeCommand(body: Uint8Array): CommandDecode {
  const op = body[0] ?? 0;
  const rest = body.subarray(1);
  const bad = (reason: BadRequestReason): CommandDecode => ({ ok: false, op, reason });
  const exact = (n: number): boolean => rest.length === n;
  switch (op) {
    case Op.GetChallenge:
    case Op.Status:
    case Op.Lock:
      return exact(0) ? { ok: true, command: { op } } : bad(BadRequestReason.BadLength);
    case Op.Unlock: {
      if (!exact(PIN_ENCODED_LENGTH)) return bad(BadRequestReason.BadLength);
      const pin = decodePin(rest);
      return pin === null ? bad(BadRequestReason.BadPin) : { ok: true, command: { op, pin } };
    }
    case Op.SetPin: {
      if (!exact(2 * PIN_ENCODED_LENGTH)) return bad(BadRequestReason.BadLength);
      const oldPin = decodePin(rest.subarray(0, PIN_ENCODED_LENGTH));
      const newPin = decodePin(rest.subarray(PIN_ENCODED_LENGTH));
      if (oldPin === null || newPin === null) return bad(BadRequestReason.BadPin);
      return { ok: true, command: { op, oldPin, newPin } };
    }
    case Op.RotateKey:
      return exact(ROTATION_SEED_LENGTH) ? { ok: true, command: { op, seed: rest.slice() } } : bad(BadRequestReason.BadLength);
    case Op.Set: {
      const value = decodeValue(rest, MAX_SET_VALUE_LENGTH);
      return value.ok ? { ok: true, command: { op, value: value.value } } : bad(BadRequestReason.BadValue);
    }
    default:
      return bad(BadRequestReason.UnknownOp);
  }
}

// ---- Results (node to controller, each names the counter of its command) -------------------

export enum Status {
  Done = 0x00,
  Challenge = 0x01,
  Locked = 0x02,
  Unlocked = 0x03,
  WrongPin = 0x04,
  LockedOut = 0x05,
  StaleCounter = 0x06,
  BadRequest = 0x07,
  LockStatus = 0x08,
  ChallengeExpired = 0x09,
}

export type ResultBody =
  | { status: Status.Done | Status.Locked | Status.Unlocked; commandCounter: number }
  | { status: Status.Challenge | Status.ChallengeExpired; commandCounter: number; challenge: Uint8Array }
  | { status: Status.WrongPin; commandCounter: number; attemptsLeft: number; challenge: Uint8Array }
  | { status: Status.LockedOut; commandCounter: number; secondsLeft: number }
  | { status: Status.StaleCounter; commandCounter: number; lastAccepted: number }
  | { status: Status.BadRequest; commandCounter: number; reason: BadRequestReason }
  | { status: Status.LockStatus; commandCounter: number; locked: boolean; attemptsLeft: number; lockoutSeconds: number };

export function encodeResult(r: ResultBody): Uint8Array {
  const head = concatBytes(new Uint8Array([r.status]), u32BE(r.commandCounter));
  switch (r.status) {
    case Status.Done:
    case Status.Locked:
    case Status.Unlocked:
      return head;
    case Status.Challenge:
    case Status.ChallengeExpired:
      if (r.challenge.length !== CHALLENGE_LENGTH) throw new RangeError('bad challenge length');
      return concatBytes(head, r.challenge);
    case Status.WrongPin:
      if (r.challenge.length !== CHALLENGE_LENGTH) throw new RangeError('bad challenge length');
      return concatBytes(head, new Uint8Array([r.attemptsLeft]), r.challenge);
    case Status.LockedOut:
      return concatBytes(head, u32BE(r.secondsLeft));
    case Status.StaleCounter:
      return concatBytes(head, u32BE(r.lastAccepted));
    case Status.BadRequest:
      return concatBytes(head, new Uint8Array([r.reason]));
    case Status.LockStatus:
      return concatBytes(head, new Uint8Array([r.locked ? 1 : 0, r.attemptsLeft]), u32BE(r.lockoutSeconds));
  }
}

/** Data bytes after status and command counter, per status. */
const RESULT_DATA_LENGTH: Record<Status, number> = {
  [Status.Done]: 0,
  [Status.Locked]: 0,
  [Status.Unlocked]: 0,
  [Status.Challenge]: CHALLENGE_LENGTH,
  [Status.ChallengeExpired]: CHALLENGE_LENGTH,
  [Status.WrongPin]: 1 + CHALLENGE_LENGTH,
  [Status.LockedOut]: 4,
  [Status.StaleCounter]: 4,
  [Status.BadRequest]: 1,
  [Status.LockStatus]: 6,
};

export function decodeResult(body: Uint8Array): Result<ResultBody> {
  const status = body[0] ?? -1;
  const expected = RESULT_DATA_LENGTH[status as Status];
  if (expected === undefined) return fail(ErrorCode.BAD_BODY, 'unknown result status', { status });
  if (body.length !== 5 + expected) {
    return fail(ErrorCode.BAD_BODY, 'result has the wrong length for its status', { status, length: body.length });
  }
  const commandCounter = readU32BE(body, 1);
  const data = body.subarray(5);
  switch (status as Status) {
    case Status.Done:
    case Status.Locked:
    case Status.Unlocked:
      return ok({ status: status as Status.Done, commandCounter });
    case Status.Challenge:
    case Status.ChallengeExpired:
      return ok({ status: status as Status.Challenge, commandCounter, challenge: data.slice() });
    case Status.WrongPin:
      return ok({ status: Status.WrongPin, commandCounter, attemptsLeft: data[0]!, challenge: data.slice(1) });
    case Status.LockedOut:
      return ok({ status: Status.LockedOut, commandCounter, secondsLeft: readU32BE(data, 0) });
    case Status.StaleCounter:
      return ok({ status: Status.StaleCounter, commandCounter, lastAccepted: readU32BE(data, 0) });
    case Status.BadRequest:
      return ok({ status: Status.BadRequest, commandCounter, reason: data[0]! });
    case Status.LockStatus:
      if (data[0]! > 1) return fail(ErrorCode.BAD_BODY, 'lock state is 0 or 1', { state: data[0]! });
      return ok({
        status: Status.LockStatus,
        commandCounter,
        locked: data[0] === 1,
        attemptsLeft: data[1]!,
        lockoutSeconds: readU32BE(data, 2),
      });
  }
}

// ---- Reports (node to controller, unsolicited) ------------------------------------------------

export function encodeReport(value: SensorValue): Uint8Array {
  return encodeValue(value, MAX_REPORT_VALUE_LENGTH);
}

export function decodeReport(body: Uint8Array): Result<SensorValue> {
  return decodeValue(body, MAX_REPORT_VALUE_LENGTH);
}

/** The challenge a result hands to the controller, if it carries one. */
export function challengeOf(r: ResultBody): Uint8Array | undefined {
  return 'challenge' in r ? r.challenge : undefined;
}
