/**
 * A FrameLink whose frames are pushed in by whoever reads the gateway (the daemon's router), so one
 * reader serves every node; sending goes through a function that writes to the gateway.
 */
import type { FrameLink, NodeFrame } from '../../core/protocol/operation.ts';

export class InboxLink implements FrameLink {
  private readonly frames: NodeFrame[] = [];
  private waiter: ((frame: NodeFrame | null) => void) | null = null;

  constructor(private readonly write: (child: number, frame: Uint8Array) => Promise<void>) {}

  send(child: number, frame: Uint8Array): Promise<void> {
    return this.write(child, frame);
  }

  push(frame: NodeFrame): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(frame);
    } else {
      this.frames.push(frame);
    }
  }

  receive(timeoutMs: number): Promise<NodeFrame | null> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  /** Frames that arrived while nobody waited (handed back when an operation ends). */
  drain(): NodeFrame[] {
    return this.frames.splice(0);
  }
}
