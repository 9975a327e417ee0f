/**
 * A MySeal node run from the node library's own code: the C++ core a lock runs (arduino/MySeal/src),
 * compiled to WebAssembly (arduino/wasm, `npm run build:wasm`), with this class standing in for the
 * board. `myseal node`, the demo's virtual locks and every test that needs a node run this, so what
 * they show is what a lock does.
 *
 * The board's side (the module's imports, arduino/wasm/myseal_wasm.cpp): the clock, the EEPROM
 * (an Eeprom image: a file for `myseal node`, memory in tests), the frames the node sends, the lock's
 * output and sealed sets. Each call returns the frames the node sent during it. One instance is one
 * boot: restart() is a reset (RAM lost, EEPROM kept). When the image throws PowerCut during a call,
 * the node died there: nothing more may be asked of it until restart().
 */
import { readFileSync } from 'node:fs';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { readU32BE } from '../core/bytes.ts';
import {
  CHALLENGE_WINDOW_MS,
  DEFAULT_LOCKOUT_BASE_S,
  DEFAULT_LOCKOUT_CAP_S,
  DEFAULT_LOCK_CHILD,
  DEFAULT_MAX_ATTEMPTS,
  KEY_LENGTH,
  PIN_ENCODED_LENGTH,
} from '../core/protocol/constants.ts';
import type { Op, SensorValue } from '../core/protocol/body.ts';
import { encodePin } from '../core/protocol/pin.ts';
import { Eeprom } from './eeprom.ts';

/** The committed build of the node library (arduino/wasm), beside src/ and dist/ alike. */
export const NODE_WASM_URL = new URL('../../arduino/wasm/myseal-node.wasm', import.meta.url);

export interface WasmNodeOptions {
  nodeId: number;
  /** The key the node is flashed with: on a blank EEPROM (or a new key) it provisions key and PIN. */
  key: Uint8Array;
  /** The first-boot PIN (4 to 8 digits); unused once the EEPROM holds this key's records. */
  pin: string;
  eeprom: Eeprom;
  /** millis(): milliseconds from any fixed point, never going back. */
  clock?: () => number;
  /** The lock's child (default 1); null: a node without a lock. */
  lockChild?: number | null;
  /** Children (0-15) whose sealed sets must be challenge-bound too (a garage door relay, say). */
  criticalChildren?: readonly number[];
  maxAttempts?: number;
  lockoutBaseS?: number;
  lockoutCapS?: number;
  challengeWindowMs?: number;
  /** Lock again this long after an unlock (0 or absent: never; at most 65 535); see poll(). */
  relockMs?: number;
  /** A sealed set arrived for a child; return false when the child cannot take that value. */
  onSet?: (child: number, value: SensorValue) => boolean;
  /** The lock must move: a command, auto-relock or a turn by hand. After the state is stored. */
  onLockChange?: (locked: boolean) => void;
  /** Say which operation each accepted command was (ReceiveOutcome.command): opens it twice. */
  observeCommands?: boolean;
  /** Another build of the node (a test's, with hooks into its state); by default the committed one. */
  module?: WebAssembly.Module;
}

/** A sealed frame the node sends, to the gateway, on a child. */
export interface OutgoingFrame {
  child: number;
  frame: Uint8Array;
}

export interface IncomingFrame {
  /** MySensors sender: 0 for frames from the controller through the gateway. */
  sender: number;
  child: number;
  frame: Uint8Array;
}

export interface ReceiveOutcome {
  /** Set when the frame was refused; a refusal may still carry a reply (stale counter, expired challenge). */
  error?: ErrorCode;
  /** The operation the node carried out (with observeCommands). */
  command?: { op: Op };
  replies: OutgoingFrame[];
}

/** What the node's store holds now (myseal_store.h's hot payload, key and PIN). */
export interface NodeRecords {
  key: Uint8Array;
  lastReceived: number;
  sendReserved: number;
  /** Packed BCD, as on the wire. */
  pin: Uint8Array;
  attemptsLeft: number;
  lockoutLevel: number;
  inLockout: boolean;
  locked: boolean;
}

interface NodeExports {
  memory: WebAssembly.Memory;
  buffer(): number;
  configure(lockChild: number, guarded: number, maxAttempts: number, firstMs: number, capMs: number, windowMs: number, relockMs: number): void;
  begin(nodeId: number, pinBcd: number): void;
  receive(sender: number, child: number, length: number, observe: number): number;
  poll(): number;
  set_locked(locked: number): number;
  report(child: number, type: number, payloadType: number, length: number): number;
  is_locked(): number;
  attempts_left(): number;
  lockout_seconds(): number;
  store_hot(): number;
  store_key(): number;
  store_pin(): number;
}

