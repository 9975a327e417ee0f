/**
 * The service as its edges see it: each edge gets the narrow interface of what it uses, and
 * nothing reaches into the service's parts.
 */
import type { EventEmitter } from 'node:events';
import type { AuditInput } from '../audit/schema.ts';
import type { ServiceEvents } from './audit-trail.ts';
import type { NodeHeard } from './health/counters.ts';
import type { OutcomeReport } from './lock/outcome.ts';
import type { DigitOutcome } from './lock/pin-entry.ts';
import type { NodeStateView } from './sessions/node-session.ts';

/** The gateway link and every node heard through it. */
export interface HealthView {
  gatewayConnected: boolean;
  gatewayAnswering: boolean;
  gatewayLastHeard: number | null;
  gateway: string;
  nodes: NodeHeard[];
}

/** What a node is, as the catalogue says (the web page's keypad follows it). */
export interface NodeFacts {
  name: string | null;
  /** Has a key: the service holds a sealed session for it. */
  sealed: boolean;
  /** Takes PIN digits: it has a lock child (node-catalogue.ts, lockChild). */
  lock: boolean;
  pinLength: number;
}

/** PIN entry, one key press at a time. */
export interface Keypad {
  digit(node: number, key: string, source: string): DigitOutcome<OutcomeReport>;
  /** Digits waiting for a node (a count only). */
  bufferedDigits(node: number): number;
  /** The submit and clear keys, for a keypad to send. */
  readonly keys: { submitKey: string; clearKey: string };
}

/** One-shot operations on a node's lock. */
export interface LockCommands {
  unlock(node: number, pin: string, source: string, opts?: { legacy?: boolean }): Promise<OutcomeReport>;
  lock(node: number, source: string): Promise<OutcomeReport>;
  status(node: number, source: string): Promise<OutcomeReport>;
  setPin(node: number, oldPin: string, newPin: string, source: string): Promise<OutcomeReport>;
  /** A new key for the node (docs/protocol.md section 8.6); "unconfirmed" when its answer did not come. */
  rotateKey(node: number, source: string): Promise<OutcomeReport>;
}

/** What the service knows of nodes and of itself. */
export interface ServiceState {
  nodeIds(): number[];
  nodeView(node: number): NodeStateView | undefined;
  nodeFacts(node: number): NodeFacts;
  health(): HealthView;
  /** The security and health counters, by key. */
  counterValues(): Record<string, number>;
}

/** Input an edge refused, counted with the service's own refusals. */
export interface RefusalCounter {
  countCode(where: string, code: string, detail?: Readonly<Record<string, string | number | boolean>>): void;
}

/** What the HTTP API reaches. */
export interface ApiService extends Keypad, LockCommands, ServiceState, RefusalCounter {}

/** What the web page reaches: state, the keypad's keys, its own audit entries, and the live events. */
export interface WebService extends ServiceState, RefusalCounter, Pick<Keypad, 'bufferedDigits' | 'keys'> {
  /** An audit entry of the edge's own (a failed login): to the audit log, and live to the page. */
  recordAudit(entry: AuditInput): void;
  /** Resolves once every audit entry recorded so far can be read from the audit log. */
  auditWritten(): Promise<void>;
  readonly events: Pick<EventEmitter<ServiceEvents>, 'on' | 'off'>;
}
