/**
 * Controllers to the gateway: a controller's message is passed on, sealed or refused by the child's
 * policy (node-catalogue.ts), held while the gateway reconnects, and whatever is not delivered is
 * reported to its sender (undelivered): none is lost without a word.
 */
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { Command as MsCommand, commandName, typeName } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { Op, Status } from '../../core/protocol/body.ts';
import { isSealedMessage } from '../../core/protocol/carriage.ts';
import type { OperationOutcome } from '../../core/protocol/operation.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import type { AuditTrail } from '../audit-trail.ts';
import type { ChildOptions, NodeCatalogue } from '../catalogue/node-catalogue.ts';
import type { GatewayReadiness } from '../health/gateway-readiness.ts';
import type { HealthCounters } from '../health/counters.ts';
import { describeOutcome } from '../lock/outcome.ts';
import type { LoggerLike } from '../ports.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import { controllerMayReach } from './controller-allow-list.ts';
import type { Controllers } from './controllers.ts';
import type { HeldCommands } from './held-commands.ts';
import { refusedLineNotice, undeliveredNotice } from './notice.ts';
import type { UndeliveredCode } from './notice.ts';
import type { RecentSends } from './recent-sends.ts';
import { sealedCommandFor } from './sealed-command.ts';

/** The audit `result` of a controller's raw sealed frame, refused (the web page has words for it). */
export const RAW_SEALED_FRAME_REFUSED = 'raw sealed frame refused';

export interface FromControllerParts {
  gateway: GatewayTransport;
  catalogue: NodeCatalogue;
  sessions: SessionRegistry;
  controllers: Controllers;
  health: HealthCounters;
  audit: AuditTrail;
  readiness: GatewayReadiness;
  held: HeldCommands;
  recent: RecentSends;
  log: LoggerLike;
}

export class FromController {
  constructor(private readonly p: FromControllerParts) {}

  message(m: MySensorsMessage, source: string): void {
    const { catalogue } = this.p;
    if (isSealedMessage(m)) {
      // Only MySeal itself puts sealed frames on the gateway link: counters stay in one place.
      this.p.health.refused(new MySealError(ErrorCode.NOT_SEALED, 'a controller sent a raw sealed frame', { node: m.nodeId }), 'controller');
      this.p.audit.record({ event: 'security', node: m.nodeId, child: m.childId, source, result: RAW_SEALED_FRAME_REFUSED });
      this.p.controllers.reply(source, undeliveredNotice(m, 'NOT_SEALED', false));
      return;
    }
    const sealedNode = catalogue.sealed(m.nodeId);
    const command = m.command === MsCommand.C_SET || m.command === MsCommand.C_REQ;
    if (sealedNode && !command && !controllerMayReach(m, catalogue.allowsFirmwareUpdate(m.nodeId))) {
      this.p.log.info({ source, node: m.nodeId, command: commandName(m.command), type: typeName(m.command, m.type) }, 'controller message to a sealed node refused');
      this.undelivered(m, source, 'NOT_ALLOWED', 'refused: not allowed to a sealed node');
      return;
    }
    const policy = catalogue.policy(m.nodeId, m.childId);
    if (policy === 'pass' || !command) {
      this.passOn(m, source);
      return;
    }
    if (policy === 'refuse') {
      this.p.log.info({ source, node: m.nodeId, child: m.childId }, 'plain command to a sealed child refused');
      this.undelivered(m, source, 'REFUSED_BY_POLICY', 'refused by policy');
      return;
    }
    void this.seal(m, catalogue.child(m.nodeId, m.childId)!, source);
  }

  /** A line from a controller that could not be read: counted under controller:<CODE>, and its sender told. */
  refusedLine(error: MySealError, source: string): void {
    this.p.health.refused(error, 'controller');
    this.p.controllers.reply(source, refusedLineNotice(error.codeName));
  }

  /** The link is back: commands held for it go out, in order. */
  linkUp(): void {
    this.p.held.flush((c) => this.sendPlain(c.message, c.source));
  }

  /** The link dropped: commands just sent may not have reached the gateway, and their senders hear so. */
  linkLost(): void {
    for (const r of this.p.recent.lost()) this.undelivered(r.message, r.source, 'LINK_LOST');
  }

  /** A held command whose wait ran out. */
  expired(m: MySensorsMessage, source: string): void {
    this.undelivered(m, source, 'GATEWAY_DOWN');
  }

