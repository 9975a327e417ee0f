/**
 * The gateway link's comings and goings, in the log and to the service: a gateway that cannot be
 * reached (or a broker that refuses the login) is said once per cause, not at every retry, since
 * the backoff retries for as long as it takes. When the next try comes is said with it, and again
 * whenever the wait grows to another step of the backoff, so that a reader knows the daemon is
 * still trying and when, without a line per attempt.
 */
import type { GatewayTransport } from '../../gateway/transport.ts';
import type { LoggerLike } from '../ports.ts';

/**
 * The backoff's step a delay belongs to: each step doubles the wait, and ±20% jitter around one
 * step never reaches the next, so jittered delays of one step share a number and a new step
 * changes it.
 */
function backoffStep(ms: number): number {
  return Math.round(Math.log2(Math.max(1, ms)));
}

/** "250 ms", "8 s": the wait as a person reads it. */
function shortWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

export function watchGatewayLink(gateway: GatewayTransport, log: LoggerLike, on: { up: () => void; lost: () => void }): void {
  let lastFailure = '';
  let lastStep: number | undefined;
  gateway.on('failed', (reason, retryInMs = 0) => {
    const step = retryInMs > 0 ? backoffStep(retryInMs) : undefined;
    const fields = { gateway: gateway.description, reason, ...(retryInMs > 0 ? { retryInMs } : {}) };
    const retrying = retryInMs > 0 ? `, retrying in ${shortWait(retryInMs)}` : '';
    if (reason !== lastFailure) log.error(fields, `gateway connection failed${retrying}`);
    else if (step !== undefined && step !== lastStep) log.warn(fields, `gateway still unreachable${retrying}`);
    lastFailure = reason;
    if (step !== undefined) lastStep = step;
  });
  gateway.on('connected', () => {
    lastFailure = '';
    lastStep = undefined;
    log.info({ gateway: gateway.description }, 'gateway connected');
    on.up();
  });
  gateway.on('disconnected', (reason, retryInMs = 0) => {
    const retrying = retryInMs > 0 ? `, reconnecting in ${shortWait(retryInMs)}` : '';
    log.warn({ gateway: gateway.description, reason, ...(retryInMs > 0 ? { retryInMs } : {}) }, `gateway disconnected${retrying}`);
    on.lost();
  });
}
