/**
 * The attacker model's world: the service's session for one lock (NodeSession over the controller's
 * channel, as the daemon runs it) and the WebAssembly node, joined by a gateway link the attacker
 * owns (gateway-attacker.ts), all on virtual time. The oracle sees every frame the controller
 * writes and the node sends, and every call into the node with what the node did during it.
 */
import { errorCodeName, isMySealError } from '../../src/core/errors.ts';
import { toHex } from '../../src/core/bytes.ts';
import { PayloadType, SetReq } from '../../src/core/mysensors/enums.ts';
import { Op, Status } from '../../src/core/protocol/body.ts';
import type { Command } from '../../src/core/protocol/body.ts';
import type { OperationOutcome } from '../../src/core/protocol/operation.ts';
import { encodePin } from '../../src/core/protocol/pin.ts';
import { MemoryCounters, MemoryKeyStore } from '../../src/core/protocol/stores.ts';
import { NodeSession } from '../../src/service/sessions/node-session.ts';
import type { OutgoingFrame } from '../../src/node/wasm-node.ts';
import { GatewayAttacker } from './gateway-attacker.ts';
import { Oracle } from './oracle.ts';
import { PINS, WRONG_PIN } from './model-plan.ts';
import type { Action, Plan } from './model-plan.ts';
import { ProcessStores } from './process-stores.ts';
import { RecordingChannel } from './recording-channel.ts';
import { settleMicrotasks, VirtualTime } from './virtual-time.ts';
import { WatchedNode } from './watched-node.ts';

const NODE_ID = 5;
const LOCK_CHILD = 1;
const SENSOR_CHILD = 2;
/** A switch on the node, and one whose sets must be challenge-bound (a garage door, say). */
const SWITCH_CHILD = 3;
const GUARDED_CHILD = 4;
/** The protocol's defaults: the controller waits 3 s a try, 3 tries; a challenge lives 10 s. */
const WINDOW_MS = 10_000;
const TIMEOUT_MS = 3_000;
const RETRIES = 2;
/** More events than any run needs: past this the world is going round in circles. */
const MAX_EVENTS = 20_000;
const KEY = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + 7) & 0xff);
/** The PINs as the node stores them, to tell which one a set-PIN left it with. */
const PIN_HEX = new Map<string, string>(PINS.map((pin) => [pin, toHex(encodePin(pin))]));

export interface TrackedOperation {
  action: Action['t'];
  settled: boolean;
  /** Started by a controller process that has since stopped: nobody waits for its answer. */
  abandoned: boolean;
  outcome?: OperationOutcome;
  error?: unknown;
}

interface ControllerProcess {
  session: NodeSession;
  stores: ProcessStores;
  operations: TrackedOperation[];
}

export class ModelWorld {
  readonly time = new VirtualTime();
  readonly oracle = new Oracle(WINDOW_MS);
  readonly node: WatchedNode;
  readonly operations: TrackedOperation[] = [];
  readonly attacker: GatewayAttacker;
  controllerRestarts = 0;
  /** On disk: what survives a controller restart. */
  readonly #counters = new MemoryCounters();
  readonly #keys = new MemoryKeyStore([[NODE_ID, KEY]]);
  #controller: ControllerProcess;
  #events = 0;

  constructor(plan: Plan) {
    this.node = new WatchedNode({ nodeId: NODE_ID, key: KEY, pin: PINS[0], lockChild: LOCK_CHILD, windowMs: WINDOW_MS, guardedChildren: [GUARDED_CHILD], clock: this.time.read }, this.oracle);
    this.attacker = new GatewayAttacker(this.time, plan.fates, {
      toNode: (child, frame) => this.#emit(this.node.receive(child, frame, this.time.now)),
      // Whichever controller process runs when the frame arrives reads it.
      toController: (child, frame) => this.#controller.session.deliver(child, frame),
    });
    this.#controller = this.#startController();
  }

  get session(): NodeSession {
    return this.#controller.session;
  }

  #startController(): ControllerProcess {
    const stores = new ProcessStores(this.#counters, this.#keys);
    const channel = new RecordingChannel({ nodeId: NODE_ID, keys: stores, counters: stores, clock: this.time.read, challengeWindowMs: WINDOW_MS });
    channel.setClock(this.time.read);
    channel.onSealed = (sealed) => this.oracle.sealed(sealed);
    const session = new NodeSession({
      channel,
      write: (child, frame) => {
        // A stopped process writes nothing (its operations go on only on the model's clock).
        if (this.#controller.session === session) {
          this.oracle.controllerSent(frame);
          this.attacker.cross(true, child, frame);
        }
        return Promise.resolve();
      },
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
      clock: this.time.read,
    });
    return { session, stores, operations: [] };
  }

  /** Runs every event due within `ms` of virtual time. */
  async pass(ms: number): Promise<void> {
    const until = this.time.now + ms;
    for (;;) {
      await settleMicrotasks();
      const at = this.time.nextAt();
      if (at === null || at > until) break;
      this.#runEvent();
    }
    this.time.advanceTo(until);
    this.#emit(this.node.poll(this.time.now));
    await settleMicrotasks();
  }

