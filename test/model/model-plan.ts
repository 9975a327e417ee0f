/**
 * One run of the attacker model, as data fast-check generates and shrinks: the steps (what the
 * owner asks of the lock, what happens at the lock, what the attacker does on its own), each after
 * a pause, and the fate the attacker deals each frame that crosses the gateway link, in the order
 * frames cross it (both directions). Frames beyond the list pass untouched.
 */
import fc from 'fast-check';
import { ROTATION_SEED_LENGTH } from '../../src/core/protocol/constants.ts';

export type Fate =
  | { t: 'pass'; delayMs: number }
  | { t: 'drop' }
  | { t: 'duplicate'; delayMs: number; againMs: number }
  /** Held back and released late, often after its challenge's window. */
  | { t: 'hold'; delayMs: number }
  | { t: 'truncate'; keep: number }
  | { t: 'flip'; at: number; bit: number }
  /** Delivered for another child (the nonce binds the child, so it must not open). */
  | { t: 'rechild'; child: number };

export type Action =
  | { t: 'unlock'; rightPin: boolean }
  /** The first PIN digit on a keypad: the service fetches a challenge ahead (session.prefetchChallenge). */
  | { t: 'first-digit' }
  | { t: 'lock' }
  | { t: 'status' }
  | { t: 'set-pin'; rightPin: boolean; newPin: number }
  /** The seed is the plan's, so a run replays byte for byte. */
  | { t: 'rotate-key'; seed: Uint8Array }
  /** A sealed set of a switch on the node; a guarded child takes it challenge-bound only. */
  | { t: 'set'; guarded: boolean; on: boolean }
  /** The lock turned by hand: the node reports it. */
  | { t: 'hand'; locked: boolean }
  /** Another sensor on the node reports (a door contact). */
  | { t: 'report'; tripped: boolean }
  /** The attacker plays any frame seen so far, to the node or to the controller, whichever way it went. */
  | { t: 'replay'; pick: number; toNode: boolean }
  | { t: 'inject'; toNode: boolean; child: number; bytes: Uint8Array }
  /**
   * For `ms`, every frame that way is caught and kept (a jammer that records): the classic
   * delayed-release attack. `critical`: the jam starts at the first challenge-bound frame to the
   * node (its header byte shows it), so the challenge went through and the unlock is caught.
   */
  | { t: 'jam'; toNode: boolean; ms: number; critical: boolean }
  /** The caught frames are played, in the order caught. */
  | { t: 'release' }
  | { t: 'reset' }
  /**
   * The controller's process restarts: what it held in memory (the challenge, the commands it
   * awaited, its operations) is gone; keys and counters are on disk and stay. Its running
   * operations end as the process would have left them: they never reach the link again.
   */
  | { t: 'controller-restart' }
  /** The power goes after this many more EEPROM bytes are written (in whatever call writes them). */
  | { t: 'power-cut'; afterBytes: number };

export interface Step {
  pauseMs: number;
  action: Action;
}

export interface Plan {
  steps: Step[];
  fates: Fate[];
}

/** New PINs a set-PIN may choose (4 to 8 digits); the wrong PIN is none of them. */
export const PINS = ['1234', '2580', '97531', '00000000'] as const;
export const WRONG_PIN = '9999';

const delay = fc.integer({ min: 0, max: 400 });

const fate: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('pass' as const), delayMs: delay }) },
  { weight: 2, arbitrary: fc.constant({ t: 'drop' } as const) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('duplicate' as const), delayMs: delay, againMs: fc.integer({ min: 0, max: 25_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hold' as const), delayMs: fc.integer({ min: 2_000, max: 25_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('truncate' as const), keep: fc.integer({ min: 0, max: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flip' as const), at: fc.integer({ min: 0, max: 24 }), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rechild' as const), child: fc.integer({ min: 0, max: 3 }) }) },
);

/** Random bytes, or a frame-shaped forgery: a real header byte and any counter (0 and 2^32-1 included). */
const injected = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 30 }),
  fc
    .tuple(fc.constantFrom(0x10, 0x11, 0x92, 0x93), fc.constantFrom(0, 1, 2, 0xffffffff, 0x7fffffff), fc.uint8Array({ minLength: 9, maxLength: 20 }))
    .map(([header, counter, rest]) => Uint8Array.from([header, counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff, ...rest])),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('unlock' as const), rightPin: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ t: 'first-digit' } as const) },
  { weight: 2, arbitrary: fc.constant({ t: 'lock' } as const) },
  { weight: 2, arbitrary: fc.constant({ t: 'status' } as const) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('set-pin' as const), rightPin: fc.boolean(), newPin: fc.nat({ max: PINS.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rotate-key' as const), seed: fc.uint8Array({ minLength: ROTATION_SEED_LENGTH, maxLength: ROTATION_SEED_LENGTH }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('set' as const), guarded: fc.boolean(), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hand' as const), locked: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('report' as const), tripped: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('replay' as const), pick: fc.nat(), toNode: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('inject' as const), toNode: fc.boolean(), child: fc.integer({ min: 0, max: 3 }), bytes: injected }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('jam' as const), toNode: fc.boolean(), ms: fc.integer({ min: 1_000, max: 20_000 }), critical: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ t: 'release' } as const) },
  { weight: 1, arbitrary: fc.constant({ t: 'reset' } as const) },
  { weight: 1, arbitrary: fc.constant({ t: 'controller-restart' } as const) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('power-cut' as const), afterBytes: fc.nat({ max: 40 }) }) },
);

/** Pauses up to 12 s between steps: long enough for operations to overlap or to finish, and for challenges to expire. */
const step: fc.Arbitrary<Step> = fc.record({
  pauseMs: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 12_000 })),
  action,
});

export function planArbitrary(maxSteps: number, maxFates: number): fc.Arbitrary<Plan> {
  return fc.record({
    // 'max': lengths up to the limits, rather than fast-check's small default of about ten.
    steps: fc.array(step, { minLength: 1, maxLength: maxSteps, size: 'max' }),
    fates: fc.array(fate, { maxLength: maxFates, size: 'max' }),
  });
}
