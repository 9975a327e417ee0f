/**
 * Everything the daemon does for one sealed node: one command in flight at a time (a queue in
 * front of it), results matched to their command, reports opened the moment they arrive, and the
 * node's last known state for the API and the status page.
 *
 * Every sealed frame from the node is opened in exactly one place: by the running operation when
 * one is in flight (its link gets the frame), otherwise here.
 */
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { SetReq } from '../../core/mysensors/enums.ts';
import { Op, Status } from '../../core/protocol/body.ts';
import type { Command, ResultBody, SensorValue } from '../../core/protocol/body.ts';
import type { ControllerChannel, ForeignAnswer } from '../../core/protocol/controller-channel.ts';
import { runOperation } from '../../core/protocol/operation.ts';
import type { OperationOutcome } from '../../core/protocol/operation.ts';
import { InboxLink } from './inbox-link.ts';
import { describeOutcome } from '../lock/outcome.ts';

export interface NodeSessionOptions {
  channel: ControllerChannel;
  /** Puts a sealed frame on the gateway link (rejects when the gateway is down). */
  write: (child: number, frame: Uint8Array) => Promise<void>;
  timeoutMs?: number;
  retries?: number;
  clock?: () => number;
  /** An authentic, fresh report: relay it to controllers. */
  onReport?: (child: number, value: SensorValue) => void;
  /**
   * A frame from the node that was refused, or the node's answer to a frame MySeal did not send
   * (UNEXPECTED_RESULT): a security event.
   */
  onRejected?: (child: number, error: MySealError) => void;
}

export interface NodeStateView {
  node: number;
  lastSeen: number | null;
  locked: boolean | null;
  attemptsLeft: number | null;
  lockoutUntil: number | null;
  lastResult: string | null;
  pendingCommands: number;
  counts: { commands: number; results: number; reports: number; rejected: number; timeouts: number };
}

export class NodeSession {
  readonly nodeId: number;
  private readonly opts: NodeSessionOptions;
  private readonly clock: () => number;
  private readonly link: InboxLink;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = false;
  private pending = 0;
  private readonly state: Omit<NodeStateView, 'node' | 'pendingCommands'> = {
    lastSeen: null,
    locked: null,
    attemptsLeft: null,
    lockoutUntil: null,
    lastResult: null,
    counts: { commands: 0, results: 0, reports: 0, rejected: 0, timeouts: 0 },
  };

  constructor(opts: NodeSessionOptions) {
    this.opts = opts;
    this.nodeId = opts.channel.nodeId;
    this.clock = opts.clock ?? Date.now;
    this.link = new InboxLink(opts.write);
  }

  get channel(): ControllerChannel {
    return this.opts.channel;
  }

  view(): NodeStateView {
    return { node: this.nodeId, pendingCommands: this.pending, ...this.state, counts: { ...this.state.counts } };
  }

  /** A sealed frame from this node arrived through the gateway. */
  deliver(child: number, frame: Uint8Array): void {
    if (this.inFlight) {
      this.link.push({ child, frame });
    } else {
      void this.openIdle(child, frame);
    }
  }

  /** Opens a frame no operation waits for; acted on only once its counter is durable (channel.open). */
  private async openIdle(child: number, frame: Uint8Array): Promise<void> {
    const opened = await this.opts.channel.open(child, frame);
    if (!opened.ok) {
      this.rejected(child, opened.error);
      return;
    }
    this.state.lastSeen = this.clock();
    if (opened.value.kind === 'report') {
      this.reported(child, opened.value.value);
    } else if (opened.value.foreign) {
      this.foreignResult(child, opened.value.result, opened.value.foreign);
    } else {
      this.learn(opened.value.result); // a late answer to a command that timed out
    }
  }

  /**
   * The node answered a frame MySeal did not send, or sent long ago: someone replayed a recorded
   * frame, or held one back and released it, on the gateway link. The node refused it (or the
   * protocol is broken): either way its owner should hear of it.
   */
  private foreignResult(child: number, result: ResultBody, foreign: ForeignAnswer): void {
    const detail: Record<string, string | number> =
      foreign.why === 'not-sent'
        ? { nodeAnswer: Status[result.status], frame: 'not sent by MySeal' }
        : { nodeAnswer: Status[result.status], frame: 'held back', heldSeconds: Math.round(foreign.ageMs / 1000) };
    this.rejected(child, new MySealError(ErrorCode.UNEXPECTED_RESULT, 'the node answered a frame MySeal did not send: replay on the gateway link?', { node: this.nodeId, ...detail }));
  }

  private rejected(child: number, error: MySealError): void {
    this.state.counts.rejected++;
    this.opts.onRejected?.(child, error);
  }

  private reported(child: number, value: SensorValue): void {
    this.state.counts.reports++;
    if (value.type === SetReq.V_LOCK_STATUS && value.data.length === 1) this.state.locked = value.data[0] === 1;
    this.opts.onReport?.(child, value);
  }

  /** Keeps the node's last known state from any authentic result. */
  private learn(r: ResultBody): void {
    this.state.counts.results++;
    this.state.lastResult = describeOutcome(this.nodeId, r).result;
    switch (r.status) {
      case Status.Unlocked:
        this.state.locked = false;
        this.state.attemptsLeft = null;
        this.state.lockoutUntil = null;
        break;
      case Status.Locked:
        this.state.locked = true;
        break;
      case Status.WrongPin:
        this.state.attemptsLeft = r.attemptsLeft;
        break;
      case Status.LockedOut:
        this.state.attemptsLeft = 0;
        this.state.lockoutUntil = this.clock() + r.secondsLeft * 1000;
        break;
      case Status.LockStatus:
        this.state.locked = r.locked;
        this.state.attemptsLeft = r.attemptsLeft;
        this.state.lockoutUntil = r.lockoutSeconds > 0 ? this.clock() + r.lockoutSeconds * 1000 : null;
        break;
      default:
        break;
    }
  }

  /**
   * Runs one operation after those already queued. Resolves with the node's sealed result; rejects
   * with MySealError TIMEOUT (no answer after the retries) or the gateway's error.
   */
  run(child: number, command: Command, opts: { critical?: boolean } = {}): Promise<OperationOutcome> {
    this.pending++;
    const job = this.queue.then(async () => {
      this.inFlight = true;
      this.state.counts.commands++;
      try {
        const outcome = await runOperation(this.opts.channel, this.link, child, command, {
          timeoutMs: this.opts.timeoutMs,
          retries: this.opts.retries,
          critical: opts.critical,
          onReport: (c, v) => {
            this.state.lastSeen = this.clock();
            this.reported(c, v);
          },
          onRejected: (e) => this.rejected(child, e),
          onForeignResult: (r, foreign) => this.foreignResult(child, r, foreign),
        });
        this.state.lastSeen = this.clock();
        this.learn(outcome.result);
        return outcome;
      } catch (e) {
        if (isMySealError(e, ErrorCode.TIMEOUT)) this.state.counts.timeouts++;
        throw e;
      } finally {
        this.inFlight = false;
        this.pending--;
        // Frames that came after the operation stopped listening are still opened, once.
        for (const f of this.link.drain()) void this.openIdle(f.child, f.frame);
      }
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  /**
   * Fetches a challenge ahead of need (when the first PIN digit arrives), so the unlock frame can go
   * out the moment the last digit does. Failures are ignored: the unlock fetches one itself.
   */
  prefetchChallenge(child: number): void {
    if (this.opts.channel.hasFreshChallenge() || this.pending > 0) return;
    this.run(child, { op: Op.GetChallenge }).catch(() => undefined);
  }
}
