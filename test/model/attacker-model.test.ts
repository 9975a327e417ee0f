/**
 * The attacker model, checked: random sequences of the owner's operations (unlock with the right
 * and wrong PIN, lock, status, set-PIN, rotate-key, sets of a plain and of a guarded switch), of the
 * lock's own reports (turned by hand, a door contact) and of controller restarts run between the
 * service's session for the lock (src/service/sessions, the TypeScript controller) and the
 * WebAssembly node (the C++ node library), while an attacker who owns the gateway link drops,
 * delays, reorders, duplicates, replays, truncates, bit-flips, re-addresses, jams-and-releases and
 * injects frames, and resets the node or cuts its power mid-write. For every run:
 *   - the lock never acts on a command the controller did not send, never twice on one, and never
 *     on a challenge-bound one after its challenge's window;
 *   - every operation ends with an answer (a result or a MySealError), and a result says what the
 *     node did;
 *   - neither side ever sends a counter twice (across resets and power cuts);
 *   - once the attacker has gone, a status leaves the controller's view of the lock equal to the lock.
 *
 * Everything runs on virtual time (virtual-time.ts), so a run is exact and replays from its seed:
 * MYSEAL_MODEL_SEED=<seed> [MYSEAL_MODEL_PATH=<path>] replays a failure (the message prints both);
 * MYSEAL_MODEL_RUNS=<n> changes the number of runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { errorCodeName, isMySealError } from '../../src/core/errors.ts';
import { Status } from '../../src/core/protocol/body.ts';
import { planArbitrary } from './model-plan.ts';
import type { Plan } from './model-plan.ts';
import { ModelWorld } from './model-world.ts';

const RUNS = Number(process.env.MYSEAL_MODEL_RUNS ?? 2000);
const SEED = process.env.MYSEAL_MODEL_SEED === undefined ? undefined : Number(process.env.MYSEAL_MODEL_SEED);
const PATH = process.env.MYSEAL_MODEL_PATH;
/** Steps per run and attacker's fates per run: enough for several operations to overlap and fail. */
const MAX_STEPS = 20;
const MAX_FATES = 60;

interface Totals {
  runs: number;
  operations: number;
  answered: number;
  timeouts: number;
  acted: number;
  actedCritical: number;
  oldestChallengeMs: number;
  powerCuts: number;
  resets: number;
  controllerRestarts: number;
  refused: Map<string, number>;
}

async function runPlan(plan: Plan, totals: Totals): Promise<void> {
  const world = new ModelWorld(plan);
  world.time.install();
  try {
    for (const step of plan.steps) {
      await world.pass(step.pauseMs);
      await world.act(step.action);
    }
    // Whatever the attacker held back arrives (or not) and every wait ends: then it leaves.
    await world.drain();
    const problems: string[] = [];
    for (const op of world.operations) {
      if (op.abandoned) continue;
      if (!op.settled) problems.push(`${op.action} never ended`);
      else if (!op.outcome && !isMySealError(op.error)) problems.push(`${op.action} ended with an error that is not MySeal's: ${String(op.error)}`);
    }
    world.stopAttacking();
    const last = await world.finalStatus();
    if (last.outcome?.result.status !== Status.LockStatus) {
      problems.push(`the status after the attack got ${last.outcome ? Status[last.outcome.result.status] : isMySealError(last.error) ? errorCodeName(last.error.code) : 'no answer'}`);
    }
    const view = world.session.view().locked;
    if (view !== world.node.locked) problems.push(`the controller sees the lock ${view === null ? 'unknown' : view ? 'locked' : 'unlocked'}, it is ${world.node.locked ? 'locked' : 'unlocked'}`);
    problems.push(...world.oracle.violations);
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n  operations: ${world.describeOperations()}`);

    totals.runs++;
    totals.operations += world.operations.length;
    totals.answered += world.operations.filter((o) => o.outcome).length;
    totals.timeouts += world.operations.filter((o) => o.error !== undefined && !o.abandoned).length;
    totals.acted += world.oracle.acted;
    totals.actedCritical += world.oracle.actedCritical;
    totals.oldestChallengeMs = Math.max(totals.oldestChallengeMs, world.oracle.oldestChallengeMs);
    totals.powerCuts += world.node.counts.powerCuts;
    totals.resets += world.node.counts.resets;
    totals.controllerRestarts += world.controllerRestarts;
    for (const [why, n] of world.node.refused) totals.refused.set(why, (totals.refused.get(why) ?? 0) + n);
  } finally {
    world.time.uninstall();
  }
}

test('attacker model: the lock acts only on the controller\'s commands, once, in time; counters never repeat; views agree once quiet', async (t) => {
  const totals: Totals = { runs: 0, operations: 0, answered: 0, timeouts: 0, acted: 0, actedCritical: 0, oldestChallengeMs: 0, powerCuts: 0, resets: 0, controllerRestarts: 0, refused: new Map() };
  const started = Date.now();
  const details = await fc.check(
    fc.asyncProperty(planArbitrary(MAX_STEPS, MAX_FATES), (plan) => runPlan(plan, totals)),
    { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH !== undefined ? { path: PATH } : {}) },
  );
  t.diagnostic(
    `${totals.runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${details.seed}): ${totals.operations} operations, ` +
      `${totals.answered} answered, ${totals.timeouts} failed clearly; the node carried out ${totals.acted} commands ` +
      `(${totals.actedCritical} challenge-bound, the latest ${totals.oldestChallengeMs} ms after its challenge); ${totals.resets} resets, ${totals.powerCuts} power cuts, ${totals.controllerRestarts} controller restarts; the node refused ` +
      [...totals.refused].sort().map(([why, n]) => `${n} ${why}`).join(', '),
  );
  if (details.failed) {
    const replay = `MYSEAL_MODEL_SEED=${details.seed}${details.counterexamplePath ? ` MYSEAL_MODEL_PATH=${details.counterexamplePath}` : ''}`;
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(`${fc.defaultReportMessage(details)}\n\nWhat failed: ${why}\n\nReplay this run: ${replay} node scripts/run-tests.mjs test/model`);
  }
  // The model proves nothing unless the attacks land: challenges spent, power cut mid-write, answers
  // lost, and held-back, replayed and forged frames refused by the node. (Not when replaying one run.)
  if (PATH !== undefined || RUNS < 500) return;
  assert.ok(totals.actedCritical > 0 && totals.powerCuts > 0 && totals.timeouts > 0, 'the runs exercised challenges, power cuts and lost answers');
  for (const why of ['CHALLENGE_EXPIRED', 'REPLAYED_COUNTER', 'AUTH_FAILED']) assert.ok((totals.refused.get(why) ?? 0) > 0, `no frame was refused as ${why}`);
});
