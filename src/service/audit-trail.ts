/**
 * The service's audit entries: written to the audit sink and told, live, to whoever follows the
 * service's events (the web page's stream). A failed write is logged, never thrown: what happened
 * at the door still happened.
 */
import { EventEmitter } from 'node:events';
import type { AuditInput } from '../audit/schema.ts';
import type { OutcomeReport } from './lock/outcome.ts';
import type { AuditSink, LoggerLike } from './ports.ts';

/** What the status page and the MQTT bridge follow live. */
export interface ServiceEvents {
  /** An audit entry as it is written (never a PIN, a digit or a key). */
  audit: [entry: AuditInput & { ts: string }];
  /** A node's state may have changed (after a result, a report, a refused frame). */
  node: [node: number];
  /** The outcome of an unlock, whichever way its PIN came (for `<out>/N/result` on MQTT). */
  result: [report: OutcomeReport];
}

export class AuditTrail {
  readonly events = new EventEmitter<ServiceEvents>();

  constructor(
    private readonly sink: AuditSink | undefined,
    private readonly log: LoggerLike,
    private readonly clock: () => number,
  ) {}

  record(entry: AuditInput): void {
    try {
      this.sink?.append(entry);
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : 'unknown' }, 'audit log write failed');
    }
    // The live copy is made only for a follower (the web page's stream): most entries have none.
    if (this.events.listenerCount('audit') > 0) this.events.emit('audit', { ts: new Date(this.clock()).toISOString(), ...entry });
    if (entry.node !== undefined) this.events.emit('node', entry.node);
  }

  /** Resolves once what was recorded so far is in the audit log (a reader then sees it); never rejects. */
  async written(): Promise<void> {
    try {
      await this.sink?.flush?.();
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : 'unknown' }, 'audit log write failed');
    }
  }
}
