/**
 * What is done to a lock, whichever way it is asked (HTTP, the CLI, MQTT, PIN entry): unlock,
 * lock, status and set-pin, PIN digits collected one key press at a time, and the PIN rate limit
 * across every way in. Controllers hear each outcome as the lock's state and a V_TEXT. A key
 * rotation takes the same way to the node and into the audit log; controllers are not told of it.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { Op, Status } from '../../core/protocol/body.ts';
import type { Command, ResultBody } from '../../core/protocol/body.ts';
import { DEFAULT_LOCK_CHILD } from '../../core/protocol/constants.ts';
import { ControllerChannel } from '../../core/protocol/controller-channel.ts';
import type { OperationOutcome } from '../../core/protocol/operation.ts';
import type { AuditEvent, AuditInput } from '../../audit/schema.ts';
import type { AuditTrail } from '../audit-trail.ts';
import type { NodeCatalogue } from '../catalogue/node-catalogue.ts';
import type { GatewayReadiness } from '../health/gateway-readiness.ts';
import type { Controllers } from '../routing/controllers.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import { legacyUnlock } from './legacy-unlock.ts';
import type { LegacyUnlockParts } from './legacy-unlock.ts';
import { describeOutcome } from './outcome.ts';
import type { OutcomeReport } from './outcome.ts';
import { PinEntry } from './pin-entry.ts';
import type { DigitOutcome, PinEntryOptions } from './pin-entry.ts';
import type { RateLimiter } from './rate-limit.ts';
import { describeRotation } from './rotate-key.ts';

export interface LockOperationsParts {
  catalogue: NodeCatalogue;
  sessions: SessionRegistry;
  controllers: Controllers;
  readiness: GatewayReadiness;
  audit: AuditTrail;
  pinTries: RateLimiter;
  /** Sending the original format, for nodes the catalogue says are on the original sketch. */
  legacy?: LegacyUnlockParts;
  pinEntry?: Pick<PinEntryOptions, 'digitTimeoutMs' | 'submitKey' | 'clearKey'>;
}

export class LockOperations {
  readonly #pinEntry: PinEntry<OutcomeReport>;

