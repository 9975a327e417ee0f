/**
 * The `exchanges` of the golden vectors (test/vectors/seal-v1.json): a node's behaviour over many
 * frames, byte for byte. Each exchange starts a node from blank storage with a key and a first-boot
 * PIN, then feeds it frames (and the time, a poll, a reset) and gives the exact reply each one must
 * get. The replies are written here from the rules of docs/protocol.md (what the result says, which
 * counter it takes, which challenge it carries), not taken from an implementation; the TypeScript
 * node (test/vectors/exchanges.test.ts) and the C library's harness are both held to them.
 */
import { PayloadType, SetReq } from '../../src/core/mysensors/enums.ts';
import { toHex } from '../../src/core/bytes.ts';
import { BadRequestReason, encodeCommand, encodeReport, encodeResult, Op, Status } from '../../src/core/protocol/body.ts';
import type { Command, ResultBody } from '../../src/core/protocol/body.ts';
import {
  CHALLENGE_WINDOW_MS,
  DEFAULT_LOCK_CHILD,
  DEFAULT_LOCKOUT_BASE_S,
  DEFAULT_LOCKOUT_CAP_S,
  DEFAULT_MAX_ATTEMPTS,
  GATEWAY_NODE_ID,
} from '../../src/core/protocol/constants.ts';
import { deriveChallenge, deriveRotatedKey } from '../../src/core/protocol/derive.ts';
import { FrameKind } from '../../src/core/protocol/frame.ts';
import { sealFrame } from '../../src/core/protocol/seal.ts';

/** How the node of an exchange is built and set up (the sketch's settings). */
export interface ExchangeNode {
  node_id: number;
  key: string;
  pin: string;
  lock_child: number;
  /** Auto-relock after this many ms (0: never). */
  relock_ms: number;
  /** Children whose sets must be CRITICAL. */
  guarded: number[];
  /** Children whose sets the sketch takes (mysealSet returns true); others answer NOT_SUPPORTED. */
  sets_taken_on: number[];
  max_attempts: number;
  lockout_base_s: number;
  lockout_cap_s: number;
  challenge_window_ms: number;
}

/** One step: a frame in, a poll (loop()), or a reset (power cycle, maybe a reflash with another key). */
export type ExchangeStep =
  | {
      at_ms: number;
      do: 'frame';
      note: string;
      sender: number;
      child: number;
      frame: string;
      /** The receive rules' verdict on the frame (checks 1-7): "ok" or an error code name. */
      verdict: string;
      /** The node's answer, exactly; "" when it must not answer. */
      reply: string;
      reply_child: number | null;
      reply_body: string;
    }
  | { at_ms: number; do: 'poll'; note: string; reply: string; reply_child: number | null; reply_body: string }
  | { at_ms: number; do: 'reset'; note: string; key: string; pin: string };

export interface Exchange {
  name: string;
  /** Where docs/protocol.md states the rule. */
  rule: string;
  node: ExchangeNode;
  steps: ExchangeStep[];
}

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** What a reply says; the builder adds the command's counter and derives any challenge. */
type Expect =
  | { status: Status.Done | Status.Locked | Status.Unlocked }
  | { status: Status.Challenge | Status.ChallengeExpired }
  | { status: Status.WrongPin; attemptsLeft: number }
  | { status: Status.LockedOut; secondsLeft: number }
  | { status: Status.StaleCounter; lastAccepted: number }
  | { status: Status.BadRequest; reason: BadRequestReason }
  | { status: Status.LockStatus; locked: boolean; attemptsLeft: number; lockoutSeconds: number };

interface SendOptions {
  /** Sealed CRITICAL, bound to `bound` or else to the challenge the node handed out last. */
  critical?: boolean;
  bound?: Uint8Array;
  /** The controller's counter; by default one above the last it used. */
  counter?: number;
  /** Sealed under this key instead of the node's (a frame the node must not accept). */
  key?: Uint8Array;
  /** Sealed for this node id (a frame moved from another node). */
  sealedFor?: number;
  verdict?: string;
}

/** Node counters are reserved to the end of the aligned block of 16 holding them (protocol.md, section 6). */
const BLOCK_END = 15;

class Script {
  readonly steps: ExchangeStep[] = [];
  private at = 0;
  private key: Uint8Array;
  private flashed: Uint8Array;
  private controllerCounter = 0;
  private nodeNext = 1;
  private nodeReserved = 0;
  /** The challenge the node handed out last (the node may have spent it since). */
  private held: Uint8Array | null = null;

