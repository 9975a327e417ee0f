/**
 * A one-shot operation when no daemon answers: the same service `myseal serve` runs (build-service.ts),
 * started in this process for the one operation, with its PIN rate limit and its audit, holding the
 * state dir's lock meanwhile so counters never collide with a daemon that starts meanwhile.
 * Loaded only then (the CLI imports it dynamically): it needs the gateway transports and the stores,
 * which the way through a daemon does not.
 */
import type { Config } from '../config/config.ts';
import { ErrorCode, MySealError } from '../core/errors.ts';
import type { LockCommands } from '../service/interfaces.ts';
import type { OutcomeReport } from '../service/lock/outcome.ts';
import { gatewayFromConfig } from './broker-login.ts';
import { buildService } from './build-service.ts';
import { openState } from './open-state.ts';

/** How long a one-shot command waits for a gateway to accept its connection. */
const GATEWAY_CONNECT_TIMEOUT_MS = 5_000;

export interface OneShotOptions {
  /**
   * The node is on the original sketch for this command: `myseal unlock --legacy-ecb`, the owner's
   * word given on the machine that holds the keys (a daemon takes it only from its configuration).
   */
  legacy?: boolean;
}

/**
 * Starts the service for `operation`, then stops it. `holder` names the command in the state lock
 * (what another command that finds the lock taken is told).
 */
export async function runInProcess(
  config: Config,
  holder: string,
  node: number,
  operation: (service: LockCommands) => Promise<OutcomeReport>,
  opts: OneShotOptions = {},
): Promise<OutcomeReport> {
  if (!config.gateway) {
    throw new MySealError(ErrorCode.GATEWAY_DOWN, 'no daemon answers and no gateway is configured (--gateway)', { node });
  }
  const state = openState(config, holder);
  try {
    const service = buildService(config, {
      gateway: gatewayFromConfig(config),
      keys: state.keys,
      counters: state.counters,
      audit: state.audit,
      // The CLI prints the legacy replay warning itself, on stderr: not again as a log line.
      legacyWarnings: { warn: () => undefined },
      holdMs: GATEWAY_CONNECT_TIMEOUT_MS,
      legacyNodes: opts.legacy === true ? [node] : [],
    });
    service.start();
    try {
      return await operation(service);
    } finally {
      await service.stop();
    }
  } finally {
    await state.close();
  }
}
