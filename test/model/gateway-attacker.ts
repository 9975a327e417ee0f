/**
 * The gateway link, owned by the attacker: every frame either way enters here, and the attacker
 * decides whether, when, how often and in what shape it arrives (its fates, in the order frames
 * come), jams a direction while recording, and plays any frame it has seen, or bytes of its own,
 * to either side. Deliveries are events on virtual time.
 */
import { FrameKind, headerByte } from '../../src/core/protocol/frame.ts';
import type { Fate } from './model-plan.ts';
import type { VirtualTime } from './virtual-time.ts';

/** A frame the attacker leaves alone (or any frame once it has gone) takes this long. */
const QUIET_DELAY_MS = 10;
/** The header byte of a challenge-bound frame (docs/protocol.md section 4): in clear on the link. */
const CRITICAL_HEADER = headerByte(FrameKind.Critical);

export interface WireFrame {
  toNode: boolean;
  child: number;
  frame: Uint8Array;
}

export interface LinkEnds {
  toNode: (child: number, frame: Uint8Array) => void;
  toController: (child: number, frame: Uint8Array) => void;
}

export class GatewayAttacker {
  /** Every frame seen on the link, either way, for replays. */
  readonly #seen: WireFrame[] = [];
  #nextFate = 0;
  #attacking = true;
  /** Until when each direction is jammed; the frames the jammer caught. */
  readonly #jammedUntil = { toNode: 0, toController: 0 };
  /** A jam (this long) that starts at the next challenge-bound frame to the node. */
  #jamAtCritical: number | null = null;
  #caught: WireFrame[] = [];

  constructor(
    private readonly time: VirtualTime,
    private readonly fates: readonly Fate[],
    private readonly ends: LinkEnds,
  ) {}

  /** A frame enters the link from the controller (toNode) or from the node. */
  cross(toNode: boolean, child: number, frame: Uint8Array): void {
    const wire = { toNode, child, frame: Uint8Array.from(frame) };
    this.#seen.push(wire);
    if (!this.#attacking) {
      this.#arrive(wire, QUIET_DELAY_MS);
      return;
    }
    if (toNode && this.#jamAtCritical !== null && frame[0] === CRITICAL_HEADER) {
      this.#jammedUntil.toNode = this.time.now + this.#jamAtCritical;
      this.#jamAtCritical = null;
    }
    if (this.time.now < this.#jammedUntil[toNode ? 'toNode' : 'toController']) {
      this.#caught.push(wire);
      return;
    }
    const fate: Fate = this.fates[this.#nextFate++] ?? { t: 'pass', delayMs: QUIET_DELAY_MS };
    switch (fate.t) {
      case 'pass':
      case 'hold':
        this.#arrive(wire, fate.delayMs);
        break;
      case 'drop':
        break;
      case 'duplicate':
        this.#arrive(wire, fate.delayMs);
        this.#arrive(wire, fate.againMs);
        break;
      case 'truncate':
        this.#arrive({ ...wire, frame: wire.frame.subarray(0, fate.keep) }, QUIET_DELAY_MS);
        break;
      case 'flip': {
        const flipped = Uint8Array.from(wire.frame);
        const at = fate.at % Math.max(1, flipped.length);
        flipped[at] = flipped[at]! ^ (1 << fate.bit);
        this.#arrive({ ...wire, frame: flipped }, QUIET_DELAY_MS);
        break;
      }
      case 'rechild':
        this.#arrive({ ...wire, child: fate.child }, QUIET_DELAY_MS);
        break;
    }
  }

  jam(toNode: boolean, ms: number, atCritical: boolean): void {
    if (atCritical && toNode) this.#jamAtCritical = ms;
    else this.#jammedUntil[toNode ? 'toNode' : 'toController'] = this.time.now + ms;
  }

  /** Plays the caught frames now, in the order caught. */
  release(): void {
    for (const wire of this.#caught.splice(0)) this.inject(wire.toNode, wire.child, wire.frame);
  }

  /** Plays a frame seen earlier (either way) to the node or the controller. */
  replay(pick: number, toNode: boolean): void {
    const seen = this.#seen[pick % Math.max(1, this.#seen.length)];
    if (seen) this.inject(toNode, seen.child, seen.frame);
  }

  /** A frame of the attacker's, delivered at once. */
  inject(toNode: boolean, child: number, frame: Uint8Array): void {
    const copy = Uint8Array.from(frame);
    if (toNode) this.ends.toNode(child, copy);
    else this.ends.toController(child, copy);
  }

  /** The attacker leaves: what it caught is lost, and frames pass untouched from now on. */
  leave(): void {
    this.#attacking = false;
    this.#caught = [];
    this.#jamAtCritical = null;
  }

  #arrive(wire: WireFrame, delayMs: number): void {
    const { toNode, child } = wire;
    const frame = Uint8Array.from(wire.frame);
    this.time.schedule(delayMs, () => (toNode ? this.ends.toNode(child, frame) : this.ends.toController(child, frame)));
  }
}
