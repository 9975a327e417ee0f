import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renderTable, step } from './report.ts';

for (const mode of [[], ['--in-process']]) {
test(`myseal demo --json ${mode.join(' ')}: every step passes, exit 0, one JSON object`, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', '--json', ...mode], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { steps: { name: string; expected: string; actual: string; pass: boolean }[] };
  assert.ok(out.steps.length >= 6);
  for (const s of out.steps) {
    assert.deepEqual(Object.keys(s), ['name', 'expected', 'actual', 'pass']);
    assert.equal(s.pass, true, `${s.name}: expected ${s.expected}, got ${s.actual}`);
  }
  const names = out.steps.map((s) => s.name).join('\n');
  for (const needed of [/correct PIN .*unlocks/, /wrong PIN/, /lockout/, /replayed/, /tampered/, /(delayed release|later) rejected/]) {
    assert.match(names, needed);
  }
  if (mode.length === 0) {
    assert.match(names, /plain unlock is refused/);
    assert.match(names, /replayed opens it AGAIN/, 'the original format is shown failing');
  }
});
}

test('myseal demo prints a table; a failing step is marked and counted', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /steps passed/);
  const table = renderTable([step('a', 'x', 'x'), step('b', 'x', 'y')]);
  assert.match(table, /FAIL/);
  assert.match(table, /1 of 2 steps passed/);
});

test('myseal with an unknown command exits 2 with usage', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'frobnicate'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
});
