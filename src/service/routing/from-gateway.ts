/**
 * Gateway to controllers: plain traffic is relayed unchanged, a sealed frame goes to its node's
 * session to be opened, an authentic report becomes the plain message the node would have sent,
 * and what anyone could forge (a plain value from a sealed child) never reaches controllers.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { Command as MsCommand, commandName, typeName } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { SensorValue } from '../../core/protocol/body.ts';
import { isSealedMessage, messageToFrame } from '../../core/protocol/carriage.ts';
import { valueToText } from '../../core/protocol/value-text.ts';
import type { AuditTrail } from '../audit-trail.ts';
import type { NodeCatalogue } from '../catalogue/node-catalogue.ts';
import type { GatewayWatch } from '../health/gateway-watch.ts';
import type { HealthCounters } from '../health/counters.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { Controllers } from './controllers.ts';
import type { RecentSends } from './recent-sends.ts';

/** Refusals of MySeal's strict line rules that are still legal output of a real gateway. */
const PASSED_ON_AS_IS: ReadonlySet<ErrorCode> = new Set([ErrorCode.PAYLOAD_FORBIDDEN_CHAR]);

export interface FromGatewayParts {
  catalogue: NodeCatalogue;
  sessions: SessionRegistry;
  controllers: Controllers;
  health: HealthCounters;
  audit: AuditTrail;
  watch: GatewayWatch;
  recent: RecentSends;
}

export class FromGateway {
  constructor(private readonly p: FromGatewayParts) {}

  message(m: MySensorsMessage, raw?: string): void {
    this.p.health.heardFrom(m.nodeId);
    this.p.recent.heard(m);
    // The answer to MySeal's own probe is MySeal's: no controller asked (gateway-watch.ts, claimsAnswer).
    if (this.p.watch.claimsAnswer(m)) return;
    if (!isSealedMessage(m)) {
      if (this.plainForged(m)) return;
      this.p.controllers.broadcast({ message: m, line: raw });
      return;
    }
    if (m.echo) return; // the echo of a frame we sent: nothing to open
    const sealed = messageToFrame(m);
    if (!sealed.ok) {
      this.p.health.refused(sealed.error, 'gateway');
      return;
    }
    const session = this.p.sessions.get(m.nodeId);
    if (!session) {
      this.p.health.refused(new MySealError(ErrorCode.NO_KEY, 'sealed frame from a node without a key', { node: m.nodeId }), 'node');
      return;
    }
    session.deliver(sealed.value.child, sealed.value.frame);
  }

  /**
   * A line MySeal's parser refused. A node's string with ';' is legal gateway output that MySeal
   * would never send itself: it still reaches controllers as it was. Anything else refused (wrong
   * field counts, bad numbers, broken hex, garbage) does not, and a sealed-frame line never does:
   * those are MySeal's alone.
   */
  invalid(e: MySealError, raw?: string): void {
    this.p.health.refused(e, 'gateway');
    if (raw !== undefined && PASSED_ON_AS_IS.has(e.code) && !/^\d+;\d+;4;\d;83;/.test(raw)) {
      this.p.controllers.broadcast({ line: raw });
    }
  }

  /** An authentic, fresh report becomes the plain message the node would have sent. */
  report(node: number, child: number, value: SensorValue): void {
    this.p.controllers.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: value.type, payload: valueToText(value) });
    this.p.audit.record({ event: 'report', node, child, source: `node:${node}`, result: 'accepted', detail: { type: value.type } });
  }

  /** A frame from a node refused, or the node's answer to a frame MySeal did not send: a security event. */
  rejected(node: number, child: number, error: MySealError): void {
    this.p.health.refused(error, 'node');
    // The detail says what the node answered to a frame MySeal did not send; nothing secret.
    const detail = error.code === ErrorCode.UNEXPECTED_RESULT ? { ...error.detail } : undefined;
    this.p.audit.record({ event: 'security', node, child, source: `node:${node}`, result: error.codeName, ...(detail ? { detail } : {}) });
  }

  /**
   * True (and counted, logged, audited) for a plain value or request from a child MySeal seals:
   * every child of a node with a key, unless configured acceptPlain. Such a line is what anyone
   * with access to the gateway link or the radio can forge (`5;1;1;0;36;0`, the door "unlocked"),
   * so controllers never see it; they learn the child's state from authentic sealed reports alone.
   * Presentations and internal messages (sketch name, battery, heartbeat) still pass.
   */
  private plainForged(m: MySensorsMessage): boolean {
    if (m.command !== MsCommand.C_SET && m.command !== MsCommand.C_REQ) return false;
    if (!this.p.catalogue.sealed(m.nodeId)) return false;
    if (this.p.catalogue.child(m.nodeId, m.childId)?.acceptPlain === true) return false;
    const detail = { command: commandName(m.command), type: typeName(m.command, m.type) };
    this.p.health.refused(new MySealError(ErrorCode.PLAIN_FROM_SEALED_NODE, 'plain value from a sealed child dropped', { node: m.nodeId, child: m.childId, ...detail }), 'gateway');
    this.p.audit.record({ event: 'security', node: m.nodeId, child: m.childId, source: 'gateway', result: 'PLAIN_FROM_SEALED_NODE', detail });
    return true;
  }
}
