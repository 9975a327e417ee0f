/**
 * The WebAssembly node on its EEPROM, with every call into it watched for the oracle: what the lock
 * did during the call (moved, changed PIN or key, which command it says it carried out), and a power
 * cut inside it, after which the node boots again (restart(): RAM lost, EEPROM kept) as a real one
 * does when the power comes back. The only place the model builds a node.
 */
import { errorCodeName } from '../../src/core/errors.ts';
import { toHex } from '../../src/core/bytes.ts';
import { PayloadType, SetReq } from '../../src/core/mysensors/enums.ts';
import type { Op } from '../../src/core/protocol/body.ts';
import { GATEWAY_NODE_ID } from '../../src/core/protocol/constants.ts';
import { Eeprom, PowerCut } from '../../src/node/eeprom.ts';
import { WasmNode } from '../../src/node/wasm-node.ts';
import type { OutgoingFrame } from '../../src/node/wasm-node.ts';
import type { NodeCall, NodeSnapshot, Oracle } from './oracle.ts';

export interface NodeSettings {
  nodeId: number;
  key: Uint8Array;
  pin: string;
  lockChild: number;
  windowMs: number;
  /** Children whose sets must be challenge-bound (a garage door relay, say). */
  guardedChildren: readonly number[];
  clock: () => number;
}

type Watched = { sent: OutgoingFrame[]; op?: Op };

export class WatchedNode {
  readonly eeprom = new Eeprom();
  readonly node: WasmNode;
  readonly counts = { powerCuts: 0, resets: 0 };
  /** The node's refusals by verdict: evidence that the attacks reached it. */
  readonly refused = new Map<string, number>();
  #lockChanges: boolean[] = [];
  #sets: NodeCall['sets'] = [];

  constructor(
    settings: NodeSettings,
    private readonly oracle: Oracle,
  ) {
    this.node = new WasmNode({
      nodeId: settings.nodeId,
      key: settings.key,
      pin: settings.pin,
      eeprom: this.eeprom,
      clock: settings.clock,
      lockChild: settings.lockChild,
      // Small numbers, so lockouts start and end within a run.
      maxAttempts: 3,
      lockoutBaseS: 1,
      lockoutCapS: 8,
      challengeWindowMs: settings.windowMs,
      relockMs: 30_000,
      criticalChildren: settings.guardedChildren,
      observeCommands: true,
      onLockChange: (locked) => void this.#lockChanges.push(locked),
      onSet: (child, value) => {
        this.#sets.push({ child, value });
        return true;
      },
    });
  }

  get locked(): boolean {
    return this.node.locked;
  }

  /** The PIN the node holds, packed, in hex. */
  get pinHex(): string {
    return toHex(this.node.persisted.pin);
  }

  receive(child: number, frame: Uint8Array, at: number): OutgoingFrame[] {
    return this.#call('receive', at, () => {
      const outcome = this.node.receive({ sender: GATEWAY_NODE_ID, child, frame });
      if (outcome.error !== undefined) {
        const why = errorCodeName(outcome.error);
        this.refused.set(why, (this.refused.get(why) ?? 0) + 1);
      }
      return { sent: outcome.replies, ...(outcome.command ? { op: outcome.command.op } : {}) };
    }, { frame, child });
  }

  poll(at: number): OutgoingFrame[] {
    return this.#call('poll', at, () => {
      const report = this.node.poll();
      return { sent: report ? [report] : [] };
    });
  }

  turnByHand(locked: boolean, at: number): OutgoingFrame[] {
    return this.#call('hand', at, () => ({ sent: [this.node.setLockedByHand(locked)] }), { handLocked: locked });
  }

  /** Another sensor on the node (a door contact) reports. */
  report(child: number, tripped: boolean, at: number): OutgoingFrame[] {
    const value = { type: SetReq.V_TRIPPED, payloadType: PayloadType.P_BYTE, data: Uint8Array.of(tripped ? 1 : 0) };
    return this.#call('report', at, () => ({ sent: [this.node.report(child, value)] }));
  }

  reset(at: number): OutgoingFrame[] {
    this.counts.resets++;
    return this.#call('reset', at, () => {
      this.node.restart();
      return { sent: [] };
    });
  }

  #snapshot(): NodeSnapshot {
    const p = this.node.persisted;
    return { locked: this.node.locked, pin: toHex(p.pin), key: toHex(p.key) };
  }

  #call(what: NodeCall['what'], at: number, run: () => Watched, extra: { frame?: Uint8Array; child?: number; handLocked?: boolean } = {}): OutgoingFrame[] {
    const before = this.#snapshot();
    this.#lockChanges = [];
    this.#sets = [];
    let watched: Watched | null = null;
    let powerCut = false;
    try {
      watched = run();
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      powerCut = true;
    }
    const during = this.#lockChanges;
    const sets = this.#sets;
    this.#lockChanges = [];
    this.#sets = [];
    if (powerCut) {
      this.counts.powerCuts++;
      this.eeprom.cutAfter(null);
      this.node.restart();
    }
    // A reset's own lock moves are its boot's, as are those of the boot after a power cut.
    const bootLockChanges = [...(what === 'reset' ? during : []), ...this.#lockChanges];
    this.#lockChanges = [];
    this.oracle.observe({
      what,
      at,
      ...extra,
      ...(watched?.op !== undefined ? { op: watched.op } : {}),
      before,
      after: this.#snapshot(),
      lockChanges: what === 'reset' ? [] : during,
      bootLockChanges,
      sets,
      powerCut,
    });
    return watched?.sent ?? [];
  }
}
