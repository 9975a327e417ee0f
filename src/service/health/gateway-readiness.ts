/**
 * Whether an operation may go to the gateway now: the link is up (after a wait of holdMs at most
 * while it reconnects) and the gateway itself answers (gateway-watch.ts). Operations waiting for
 * the link hang on one Waiter, woken by the service's one 'connected' handler, not on the gateway
 * one listener each: an outage under load has many operations waiting at once.
 */
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { Waiter } from '../../core/waiter.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import type { GatewayWatch } from './gateway-watch.ts';

export class GatewayReadiness {
  readonly #linkUp = new Waiter<true>();

  constructor(
    private readonly gateway: GatewayTransport,
    readonly watch: GatewayWatch,
    /** How long a command waits for a gateway that is reconnecting (held-commands.ts, HOLD_MS). */
    readonly holdMs: number,
  ) {}

  /** The link came up: every operation waiting for it goes on. */
  linkUp(): void {
    this.#linkUp.offerAll(true);
  }

  /** The service is stopping: operations still waiting for the link end now (gateway_down), not when their wait runs out. */
  close(): void {
    this.#linkUp.close();
  }

  /** Resolves true once the gateway link is up, false after waitMs without it. */
  async up(waitMs = this.holdMs): Promise<boolean> {
    if (this.gateway.connected) return true;
    return (await this.#linkUp.wait(() => true, waitMs)) === true;
  }

  /**
   * The link is up (after a reconnect wait of holdMs at most) and the gateway answers. A link that
   * drops while the gateway is being asked is waited for again within the same holdMs: a gateway
   * with one client slot closes a new connection at once while the last client's is still going
   * (the first one-shot command right after another), and takes the next.
   */
  async ready(): Promise<boolean> {
    const deadline = performance.now() + this.holdMs;
    for (;;) {
      if (!(await this.up(deadline - performance.now()))) return false;
      if (await this.watch.confirm()) return true;
      // Connected, and silent: the gateway does not answer. Not connected: the link dropped; wait again.
      if (this.gateway.connected || performance.now() >= deadline) return false;
    }
  }

  /**
   * A node that did not answer, behind a gateway that does not answer either: the gateway is the
   * cause and is named (gateway unreachable), not the node.
   */
  async blame(e: unknown, node: number): Promise<unknown> {
    if (!isMySealError(e, ErrorCode.TIMEOUT) || (await this.watch.confirm())) return e;
    return new MySealError(ErrorCode.GATEWAY_DOWN, 'the gateway does not answer', { node });
  }
}
