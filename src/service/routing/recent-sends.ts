/**
 * Plain commands the daemon has just put on the gateway link, kept for a moment in case the link
 * drops under them. A line written into a socket is not a line the gateway has read: when a gateway
 * crashes or is restarted, what it had not read yet is gone, and neither end says so. When the link
 * is lost, whatever was sent within the last IN_FLIGHT_MS and has not been confirmed since (the
 * echo the controller asked for, or the node reporting the value it was sent, as nodes do) is handed
 * back, to be reported to its sender as possibly lost.
 *
 * The window covers a gateway that dies or restarts, which the daemon notices within milliseconds
 * (its end of the connection is closed or reset). A gateway that loses power without a word is
 * noticed only when TCP gives up on it, long after: lines sent into such a link are beyond what any
 * window can catch, and this one does not pretend to.
 */
import { Command } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';

/** How long before the loss of the link a command counts as possibly in flight. */
export const IN_FLIGHT_MS = 2_000;
/** Bound on what is remembered; a flood sent within the window loses its oldest entries first. */
export const MAX_RECENT = 256;

export interface RecentSend {
  message: MySensorsMessage;
  source: string;
  at: number;
}

export class RecentSends {
  private entries: RecentSend[] = [];

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly windowMs = IN_FLIGHT_MS,
  ) {}

  record(message: MySensorsMessage, source: string): void {
    this.prune();
    this.entries.push({ message, source, at: this.clock() });
    if (this.entries.length > MAX_RECENT) this.entries.shift();
  }

  /** Something the gateway said: an echo or a node's report of the value it was sent confirms a send. */
  heard(m: MySensorsMessage): void {
    if (this.entries.length === 0) return;
    if (!m.echo && m.command !== Command.C_SET) return;
    const at = this.entries.findIndex(
      (e) =>
        e.message.nodeId === m.nodeId &&
        e.message.childId === m.childId &&
        e.message.type === m.type &&
        e.message.payload === m.payload &&
        (m.echo ? e.message.command === m.command : e.message.command === Command.C_SET),
    );
    if (at >= 0) this.entries.splice(at, 1);
  }

  /** The link is gone: what may have been lost with it, oldest first. Forgets everything. */
  lost(): RecentSend[] {
    this.prune();
    const out = this.entries;
    this.entries = [];
    return out;
  }

  private prune(): void {
    const since = this.clock() - this.windowMs;
    let i = 0;
    while (i < this.entries.length && this.entries[i]!.at < since) i++;
    if (i > 0) this.entries.splice(0, i);
  }
}