  constructor(readonly node: ExchangeNode) {
    this.key = h(node.key);
    this.flashed = this.key;
  }

  get challenge(): Uint8Array {
    if (!this.held) throw new Error('no challenge handed out yet');
    return this.held;
  }

  wait(ms: number): this {
    this.at += ms;
    return this;
  }

  private nextNodeCounter(): number {
    const c = this.nodeNext++;
    if (c > this.nodeReserved) this.nodeReserved = c | BLOCK_END;
    return c;
  }

  /** The node's result for a command, sealed as the node must seal it. */
  private result(child: number, commandCounter: number, expect: Expect): { frame: Uint8Array; body: Uint8Array } {
    const counter = this.nextNodeCounter();
    let r: ResultBody;
    if (expect.status === Status.Challenge || expect.status === Status.ChallengeExpired || expect.status === Status.WrongPin) {
      this.held = deriveChallenge(this.key, this.node.node_id, child, counter);
      r = { ...expect, commandCounter, challenge: this.held } as ResultBody;
    } else {
      r = { ...expect, commandCounter } as ResultBody;
    }
    const body = encodeResult(r);
    const address = { sender: this.node.node_id, destination: GATEWAY_NODE_ID, child };
    return { frame: sealFrame({ key: this.key, kind: FrameKind.Result, address, counter }, body), body };
  }

  /** A command (or any body) from the controller, and the reply it must get (null: none). */
  send(note: string, child: number, command: Command | Uint8Array, expect: Expect | null, opts: SendOptions = {}): this {
    const counter = opts.counter ?? this.controllerCounter + 1;
    this.controllerCounter = Math.max(this.controllerCounter, counter);
    const critical = opts.critical === true;
    const body = command instanceof Uint8Array ? command : encodeCommand(command);
    const address = { sender: GATEWAY_NODE_ID, destination: opts.sealedFor ?? this.node.node_id, child };
    const frame = sealFrame(
      { key: opts.key ?? this.key, kind: critical ? FrameKind.Critical : FrameKind.Command, address, counter, challenge: critical ? (opts.bound ?? this.challenge) : undefined },
      body,
    );
    // A rotation is committed before its answer, which goes out under the new key, as all after it.
    if (!(command instanceof Uint8Array) && command.op === Op.RotateKey && expect?.status === Status.Done) {
      this.key = deriveRotatedKey(this.key, this.node.node_id, command.seed);
    }
    const reply = expect ? this.result(child, counter, expect) : null;
    this.steps.push({
      at_ms: this.at,
      do: 'frame',
      note,
      sender: GATEWAY_NODE_ID,
      child,
      frame: toHex(frame),
      verdict: opts.verdict ?? 'ok',
      reply: reply ? toHex(reply.frame) : '',
      reply_child: reply ? child : null,
      reply_body: reply ? toHex(reply.body) : '',
    });
    return this;
  }

  /** loop(): nothing, or the auto-relock's sealed V_LOCK_STATUS=1 report on the lock's child. */
  poll(note: string, relocks: boolean): this {
    if (!relocks) {
      this.steps.push({ at_ms: this.at, do: 'poll', note, reply: '', reply_child: null, reply_body: '' });
      return this;
    }
    const child = this.node.lock_child;
    const body = encodeReport({ type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) });
    const address = { sender: this.node.node_id, destination: GATEWAY_NODE_ID, child };
    const frame = sealFrame({ key: this.key, kind: FrameKind.Report, address, counter: this.nextNodeCounter() }, body);
    this.steps.push({ at_ms: this.at, do: 'poll', note, reply: toHex(frame), reply_child: child, reply_body: toHex(body) });
    return this;
  }

  /**
   * Power off and on, the sketch flashed with `key` (the same key: the node keeps its state, and
   * goes on after its counter reservation; another key: it starts over, as on first boot).
   */
  reset(note: string, key: Uint8Array = this.flashed): this {
    this.held = null; // RAM: the challenge is gone
    if (Buffer.compare(key, this.flashed) !== 0) {
      this.key = key;
      this.flashed = key;
      this.nodeNext = 1;
      this.nodeReserved = 0;
      this.controllerCounter = 0; // a new key starts both directions over (myseal keygen --force)
    } else {
      this.nodeNext = this.nodeReserved + 1;
    }
    this.steps.push({ at_ms: this.at, do: 'reset', note, key: toHex(key), pin: this.node.pin });
    return this;
  }
}

