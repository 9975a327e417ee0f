/**
 * The controllers plugged into the service (the TCP proxy's clients, the MQTT bridge): what the
 * gateway says goes to all of them, a notice about one controller's command to that one alone.
 * One controller that fails to take a message does not keep it from the others.
 */
import { Command as MsCommand, SetReq } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { controllerText } from '../lock/outcome.ts';
import type { OutcomeReport } from '../lock/outcome.ts';
import type { Downstream, LoggerLike, Outbound } from '../ports.ts';

export class Controllers {
  readonly #all = new Set<Downstream>();

  constructor(private readonly log: LoggerLike) {}

  attach(d: Downstream): void {
    this.#all.add(d);
  }

  detach(d: Downstream): void {
    this.#all.delete(d);
  }

  broadcast(item: Outbound): void {
    for (const d of this.#all) this.#deliver(d, item);
  }

  /** A notice for one controller alone: the one whose id is `source`, if it is still connected. */
  reply(source: string, notice: string): void {
    for (const d of this.#all) if (d.id === source) this.#deliver(d, { notice });
  }

  /** A message MySeal composes for controllers (a relayed report, a lock state, a result text). */
  send(message: MySensorsMessage): void {
    this.broadcast({ message });
  }

  /** A lock's bolt, as the node itself would report it. */
  lockState(node: number, child: number, locked: boolean): void {
    this.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: SetReq.V_LOCK_STATUS, payload: locked ? '1' : '0' });
  }

  /** An operation's outcome as a V_TEXT of the lock child. */
  text(node: number, child: number, report: OutcomeReport): void {
    this.send({ nodeId: node, childId: child, command: MsCommand.C_SET, echo: false, type: SetReq.V_TEXT, payload: controllerText(report) });
  }

  #deliver(d: Downstream, item: Outbound): void {
    try {
      d.send(item);
    } catch (e) {
      this.log.warn({ downstream: d.id, err: e instanceof Error ? e.message : 'unknown' }, 'downstream send failed');
    }
  }
}