/** myseal_verdict.h, in order: the node's verdicts, named as the error codes are. */
const VERDICTS: readonly (ErrorCode | undefined)[] = [
  undefined,
  ErrorCode.FRAME_TOO_SHORT,
  ErrorCode.FRAME_TOO_LONG,
  ErrorCode.BAD_VERSION,
  ErrorCode.WRONG_DIRECTION,
  ErrorCode.BAD_KIND,
  ErrorCode.REPLAYED_COUNTER,
  ErrorCode.NO_CHALLENGE,
  ErrorCode.AUTH_FAILED,
  ErrorCode.CHALLENGE_USED,
  ErrorCode.CHALLENGE_EXPIRED,
];

/** The io buffer's size (myseal_wasm.cpp): a frame in, a key, a report's value. */
const BUFFER_BYTES = 32;
/** What MySeal.h's lockout() allows: the cap stays below 2^31 ms. */
const MOST_LOCKOUT_S = Math.floor(0x7fffffff / 1000);
const NO_LOCK = 255;
/** myseal_store.h: the hot payload's fields. */
const HOT = { lastReceived: 0, sendReserved: 4, attempts: 8, level: 9, flags: 10, length: 11 } as const;
const FLAG_LOCKED = 0x01;
const FLAG_IN_LOCKOUT = 0x02;

let compiled: WebAssembly.Module | undefined;

/** Compiled once per process; each node (and each boot) is an instance of it. */
function nodeModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(NODE_WASM_URL));
  return compiled;
}

export class WasmNode {
  readonly nodeId: number;
  readonly #opts: WasmNodeOptions;
  readonly #clock: () => number;
  #node!: NodeExports;
  #sent: OutgoingFrame[] = [];

  constructor(opts: WasmNodeOptions) {
    if (opts.key.length !== KEY_LENGTH) throw new MySealError(ErrorCode.BAD_KEY, 'a node key is 16 bytes');
    this.nodeId = opts.nodeId;
    this.#opts = opts;
    this.#clock = opts.clock ?? (() => performance.now());
    this.restart();
  }

  /** A reset: a new instance (RAM as at power-on) over the same EEPROM; begin() again. */
  restart(): void {
    const instance = new WebAssembly.Instance(this.#opts.module ?? nodeModule(), { env: this.#board() });
    this.#node = instance.exports as unknown as NodeExports;
    const o = this.#opts;
    const lockout = (s: number): number => Math.min(s, MOST_LOCKOUT_S) * 1000;
    this.#node.configure(
      o.lockChild === null ? NO_LOCK : (o.lockChild ?? DEFAULT_LOCK_CHILD),
      (o.criticalChildren ?? []).reduce((mask, child) => (child < 16 ? mask | (1 << child) : mask), 0),
      o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      lockout(o.lockoutBaseS ?? DEFAULT_LOCKOUT_BASE_S),
      lockout(o.lockoutCapS ?? DEFAULT_LOCKOUT_CAP_S),
      o.challengeWindowMs ?? CHALLENGE_WINDOW_MS,
      o.relockMs ?? 0,
    );
    const pin = encodePin(o.pin);
    this.#bytes(this.#node.buffer(), KEY_LENGTH).set(o.key);
    this.#call(() => this.#node.begin(this.nodeId, readU32BE(pin, 0)));
    pin.fill(0);
  }