function nodeSettings(over: Partial<ExchangeNode> & { key: string; node_id: number }): ExchangeNode {
  return {
    pin: '1234',
    lock_child: DEFAULT_LOCK_CHILD,
    relock_ms: 0,
    guarded: [],
    sets_taken_on: [],
    max_attempts: DEFAULT_MAX_ATTEMPTS,
    lockout_base_s: DEFAULT_LOCKOUT_BASE_S,
    lockout_cap_s: DEFAULT_LOCKOUT_CAP_S,
    challenge_window_ms: CHALLENGE_WINDOW_MS,
    ...over,
  };
}

const STATUS: Command = { op: Op.Status };
const GET: Command = { op: Op.GetChallenge };
const LOCK: Command = { op: Op.Lock };
const unlock = (pin: string): Command => ({ op: Op.Unlock, pin });
const RIGHT = unlock('1234');
const WRONG = unlock('0000');
const lockStatus = (locked: boolean, attemptsLeft: number, lockoutSeconds: number): Expect => ({ status: Status.LockStatus, locked, attemptsLeft, lockoutSeconds });
const badRequest = (reason: BadRequestReason): Expect => ({ status: Status.BadRequest, reason });
const CHALLENGE: Expect = { status: Status.Challenge };
const EXPIRED: Expect = { status: Status.ChallengeExpired };
const setStatus = (on: number): Command => ({ op: Op.Set, value: { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([on]) } });

