/**
 * An unlock for a node on the original sketch (docs/migrating.md): the original script's AES-ECB
 * line, sent and never confirmed (the old sketch does not answer), and replayable by anyone who
 * records it. The PIN rate limit applies as to any other unlock.
 */
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { parseLine } from '../../core/mysensors/line.ts';
import { DEFAULT_LOCK_CHILD } from '../../core/protocol/constants.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import type { AuditTrail } from '../audit-trail.ts';
import type { GatewayReadiness } from '../health/gateway-readiness.ts';
import type { LoggerLike } from '../ports.ts';
import { describeOutcome, sentLegacy } from './outcome.ts';
import type { OutcomeReport } from './outcome.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Builds the original format's line for a node and PIN (app/legacy-sender.ts). */
export type LegacyLine = (node: number, pin: string) => string;

export interface LegacyUnlockParts {
  gateway: GatewayTransport;
  line: LegacyLine;
  readiness: GatewayReadiness;
  pinTries: RateLimiter;
  audit: AuditTrail;
  log: LoggerLike;
}

export async function legacyUnlock(p: LegacyUnlockParts, node: number, pin: string, source: string): Promise<OutcomeReport> {
  if (!p.pinTries.take(node)) return describeOutcome(node, new MySealError(ErrorCode.RATE_LIMITED, 'too many PIN tries', { node }));
  const ready = await p.readiness.ready();
  let report: OutcomeReport;
  try {
    const parsed = parseLine(p.line(node, pin));
    if (!parsed.ok) throw parsed.error;
    report = ready && p.gateway.send(parsed.value) ? sentLegacy(node) : describeOutcome(node, new MySealError(ErrorCode.GATEWAY_DOWN, 'legacy line not sent', { node }));
  } catch (e) {
    // No legacy key for the node, most likely: say so, rather than blame the gateway.
    p.log.error({ node, code: isMySealError(e) ? e.codeName : 'error' }, 'legacy line not built');
    report = describeOutcome(node, e);
  }
  p.audit.record({ event: 'legacy', node, child: DEFAULT_LOCK_CHILD, source, result: report.result });
  // Answered once its audit line is durable, as every lock operation is (lock-operations.ts).
  await p.audit.written();
  p.audit.events.emit('result', report);
  return report;
}
