/** What the audit module's tests share: a state dir, a clock moved by hand, an unlock entry. */
import type { AuditInput } from '../../src/audit/schema.ts';
import { tempDir } from './fixtures.ts';

export function stateDir(t: { after: (fn: () => void) => void }): string {
  return tempDir(t, 'myseal-audit-');
}

/** A clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

export const unlock = (node: number, result = 'unlocked'): AuditInput => ({ event: 'unlock', node, child: 1, source: 'http', result });