  constructor(private readonly p: LockOperationsParts) {
    this.#pinEntry = new PinEntry<OutcomeReport>(
      {
        ...p.pinEntry,
        pinLength: (node) => p.catalogue.pinLength(node),
        onFirstDigit: (node) => {
          const lock = p.catalogue.lockChild(node);
          if (lock) p.sessions.get(node)?.prefetchChallenge(lock.child);
        },
        onTimeout: (node, digits) => p.audit.record({ event: 'digit', node, source: 'pin-entry', result: 'timeout', detail: { count: digits } }),
      },
      (node, pin) => this.unlock(node, pin, 'pin-entry'),
    );
  }

  /** The submit and clear keys, for a keypad to send. */
  get keys(): { submitKey: string; clearKey: string } {
    return this.#pinEntry.keys;
  }

  /** Digits waiting for a node (a count only: the digits themselves never leave). */
  bufferedDigits(node: number): number {
    return this.#pinEntry.buffered(node);
  }

  /** Forgets every PIN being typed (the service is stopping). */
  close(): void {
    this.#pinEntry.close();
  }

  /** One key press of PIN entry for a node. */
  digit(node: number, key: string, source: string): DigitOutcome<OutcomeReport> {
    if (!this.p.catalogue.lockChild(node)) throw new MySealError(ErrorCode.NO_KEY, 'no sealed lock on this node', { node });
    const outcome = this.#pinEntry.press(node, key);
    // The audit records that a key was pressed and the buffer's length, never the key.
    const entry: AuditInput = { event: 'digit', node, source, result: outcome.state, detail: outcome.state === 'buffered' ? { count: outcome.count } : {} };
    // The last key's unlock frame goes out in this turn's microtasks (the challenge was prefetched):
    // its entry is written right after rather than holding the frame back. Still before anything
    // the node answers can be read, so the audit keeps its order.
    if (outcome.state === 'submitted') setImmediate(() => this.p.audit.record(entry));
    else this.p.audit.record(entry);
    return outcome;
  }

  /**
   * Unlocks with a PIN. A node configured legacyEcb gets the original format whichever way it is
   * asked; `legacy: true` (`myseal unlock --legacy-ecb`) insists on it, and is refused for a node the
   * configuration does not put in legacy mode: a replayable line goes out only where the owner
   * said so.
   */
  unlock(node: number, pin: string, source: string, opts: { legacy?: boolean } = {}): Promise<OutcomeReport> {
    if (this.p.legacy && this.p.catalogue.isLegacy(node)) return legacyUnlock(this.p.legacy, node, pin, source);
    if (opts.legacy === true) {
      const report = describeOutcome(node, new MySealError(ErrorCode.REFUSED_BY_POLICY, 'not in legacy mode', { node }));
      this.p.audit.record({ event: 'legacy', node, child: DEFAULT_LOCK_CHILD, source, result: report.result });
      return this.p.audit.written().then(() => report);
    }
    return this.run(node, { op: Op.Unlock, pin }, 'unlock', source);
  }

  lock(node: number, source: string): Promise<OutcomeReport> {
    return this.run(node, { op: Op.Lock }, 'lock', source);
  }

  status(node: number, source: string): Promise<OutcomeReport> {
    return this.run(node, { op: Op.Status }, 'status', source);
  }

  setPin(node: number, oldPin: string, newPin: string, source: string): Promise<OutcomeReport> {
    return this.run(node, { op: Op.SetPin, oldPin, newPin }, 'set_pin', source);
  }

  /**
   * Gives the node a new key, derived from its current one and a random seed (docs/protocol.md
   * section 8.6), sent to the lock's child (any child takes it). No PIN: whoever may call the
   * service's operations may rotate; the node's old key stops working once it has answered.
   */
  rotateKey(node: number, source: string): Promise<OutcomeReport> {
    return this.run(node, ControllerChannel.rotateKeyCommand(), 'rotate_key', source);
  }

  private async run(node: number, command: Command, event: AuditEvent, source: string): Promise<OutcomeReport> {
    const lock = this.p.catalogue.lockChild(node);
    const session = this.p.sessions.get(node);
    if (!lock || !session) throw new MySealError(ErrorCode.NO_KEY, 'no sealed lock on this node', { node });
    const rotation = command.op === Op.RotateKey;
    const describe = (outcome: unknown): OutcomeReport =>
      rotation ? describeRotation(node, outcome, session.channel.hasPendingKey) : describeOutcome(node, outcome);
    // Whoever asked is answered once the operation's audit line is durable: what they were told is
    // in the audit log, whatever happens to this process next (concurrent answers share the fsync).
    const finish = async (report: OutcomeReport): Promise<OutcomeReport> => {
      await this.p.audit.written();
      if (command.op === Op.Unlock) this.p.audit.events.emit('result', report);
      return report;
    };
    if ((command.op === Op.Unlock || command.op === Op.SetPin) && !this.p.pinTries.take(node)) {
      const report = describeOutcome(node, new MySealError(ErrorCode.RATE_LIMITED, 'too many PIN tries', { node }));
      this.p.audit.record({ event, node, child: lock.child, source, result: report.result });
      return finish(report);
    }
    const { readiness } = this.p;
    let out: OperationOutcome;
    try {
      // A gateway that is reconnecting gets the same short wait as controllers' commands do, and one
      // not heard from lately is asked whether it is there (gateway-watch.ts). (No await at all when
      // it was heard just now, as after the first digit's challenge: the last digit's path to the frame.)
      if (!readiness.watch.heardRecently() && !(await readiness.ready())) throw new MySealError(ErrorCode.GATEWAY_DOWN, 'gateway is not connected or does not answer', { node });
      // A lock child configured critical gets every LOCK challenge-bound, whichever way it came.
      out = await session.run(lock.child, command, { critical: command.op === Op.Lock && lock.options.critical === true });
    } catch (e) {
      const report = describe(await readiness.blame(e, node));
      this.p.audit.record({ event, node, child: lock.child, source, result: report.result, ...(rotation && report.detail ? { detail: report.detail } : {}) });
      if (!rotation) this.p.controllers.text(node, lock.child, report);
      return finish(report);
    }
    const report = describe(out.result);
    this.p.audit.record({ event, node, child: lock.child, source, result: report.result, detail: report.detail });
    if (!rotation) this.announce(node, lock.child, out.result, report);
    return finish(report);
  }

  /** Tells controllers what happened, in the plain messages they understand. */
  private announce(node: number, child: number, r: ResultBody, report: OutcomeReport): void {
    if (r.status === Status.Unlocked) this.p.controllers.lockState(node, child, false);
    if (r.status === Status.Locked) this.p.controllers.lockState(node, child, true);
    if (r.status === Status.LockStatus) this.p.controllers.lockState(node, child, r.locked);
    this.p.controllers.text(node, child, report);
  }
}