  /** Runs events until none is left: every frame delivered or lost, every wait ended. */
  async drain(): Promise<void> {
    for (;;) {
      await settleMicrotasks();
      if (this.time.nextAt() === null) break;
      this.#runEvent();
    }
  }

  /** The attacker leaves: frames pass untouched from now on, and no power cut is pending. */
  stopAttacking(): void {
    this.attacker.leave();
    this.node.eeprom.cutAfter(null);
  }

  #runEvent(): void {
    if (++this.#events > MAX_EVENTS) throw new Error(`more than ${MAX_EVENTS} events: the controller and the node are going round in circles`);
    this.time.runNext();
    // The node's loop(): auto-relock when due.
    this.#emit(this.node.poll(this.time.now));
  }

  async act(action: Action): Promise<void> {
    const pin = (right: boolean): string => (right ? this.#ownersPin() : WRONG_PIN);
    const now = this.time.now;
    switch (action.t) {
      case 'unlock':
        this.#run(action.t, { op: Op.Unlock, pin: pin(action.rightPin) });
        break;
      case 'first-digit':
        this.#controller.session.prefetchChallenge(LOCK_CHILD);
        break;
      case 'lock':
        this.#run(action.t, { op: Op.Lock });
        break;
      case 'status':
        this.#run(action.t, { op: Op.Status });
        break;
      case 'set-pin':
        this.#run(action.t, { op: Op.SetPin, oldPin: pin(action.rightPin), newPin: PINS[action.newPin]! });
        break;
      case 'rotate-key':
        this.#run(action.t, { op: Op.RotateKey, seed: action.seed });
        break;
      case 'set': {
        const value = { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: Uint8Array.of(action.on ? 1 : 0) };
        this.#run(action.t, { op: Op.Set, value }, action.guarded ? GUARDED_CHILD : SWITCH_CHILD);
        break;
      }
      case 'hand':
        this.#emit(this.node.turnByHand(action.locked, now));
        break;
      case 'report':
        this.#emit(this.node.report(SENSOR_CHILD, action.tripped, now));
        break;
      case 'replay':
        this.attacker.replay(action.pick, action.toNode);
        break;
      case 'inject':
        this.attacker.inject(action.toNode, action.child, action.bytes);
        break;
      case 'jam':
        this.attacker.jam(action.toNode, action.ms, action.critical);
        break;
      case 'release':
        this.attacker.release();
        break;
      case 'reset':
        this.#emit(this.node.reset(now));
        break;
      case 'power-cut':
        this.node.eeprom.cutAfter(action.afterBytes);
        break;
      case 'controller-restart':
        this.controllerRestarts++;
        this.#controller.stores.die();
        for (const op of this.#controller.operations) op.abandoned = true;
        this.#controller = this.#startController();
        break;
    }
    await settleMicrotasks();
  }

  /** The owner knows the PIN the node holds (whether or not the controller heard the set-PIN's answer). */
  #ownersPin(): string {
    const held = this.node.pinHex;
    return PINS.find((pin) => PIN_HEX.get(pin) === held) ?? PINS[0];
  }

  /** Starts an operation the way the lock service does (session.run), without waiting for it. */
  #run(action: Action['t'], command: Command, child = LOCK_CHILD): TrackedOperation {
    const tracked: TrackedOperation = { action, settled: false, abandoned: false };
    this.operations.push(tracked);
    this.#controller.operations.push(tracked);
    // The daemon sends a guarded child's sets challenge-bound, as its configuration says.
    this.#controller.session.run(child, command, { critical: child === GUARDED_CHILD }).then(
      (outcome) => {
        tracked.settled = true;
        tracked.outcome = outcome;
        this.oracle.answered(command.op, outcome.result, outcome.commandCounter);
      },
      (error: unknown) => {
        tracked.settled = true;
        tracked.error = error;
      },
    );
    return tracked;
  }

  /** A status run the way the service runs one, waited for: the last word once the attacker has gone. */
  async finalStatus(): Promise<TrackedOperation> {
    const tracked = this.#run('status', { op: Op.Status });
    await this.drain();
    return tracked;
  }

  /** The node's frames go onto the link, through the attacker. */
  #emit(frames: OutgoingFrame[]): void {
    for (const out of frames) {
      this.oracle.nodeSent(out.frame, this.time.now);
      this.attacker.cross(false, out.child, out.frame);
    }
  }

  /** How each operation ended, for the report of a failing run. */
  describeOperations(): string {
    return this.operations
      .map((o) => {
        const name = o.abandoned ? `${o.action} (process stopped)` : o.action;
        if (!o.settled) return `${name}: no answer`;
        if (o.outcome) return `${name}: ${Status[o.outcome.result.status]}`;
        return `${name}: ${isMySealError(o.error) ? errorCodeName(o.error.code) : String(o.error)}`;
      })
      .join(', ');
  }
}
