/**
 * Gateway to controllers: plain traffic is relayed unchanged, a sealed frame goes to its node's
 * session to be opened, an authentic report becomes the plain message the node would have sent,
 * and what anyone could forge (a plain value from a sealed child) never reaches controllers.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { Command as MsCommand, commandName, typeName } from '../../core/mysensors/enums.ts';
import { LineView } from '../../core/mysensors/line-batch.ts';
import type { LineBatch } from '../../core/mysensors/line-batch.ts';
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
import { PassedLineRuns } from './passed-lines.ts';
import type { RecentSends } from './recent-sends.ts';

/** Refusals of MySeal's strict line rules that are still legal output of a real gateway. */
const PASSED_ON_AS_IS: ReadonlySet<ErrorCode> = new Set([ErrorCode.PAYLOAD_FORBIDDEN_CHAR]);

/** What becomes of one message from the gateway. */
enum Route {
  /** To controllers, as it came. */
  Pass,
  /** Nobody's business beyond what was already done (counted, audited, claimed). */
  Drop,
  /** A sealed frame for its node's session. */
  Sealed,
}

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
    const route = this.#route(m);
    if (route === Route.Pass) this.p.controllers.broadcast({ message: m, line: raw });
    else if (route === Route.Sealed) this.#sealed(m);
  }

  /**
   * The lines of one chunk from the gateway: each decided on by its header alone as message()
   * decides, and what passes handed to controllers at once, as it came (passed-lines.ts). Only a
   * sealed frame is read in full, and what passed before it goes out first, so controllers hear
   * everything in the gateway's order.
   */
  lines(batch: LineBatch): void {
    this.p.health.heardLines(batch);
    const view = new LineView(batch);
    const passed = new PassedLineRuns(batch);
    for (let i = 0; i < batch.size; i++) {
      if (!view.moveTo(i)) {
        if (this.#refused(batch.error(i)!, batch.text(i))) passed.add(i);
        continue;
      }
      const route = this.#route(view);
      if (route === Route.Pass) passed.add(i);
      else if (route === Route.Sealed) {
        this.#broadcast(passed);
        this.#sealed(batch.message(i)!);
      }
    }
    this.#broadcast(passed);
  }

  /**
   * A line MySeal's parser refused. A node's string with ';' is legal gateway output that MySeal
   * would never send itself: it still reaches controllers as it was. Anything else refused (wrong
   * field counts, bad numbers, broken hex, garbage) does not, and a sealed-frame line never does:
   * those are MySeal's alone.
   */
  invalid(e: MySealError, raw?: string): void {
    if (this.#refused(e, raw)) this.p.controllers.broadcast({ line: raw });
  }

  /** Counts a refused line; true when it still goes to controllers (invalid()). */
  #refused(e: MySealError, raw: string | undefined): raw is string {
    this.p.health.refused(e, 'gateway');
    return raw !== undefined && PASSED_ON_AS_IS.has(e.code) && !/^\d+;\d+;4;\d;83;/.test(raw);
  }

  #broadcast(passed: PassedLineRuns): void {
    const lines = passed.take();
    if (lines) this.p.controllers.broadcast({ lines });
  }

  /** `m` may be a LineView: nothing here keeps it or reads its payload unless it is needed. */
  #route(m: MySensorsMessage): Route {
    this.p.recent.heard(m);
    // The answer to MySeal's own probe is MySeal's: no controller asked (gateway-watch.ts, claimsAnswer).
    if (this.p.watch.claimsAnswer(m)) return Route.Drop;
    if (!isSealedMessage(m)) return this.plainForged(m) ? Route.Drop : Route.Pass;
    return m.echo ? Route.Drop : Route.Sealed; // an echo: the frame we sent, nothing to open
  }

  #sealed(m: MySensorsMessage): void {
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