export function buildExchanges(keys: { node5: Uint8Array; node0: Uint8Array; other: Uint8Array }): Exchange[] {
  const key5 = toHex(keys.node5);
  const out: Exchange[] = [];
  const add = (name: string, rule: string, s: Script): void => void out.push({ name, rule, node: s.node, steps: s.steps });

  // ---- the lock: first boot, wrong PINs, lockout, its end, a reset during one ---------------
  const lockout = new Script(nodeSettings({ node_id: 5, key: key5 }));
  lockout
    .send('STATUS at first boot: locked, every attempt', 1, STATUS, lockStatus(true, 5, 0))
    .send('GET_CHALLENGE', 1, GET, CHALLENGE);
  for (let left = 4; left >= 1; left--) lockout.send(`UNLOCK, wrong PIN: ${left} left, next challenge`, 1, WRONG, { status: Status.WrongPin, attemptsLeft: left }, { critical: true });
  lockout
    .send('UNLOCK, wrong PIN, the fifth: LOCKED_OUT for 60 s (never WRONG_PIN with 0 left)', 1, WRONG, { status: Status.LockedOut, secondsLeft: 60 }, { critical: true })
    .wait(1000)
    .send('GET_CHALLENGE (LOCKED_OUT carries none)', 1, GET, CHALLENGE)
    .send('UNLOCK with the right PIN during the lockout: LOCKED_OUT, 59 s left (rounded up), not compared', 1, RIGHT, { status: Status.LockedOut, secondsLeft: 59 }, { critical: true })
    .send('STATUS during the lockout: 0 attempts, 59 s', 1, STATUS, lockStatus(true, 0, 59))
    .wait(59_000)
    .send('STATUS exactly 60 s after the fifth wrong PIN: the lockout is over, every attempt back', 1, STATUS, lockStatus(true, 5, 0))
    .send('GET_CHALLENGE', 1, GET, CHALLENGE);
  for (let left = 4; left >= 1; left--) lockout.send(`UNLOCK, wrong PIN: ${left} left`, 1, WRONG, { status: Status.WrongPin, attemptsLeft: left }, { critical: true });
  lockout
    .send('UNLOCK, wrong PIN, the fifth again: the second lockout is twice as long, 120 s', 1, WRONG, { status: Status.LockedOut, secondsLeft: 120 }, { critical: true })
    .wait(30_000)
    .reset('power cut 30 s into the lockout')
    .send('STATUS after the reset: the lockout starts over in full, 120 s', 1, STATUS, lockStatus(true, 0, 120))
    .wait(120_000)
    .send('GET_CHALLENGE when it has run out', 1, GET, CHALLENGE)
    .send('UNLOCK, right PIN: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('STATUS: unlocked, every attempt', 1, STATUS, lockStatus(false, 5, 0))
    .send('GET_CHALLENGE', 1, GET, CHALLENGE);
  for (let left = 4; left >= 1; left--) lockout.send(`UNLOCK, wrong PIN: ${left} left`, 1, WRONG, { status: Status.WrongPin, attemptsLeft: left }, { critical: true });
  lockout.send('UNLOCK, wrong PIN, the fifth: 60 s again (the right PIN reset the doubling)', 1, WRONG, { status: Status.LockedOut, secondsLeft: 60 }, { critical: true });
  add('lock: first boot locked; the fifth wrong PIN locks out; a lockout ends with every attempt back, doubles, survives a reset in full', 'sections 8.5, 14.3', lockout);

  // ---- stale counters ------------------------------------------------------------------------
  const stale = new Script(nodeSettings({ node_id: 5, key: key5 }));
  stale
    .send('STATUS, counter 10', 1, STATUS, lockStatus(true, 5, 0), { counter: 10 })
    .send('STATUS, counter 5 (authentic, stale): STALE_COUNTER, last accepted 10', 1, STATUS, { status: Status.StaleCounter, lastAccepted: 10 }, { counter: 5, verdict: 'REPLAYED_COUNTER' })
    .send('the same frame again: not answered', 1, STATUS, null, { counter: 5, verdict: 'REPLAYED_COUNTER' })
    .send('counter 3, below the highest stale counter answered (5): not answered', 1, STATUS, null, { counter: 3, verdict: 'REPLAYED_COUNTER' })
    .send('counter 7: answered', 1, STATUS, { status: Status.StaleCounter, lastAccepted: 10 }, { counter: 7, verdict: 'REPLAYED_COUNTER' })
    .send('counter 10, the accepted frame played again: answered (10 > 7)', 1, STATUS, { status: Status.StaleCounter, lastAccepted: 10 }, { counter: 10, verdict: 'REPLAYED_COUNTER' })
    .reset('reset: the highest stale counter answered is forgotten')
    .send('counter 5 again: answered once more, in this boot', 1, STATUS, { status: Status.StaleCounter, lastAccepted: 10 }, { counter: 5, verdict: 'REPLAYED_COUNTER' })
    .send('counter 8 on child 2: the answer goes out on child 2', 2, STATUS, { status: Status.StaleCounter, lastAccepted: 10 }, { counter: 8, verdict: 'REPLAYED_COUNTER' })
    .send('STATUS, counter 11: accepted', 1, STATUS, lockStatus(true, 5, 0), { counter: 11 });
  add('stale counters: answered only above the highest stale counter answered since boot', 'sections 6.1, 9', stale);

  // ---- BAD_REQUEST: the first reason that applies --------------------------------------------
  const bad = new Script(nodeSettings({ node_id: 5, key: key5, guarded: [3], sets_taken_on: [2, 3] }));
  bad
    .send('op 09 (unknown): UNKNOWN_OP', 1, h('09'), badRequest(BadRequestReason.UnknownOp))
    .send('op 00: UNKNOWN_OP', 2, h('00'), badRequest(BadRequestReason.UnknownOp))
    .send('UNLOCK with a 3-byte PIN, COMMAND, child 2: BAD_LENGTH before CHALLENGE_REQUIRED and NOT_SUPPORTED', 2, h('04123fff'), badRequest(BadRequestReason.BadLength))
    .send('UNLOCK with a 3-digit PIN, COMMAND, child 2: BAD_PIN before CHALLENGE_REQUIRED', 2, h('04123fffff'), badRequest(BadRequestReason.BadPin))
    .send('UNLOCK, COMMAND, child 2: CHALLENGE_REQUIRED before NOT_SUPPORTED', 2, RIGHT, badRequest(BadRequestReason.ChallengeRequired))
    .send('SET_PIN, COMMAND: CHALLENGE_REQUIRED', 1, { op: Op.SetPin, oldPin: '1234', newPin: '4321' }, badRequest(BadRequestReason.ChallengeRequired))
    .send('ROTATE_KEY, COMMAND: CHALLENGE_REQUIRED', 1, { op: Op.RotateKey, seed: h('0102030405060708090a0b') }, badRequest(BadRequestReason.ChallengeRequired))
    .send('STATUS with a byte too many, child 2: BAD_LENGTH before NOT_SUPPORTED', 2, h('0200'), badRequest(BadRequestReason.BadLength))
    .send('GET_CHALLENGE with a byte too many: BAD_LENGTH', 1, h('0100'), badRequest(BadRequestReason.BadLength))
    .send('STATUS to child 2 (not the lock): NOT_SUPPORTED', 2, STATUS, badRequest(BadRequestReason.NotSupported))
    .send('LOCK to child 2: NOT_SUPPORTED', 2, LOCK, badRequest(BadRequestReason.NotSupported))
    .send('SET P_BYTE with 2 bytes to guarded child 3, COMMAND: BAD_VALUE before CHALLENGE_REQUIRED', 3, h('0702010101'), badRequest(BadRequestReason.BadValue))
    .send('SET V_STATUS=1 to guarded child 3, COMMAND: CHALLENGE_REQUIRED', 3, setStatus(1), badRequest(BadRequestReason.ChallengeRequired))
    .send('SET V_STATUS=1 to child 4, which the sketch does not take: NOT_SUPPORTED', 4, setStatus(1), badRequest(BadRequestReason.NotSupported))
    .send('SET V_STATUS=1 to child 2: DONE', 2, setStatus(1), { status: Status.Done });
  add('BAD_REQUEST: the first reason that applies, in the order unknown op, length, PIN or value layout, challenge required, not supported', 'section 8.1', bad);

  // ---- CRITICAL frames of any op; every CRITICAL frame spends the challenge ------------------
  const critical = new Script(nodeSettings({ node_id: 5, key: key5 }));
  critical.send('GET_CHALLENGE', 1, GET, CHALLENGE);
  const first = critical.challenge;
  critical
    .send('STATUS as CRITICAL: accepted, and spends the challenge', 1, STATUS, lockStatus(true, 5, 0), { critical: true })
    .send('UNLOCK bound to that challenge: used, CHALLENGE_EXPIRED with a new one', 1, RIGHT, EXPIRED, { critical: true, bound: first, verdict: 'CHALLENGE_USED' })
    .send('GET_CHALLENGE as CRITICAL: spends it, answers a new one', 1, GET, CHALLENGE, { critical: true });
  const third = critical.challenge;
  critical
    .send('LOCK as CRITICAL: LOCKED, spends the challenge', 1, LOCK, { status: Status.Locked }, { critical: true })
    .send('an UNLOCK that meant to use it: CHALLENGE_EXPIRED with a new one', 1, RIGHT, EXPIRED, { critical: true, bound: third, verdict: 'CHALLENGE_USED' })
    .send('UNLOCK bound to the new one: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('STATUS as COMMAND: does not touch the challenge', 1, STATUS, lockStatus(false, 5, 0))
    .send('LOCK as COMMAND: LOCKED, does not touch the challenge', 1, LOCK, { status: Status.Locked })
    .send('UNLOCK bound to the challenge: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true });
  add('any command may be CRITICAL; every CRITICAL frame spends the challenge, whatever its op', 'sections 7, 8.1', critical);

  // ---- one challenge for the whole node; results on their command's child; the window --------
  const children = new Script(nodeSettings({ node_id: 5, key: key5, guarded: [3], sets_taken_on: [2, 3] }));
  children
    .send('GET_CHALLENGE on child 2: the CHALLENGE goes out on child 2 (derived with child 2)', 2, GET, CHALLENGE)
    .send('UNLOCK on child 1 bound to it: a challenge is the node\'s, not a child\'s', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('GET_CHALLENGE on child 1', 1, GET, CHALLENGE)
    .send('SET V_STATUS=1 to guarded child 3 bound to it: DONE on child 3', 3, setStatus(1), { status: Status.Done }, { critical: true })
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .wait(10_000)
    .send('UNLOCK 10 000 ms after: still valid', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .wait(10_001)
    .send('UNLOCK 10 001 ms after: CHALLENGE_EXPIRED, with a new one', 1, RIGHT, EXPIRED, { critical: true, verdict: 'CHALLENGE_EXPIRED' })
    .send('UNLOCK bound to the new one: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('GET_CHALLENGE', 1, GET, CHALLENGE);
  const beforeReset = children.challenge;
  children
    .reset('reset: the challenge is forgotten')
    .send('UNLOCK bound to the challenge from before the reset: NO_CHALLENGE, no answer', 1, RIGHT, null, { critical: true, bound: beforeReset, verdict: 'NO_CHALLENGE' })
    .send('GET_CHALLENGE on child 2 after the reset: the node goes on after its counter reservation', 2, GET, CHALLENGE)
    .send('UNLOCK: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true });
  add('one challenge per node for every child, valid 10 000 ms, forgotten at a reset; a result goes out on its command\'s child', 'sections 7, 8.2', children);

  // ---- auto-relock -----------------------------------------------------------------------------
  const relock = new Script(nodeSettings({ node_id: 5, key: key5, relock_ms: 5000 }));
  relock
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('UNLOCK: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .wait(4999)
    .poll('4 999 ms after the unlock: nothing', false)
    .wait(1)
    .poll('5 000 ms after: relocked, a sealed V_LOCK_STATUS=1 report on the lock\'s child', true)
    .wait(1000)
    .poll('locked: nothing', false)
    .send('STATUS: locked', 1, STATUS, lockStatus(true, 5, 0))
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('UNLOCK: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .wait(2000)
    .reset('reset while unlocked: the lock stays unlocked')
    .send('STATUS after the reset: unlocked', 1, STATUS, lockStatus(false, 5, 0))
    .wait(4999)
    .poll('4 999 ms after the reset: nothing', false)
    .wait(1)
    .poll('5 000 ms after the reset: relocked (counted from boot)', true);
  add('auto-relock: relock_ms after the last change of the lock, or after boot, reported sealed on the lock\'s child', 'section 8.5', relock);

  // ---- provisioning: first boot, reflash with the same key, with a new key, after a rotation --
  const seed = h('5eed0000000000000000aa');
  const provision = new Script(nodeSettings({ node_id: 5, key: key5 }));
  provision
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('SET_PIN 1234 -> 5678: DONE', 1, { op: Op.SetPin, oldPin: '1234', newPin: '5678' }, { status: Status.Done }, { critical: true })
    .reset('reflashed with the same key (its sketch still says PIN 1234): state kept')
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('UNLOCK 1234: WRONG_PIN, the stored PIN counts, not the sketch\'s', 1, RIGHT, { status: Status.WrongPin, attemptsLeft: 4 }, { critical: true })
    .send('UNLOCK 5678: UNLOCKED', 1, unlock('5678'), { status: Status.Unlocked }, { critical: true })
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('ROTATE_KEY: DONE under the new key', 1, { op: Op.RotateKey, seed }, { status: Status.Done }, { critical: true })
    .reset('reset, the same flashed key: the rotated key stays')
    .send('STATUS under the rotated key: accepted', 1, STATUS, lockStatus(false, 5, 0))
    .reset('reflashed with a new key (myseal keygen --force): the node starts over', keys.other)
    .send('STATUS, counter 1 under the new key: accepted; locked, every attempt', 1, STATUS, lockStatus(true, 5, 0))
    .send('GET_CHALLENGE', 1, GET, CHALLENGE)
    .send('UNLOCK 1234, the sketch\'s first-boot PIN again: UNLOCKED', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('STATUS under the old key: AUTH_FAILED, no answer', 1, STATUS, null, { key: keys.node5, counter: 50, verdict: 'AUTH_FAILED' });
  add('provisioning: the flashed key and first-boot PIN; a reflash with the same key keeps the state, a new key starts over', 'section 14.3', provision);

  // ---- node 0: a lock in the gateway's own sketch ------------------------------------------------
  const gatewayLock = new Script(nodeSettings({ node_id: 0, key: toHex(keys.node0) }));
  gatewayLock
    .send('GET_CHALLENGE to node 0 (sender 0, destination 0)', 1, GET, CHALLENGE)
    .send('UNLOCK: UNLOCKED (the result: sender 0, destination 0, direction bit 1)', 1, RIGHT, { status: Status.Unlocked }, { critical: true })
    .send('STATUS', 1, STATUS, lockStatus(false, 5, 0))
    .send('a STATUS sealed for node 5 under the same key: AUTH_FAILED, no answer', 1, STATUS, null, { sealedFor: 5, verdict: 'AUTH_FAILED' })
    .send('LOCK: LOCKED', 1, LOCK, { status: Status.Locked });
  add('node 0: a lock in the gateway\'s own sketch', 'section 5.1', gatewayLock);

  return out;
}