  receive(incoming: IncomingFrame): ReceiveOutcome {
    const length = Math.min(incoming.frame.length, BUFFER_BYTES);
    this.#bytes(this.#node.buffer(), length).set(incoming.frame.subarray(0, length));
    let result = 0;
    const replies = this.#call(() => {
      result = this.#node.receive(incoming.sender, incoming.child, length, this.#opts.observeCommands ? 1 : 0);
    });
    const verdict = result & 0xff;
    if (verdict !== 0) return { error: VERDICTS[verdict] ?? ErrorCode.BAD_BODY, replies };
    return this.#opts.observeCommands ? { command: { op: (result >> 8) as Op }, replies } : { replies };
  }

  /** Auto-relock when due: its report, or null. */
  poll(): OutgoingFrame | null {
    return this.#call(() => this.#node.poll())[0] ?? null;
  }

  /** The lock turned by hand or by a button: stored, moved, and its sealed report. */
  setLockedByHand(locked: boolean): OutgoingFrame {
    const sent = this.#call(() => this.#node.set_locked(locked ? 1 : 0));
    return this.#one(sent, ErrorCode.REFUSED_BY_POLICY, 'the node has no lock to turn');
  }

  /** A sealed report of any value (at most 10 bytes), sent unasked. */
  report(child: number, value: SensorValue): OutgoingFrame {
    const length = Math.min(value.data.length, BUFFER_BYTES);
    this.#bytes(this.#node.buffer(), length).set(value.data.subarray(0, length));
    const sent = this.#call(() => this.#node.report(child, value.type, value.payloadType, length));
    return this.#one(sent, ErrorCode.VALUE_TOO_LONG, 'a report carries at most 10 bytes of value');
  }

  get locked(): boolean {
    return this.#node.is_locked() === 1;
  }

  get attemptsLeft(): number {
    return this.#node.attempts_left();
  }

  get lockoutSeconds(): number {
    return this.#node.lockout_seconds();
  }

  /** What the node's store holds now (its RAM copy of the records, as last written or about to be). */
  get persisted(): NodeRecords {
    const hot = this.#bytes(this.#node.store_hot(), HOT.length);
    const flags = hot[HOT.flags]!;
    return {
      key: Uint8Array.from(this.#bytes(this.#node.store_key(), KEY_LENGTH)),
      lastReceived: readU32BE(hot, HOT.lastReceived),
      sendReserved: readU32BE(hot, HOT.sendReserved),
      pin: Uint8Array.from(this.#bytes(this.#node.store_pin(), PIN_ENCODED_LENGTH)),
      attemptsLeft: hot[HOT.attempts]!,
      lockoutLevel: hot[HOT.level]!,
      inLockout: (flags & FLAG_IN_LOCKOUT) !== 0,
      locked: (flags & FLAG_LOCKED) !== 0,
    };
  }

  /** The running instance's exports and memory: for a subclass over a test build that exports more. */
  protected get exports(): Readonly<Record<string, unknown>> {
    return this.#node as unknown as Record<string, unknown>;
  }

  protected bytes(at: number, length: number): Uint8Array {
    return this.#bytes(at, length);
  }

  /** Runs a call into the node; the frames it sent meanwhile. */
  #call(run: () => void): OutgoingFrame[] {
    this.#sent = [];
    run();
    const sent = this.#sent;
    this.#sent = [];
    return sent;
  }

  #one(sent: OutgoingFrame[], code: ErrorCode, why: string): OutgoingFrame {
    const frame = sent[0];
    if (!frame) throw new MySealError(code, `node ${this.nodeId} sent nothing: ${why}`, { node: this.nodeId });
    return frame;
  }

  #bytes(at: number, length: number): Uint8Array {
    return new Uint8Array(this.#node.memory.buffer, at, length);
  }

  /** The module's imports: what a board gives the node. */
  #board(): Record<string, (...args: number[]) => number | void> {
    const eeprom = this.#opts.eeprom;
    return {
      millis: () => Math.floor(this.#clock()) >>> 0,
      eeprom_read: (at, buffer, length) => eeprom.read(at, this.#bytes(buffer, length)),
      eeprom_write: (at, buffer, length) => eeprom.write(at, this.#bytes(buffer, length)),
      send: (child, frame, length) => void this.#sent.push({ child, frame: Uint8Array.from(this.#bytes(frame, length)) }),
      lock_changed: (locked) => this.#opts.onLockChange?.(locked === 1),
      set: (child, type, payloadType, value, length) =>
        this.#opts.onSet?.(child, { type, payloadType, data: Uint8Array.from(this.#bytes(value, length)) }) ? 1 : 0,
    };
  }
}

/**
 * Whether the EEPROM holds records made for this key: if not, booting with it provisions the node
 * (first boot, or a new key flashed), and the first-boot PIN is needed. Boots a copy, without a lock:
 * a node that knows its key writes nothing at boot then.
 */
export function eepromKnowsKey(eeprom: Eeprom, nodeId: number, key: Uint8Array): boolean {
  const copy = new Eeprom(eeprom.bytes);
  new WasmNode({ nodeId, key, pin: '0000', eeprom: copy, lockChild: null });
  return copy.written === 0;
}
