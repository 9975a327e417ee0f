/** The demo's result: steps with what was expected and what happened, as a table or as JSON. */
import { isMySealError } from '../core/errors.ts';

export interface DemoStep {
  name: string;
  expected: string;
  actual: string;
  pass: boolean;
}

export function step(name: string, expected: string, actual: string): DemoStep {
  return { name, expected, actual, pass: expected === actual };
}

/** One step still to run: `run` does it and says what happened, in the words of `expected`. */
export interface StepDef {
  name: string;
  expected: string;
  run: () => Promise<string>;
}

/** What a step that did not run shows: an earlier one threw, and later steps build on it. */
export const NOT_RUN = 'not run (an earlier step failed)';

/**
 * A thrown error as a step's `actual`: its code (MySeal's code name, or Node's errno such as
 * ECONNREFUSED) and its message. MySeal's messages never hold secrets, and neither do Node's here.
 */
export function describeError(e: unknown): string {
  if (isMySealError(e)) return `error ${e.codeName}: ${e.reason}`;
  if (e instanceof Error) {
    const withCode = (x: unknown): string | undefined =>
      typeof x === 'object' && x !== null && 'code' in x && typeof x.code === 'string' ? x.code : undefined;
    const code = withCode(e) ?? withCode(e.cause);
    return code === undefined ? `error: ${e.message}` : `error ${code}: ${e.message}`;
  }
  return `error: ${String(e)}`;
}

/**
 * Runs the steps in order. A step that throws becomes a failed step with the error as `actual`, and
 * the steps after it are listed as not run: the report is always complete, and always printable.
 * `beforeStep` runs first for each step (tests make it throw, as a broken step would).
 */
export async function runSteps(defs: readonly StepDef[], beforeStep?: (name: string) => void): Promise<DemoStep[]> {
  const steps: DemoStep[] = [];
  let failed = false;
  for (const def of defs) {
    if (failed) {
      steps.push(step(def.name, def.expected, NOT_RUN));
      continue;
    }
    try {
      beforeStep?.(def.name);
      steps.push(step(def.name, def.expected, await def.run()));
    } catch (e) {
      failed = true;
      steps.push({ ...step(def.name, def.expected, describeError(e)), pass: false });
    }
  }
  return steps;
}

export function renderTable(steps: readonly DemoStep[]): string {
  const headers = ['step', 'expected', 'actual', ''];
  const rows = steps.map((s) => [s.name, s.expected, s.actual, s.pass ? 'PASS' : 'FAIL']);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const passed = steps.filter((s) => s.pass).length;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `${passed} of ${steps.length} steps passed`].join('\n');
}

export function renderJson(steps: readonly DemoStep[]): string {
  return JSON.stringify({ steps });
}
