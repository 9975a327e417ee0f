/** The demo's result: steps with what was expected and what happened, as a table or as JSON. */

export interface DemoStep {
  name: string;
  expected: string;
  actual: string;
  pass: boolean;
}

export function step(name: string, expected: string, actual: string): DemoStep {
  return { name, expected, actual, pass: expected === actual };
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
