/**
 * A FrameLink whose frames are pushed in by whoever reads the gateway (the service's router), so one
 * reader serves every node; sending goes through a function that writes to the gateway. A frame
 * that comes while nobody waits is kept until the next receive (or drain).
 */
import { Waiter } from '../../core/waiter.ts';
import type { FrameLink, NodeFrame } from '../../core/protocol/operation.ts';

export class InboxLink implements FrameLink {
  private readonly frames: NodeFrame[] = [];
  private readonly waiter = new Waiter<NodeFrame>();

  constructor(private readonly write: (child: number, frame: Uint8Array) => Promise<void>) {}

  send(child: number, frame: Uint8Array): Promise<void> {
    return this.write(child, frame);
  }

  push(frame: NodeFrame): void {
    if (!this.waiter.offer(frame)) this.frames.push(frame);
  }

  receive(timeoutMs: number): Promise<NodeFrame | null> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return this.waiter.wait(() => true, timeoutMs);
  }

  /** Frames that arrived while nobody waited (handed back when an operation ends). */
  drain(): NodeFrame[] {
    return this.frames.splice(0);
  }
}