  /** A plain message for the gateway: sent now, or held while the link is down (held-commands.ts). */
  private passOn(m: MySensorsMessage, source: string): void {
    // Behind commands already waiting, so that one controller's commands keep their order.
    if (this.p.held.size === 0 && this.sendPlain(m, source)) return;
    if (!this.p.held.hold(m, source)) this.undelivered(m, source, 'GATEWAY_DOWN');
  }

  /** True when the message went on the link (and is remembered in case the link drops under it). */
  private sendPlain(m: MySensorsMessage, source: string): boolean {
    let sent: boolean;
    try {
      sent = this.p.gateway.send(m);
    } catch (e) {
      // A message the gateway would mangle; parseLine already refuses those, so this is a last guard.
      if (isMySealError(e)) this.p.health.refused(e, 'controller');
      this.undelivered(m, source, 'FAILED');
      return true;
    }
    if (sent) this.p.recent.record(m, source);
    return sent;
  }

  private async seal(m: MySensorsMessage, child: ChildOptions, source: string): Promise<void> {
    const session = this.p.sessions.get(m.nodeId);
    if (!session) return this.undelivered(m, source, 'NO_KEY');
    const choice = sealedCommandFor(m, child);
    if ('refused' in choice) {
      if (choice.refused === 'NEEDS_PIN') return this.undelivered(m, source, 'NEEDS_PIN', 'refused: unlocking needs the PIN');
      if (choice.error) this.p.health.refused(choice.error, 'controller');
      return this.undelivered(m, source, 'BAD_VALUE');
    }
    const { command } = choice;
    // A sealed command waits for a reconnecting gateway as long as a plain one would (holdMs).
    if (!(await this.p.readiness.ready())) return this.undelivered(m, source, 'GATEWAY_DOWN');
    let out: OperationOutcome;
    try {
      // `critical` binds sets and locks to a challenge; a status request stays a plain COMMAND.
      out = await session.run(m.childId, command, { critical: child.critical === true && command.op !== Op.Status });
    } catch (caught) {
      const e = await this.p.readiness.blame(caught, m.nodeId);
      const code = isMySealError(e, ErrorCode.GATEWAY_DOWN) ? 'GATEWAY_DOWN' : isMySealError(e, ErrorCode.TIMEOUT) ? 'TIMEOUT' : 'FAILED';
      return this.undelivered(m, source, code, isMySealError(e) ? e.codeName : 'error');
    }
    const result = describeOutcome(m.nodeId, out.result).result;
    if (out.result.status === Status.Done || out.result.status === Status.Locked) {
      this.p.audit.record({ event: 'set', node: m.nodeId, child: m.childId, source, result });
      // The echo a controller asked for (Domoticz waits for it and repeats the command otherwise),
      // as the node stack would have sent it, then the value that now holds.
      if (m.echo) this.p.controllers.send({ ...m, command: MsCommand.C_SET, echo: true });
      this.p.controllers.send({ ...m, command: MsCommand.C_SET, echo: false });
    } else if (out.result.status === Status.LockStatus) {
      this.p.audit.record({ event: 'set', node: m.nodeId, child: m.childId, source, result });
      this.p.controllers.lockState(m.nodeId, m.childId, out.result.locked);
    } else {
      this.undelivered(m, source, 'REFUSED_BY_NODE', result);
    }
  }

  /**
   * A controller's command that MySeal did not deliver (or cannot say was delivered): counted under
   * undelivered:<CODE>, logged and audited without its payload, and reported to its sender. (The
   * audit log's flood guard bounds what an outage under heavy controller traffic costs in fsyncs.)
   */
  private undelivered(m: MySensorsMessage, source: string, code: UndeliveredCode, result?: string): void {
    this.p.health.bump(`undelivered:${code}`);
    const detail = { command: commandName(m.command), type: typeName(m.command, m.type) };
    this.p.log.warn({ source, node: m.nodeId, child: m.childId, code, ...detail }, 'controller command not delivered');
    this.p.audit.record({ event: 'set', node: m.nodeId, child: m.childId, source, result: result ?? `not delivered: ${code}`, detail });
    // What is sent to a lock, or to a node on the original sketch, may carry PIN material: no payload.
    this.p.controllers.reply(source, undeliveredNotice(m, code, !this.p.catalogue.guardsPayload(m.nodeId, m.childId)));
  }
}
