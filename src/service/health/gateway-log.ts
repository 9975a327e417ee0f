/**
 * The gateway link's comings and goings, in the log and to the service: a gateway that cannot be
 * reached (or a broker that refuses the login) is said once per cause, not at every retry, since
 * the backoff retries for as long as it takes.
 */
import type { GatewayTransport } from '../../gateway/transport.ts';
import type { LoggerLike } from '../ports.ts';

export function watchGatewayLink(gateway: GatewayTransport, log: LoggerLike, on: { up: () => void; lost: () => void }): void {
  let lastFailure = '';
  gateway.on('failed', (reason) => {
    if (reason !== lastFailure) log.error({ gateway: gateway.description, reason }, 'gateway connection failed');
    lastFailure = reason;
  });
  gateway.on('connected', () => {
    lastFailure = '';
    log.info({ gateway: gateway.description }, 'gateway connected');
    on.up();
  });
  gateway.on('disconnected', (reason) => {
    log.warn({ gateway: gateway.description, reason }, 'gateway disconnected');
    on.lost();
  });
}
