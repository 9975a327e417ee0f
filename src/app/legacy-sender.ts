/**
 * Building a legacy unlock line for a node still on the original sketch. Every call logs a warning,
 * on purpose and every time: the line it returns is a reusable credential. Anyone who records it (on
 * the LAN to the gateway, or on the radio) can send it again and the door opens, because the old
 * format has no counter, no challenge and no authentication. The line itself is never logged.
 */
import type { RandomSource } from '../core/legacy/ecb.ts';
import { legacyLine, sealLegacyPin } from '../core/legacy/ecb.ts';
import { LEGACY_REPLAY_WARNING } from '../core/legacy/replay-warning.ts';
import { loadLegacyKey } from '../store/legacy-key-file.ts';

/** The part of a logger this needs (a pino Logger, the daemon's LoggerLike). */
export interface WarnLogger {
  warn(obj: object, msg?: string): void;
}


export interface LegacyUnlockOptions {
  node: number;
  /** The whole 4-digit PIN, as collected by PIN entry. */
  pin: string;
  key16: string;
  logger: WarnLogger;
  random?: RandomSource;
}

/** The gateway line for an unlock in the original format: `N;1;1;0;47;<24 base64 characters>\n`. */
export function legacyUnlockLine(options: LegacyUnlockOptions): string {
  warnLegacyUse(options.logger, options.node);
  return legacyLine(options.node, sealLegacyPin(options.key16, options.pin, options.random));
}

/** As legacyUnlockLine, with the key from `<stateDir>/legacy/node-N.key` or $MYSEAL_LEGACY_KEY. */
export function legacyUnlockLineFromStore(
  options: Omit<LegacyUnlockOptions, 'key16'> & { stateDir: string; env?: NodeJS.ProcessEnv },
): string {
  warnLegacyUse(options.logger, options.node);
  const key16 = loadLegacyKey(options.stateDir, options.node, options.env);
  return legacyLine(options.node, sealLegacyPin(key16, options.pin, options.random));
}

/** The warning itself, for other uses of legacy mode (accepting legacy lines, storing a legacy key). */
export function warnLegacyUse(logger: WarnLogger, node: number): void {
  logger.warn({ node, mode: 'legacy-ecb', replayable: true }, LEGACY_REPLAY_WARNING);
}
