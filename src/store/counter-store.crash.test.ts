/**
 * The counter store's one promise, tested the hard way: a child process issues counters as fast as
 * it can and prints each before it would be used; the test SIGKILLs it at random moments and starts
 * it again on the same state dir, hundreds of times. No counter may ever be printed twice, and the
 * counters must strictly increase within and across runs.
 *
 * A SIGKILL stops the process but not the kernel, so this checks the reservation logic and the
 * atomic replace (no torn file, no lost rename); durability across a power cut rests on the fsyncs,
 * which no test short of pulling the plug can show.
 *
 * Random but reproducible: the seed is printed; MYSEAL_CRASH_SEED=<seed> replays the same delays.
 *
 * Speed: the fixture runs transpiled, by plain node (test/support/crash-fixture.ts says why); one
 * short extra test runs it through tsx exactly as documented.
 */
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTERS_DIR, FileCounters, RESERVE_BLOCK } from './counter-store.ts';
import { crashSeed, runLanes, runUntilKilled, transpileGraph } from '../../test/support/crash-fixture.ts';

const FIXTURE = fileURLToPath(new URL('../../test/support/issue-counters.ts', import.meta.url));
const NODE = 7;
/**
 * Kills per scenario, spread over lanes that run side by side (each lane restarting the fixture
 * on its own state dir). Fixed rather than one per CPU, so a seed replays the same delays anywhere.
 */
const KILLS = 240;
const LANES = 2;
const MAX_DELAY_MS = 40;

let work = '';
/** The command that starts the fixture: plain node on the transpiled copy (see the top comment). */
let fastCommand: string[] = [];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'myseal-crash-'));
  fastCommand = [transpileGraph(FIXTURE, join(work, 'js'))];
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

interface Run {
  counters: number[];
  /** Killed by us after it had printed at least one counter (the kill landed mid-flow). */
  killedWhileFlowing: boolean;
  /** Temp files the killed run left in counters/: the kill landed inside a reservation write. */
  tempFilesLeft: number;
}

interface Setup {
  command: string[];
  block: number;
  env: NodeJS.ProcessEnv;
}

async function runOnce(setup: Setup, stateDir: string, delayMs: number): Promise<Omit<Run, 'tempFilesLeft'>> {
  const lines = await runUntilKilled([...setup.command, stateDir, String(NODE)], setup.env, delayMs);
  const counters = lines.map(Number);
  return { counters, killedWhileFlowing: counters.length > 0 };
}

function tempFiles(stateDir: string): number {
  return readdirSync(join(stateDir, COUNTERS_DIR)).filter((n) => n.endsWith('.tmp')).length;
}

interface LaneResult {
  runs: Run[];
  issued: number;
}

async function lane(setup: Setup, stateDir: string, kills: number, random: () => number): Promise<LaneResult> {
  FileCounters.open(stateDir).resetNode(NODE); // as keygen does for a new key
  const runs: Run[] = [];
  for (let i = 0; i < kills; i += 1) {
    const run = await runOnce(setup, stateDir, Math.floor(random() * (MAX_DELAY_MS + 1)));
    runs.push({ ...run, tempFilesLeft: tempFiles(stateDir) });
  }
  // Every lane's whole history, in order: strictly increasing means nothing repeated or went back.
  const all = runs.flatMap((r) => r.counters);
  assert.equal(new Set(all).size, all.length, 'a counter was printed twice');
  // A first run killed before it printed may have reserved a block already: only a first run
  // that printed must have begun at 1 (later ones are held by the resume bound below).
  const firstRun = runs[0]?.counters ?? [];
  if (firstRun.length > 0) assert.equal(firstRun[0], 1, 'the first counter ever issued is 1');
  let last = 0;
  let silentRuns = 0;
  for (const [index, run] of runs.entries()) {
    for (const [k, c] of run.counters.entries()) {
      assert.ok(Number.isSafeInteger(c) && c >= 1 && c <= 0xffffffff, `run ${index}: bad line ${c}`);
      assert.ok(c > last, `run ${index}: counter ${c} after ${last}`);
      if (k === 0) {
        // A restart resumes at the mark, which is at most one block past the counter after the
        // last one printed; each run killed before printing anything may have reserved one more
        // block. A bigger jump would mean reservations reach further than they claim.
        const bound = last + 1 + (silentRuns + 1) * setup.block;
        assert.ok(c <= bound, `run ${index}: resumed at ${c}, more than ${bound} (last printed ${last})`);
      } else {
        assert.equal(c, last + 1, `run ${index}: counters within a run are consecutive`);
      }
      last = c;
    }
    silentRuns = run.counters.length === 0 ? silentRuns + 1 : 0;
  }
  // What the store would hand out next is above everything printed, and the dead writers' temp
  // files are cleaned up on that open.
  const counters = FileCounters.open(stateDir, { reserveBlock: setup.block });
  assert.ok((await counters.nextSend(NODE)) > last, 'a reopened store would reissue a printed counter');
  assert.equal(tempFiles(stateDir), 0, 'stale temp files were not removed');
  return { runs, issued: all.length };
}

/**
 * `needMidWrite`: whether the scenario must show at least one kill inside a reservation write. Only
 * the scenarios with hundreds of kills can promise that; six kills through tsx often all land
 * between writes, so the tsx run checks only that the fixture works as documented.
 */
async function scenario(
  t: TestContext,
  name: string,
  command: string[],
  block: number,
  kills: number,
  needMidWrite: boolean,
): Promise<void> {
  const seed = crashSeed();
  t.diagnostic(`${name}: seed ${seed} (replay with MYSEAL_CRASH_SEED=${seed})`);
  const env = { ...process.env };
  if (block === RESERVE_BLOCK) delete env.MYSEAL_TEST_RESERVE_BLOCK;
  else env.MYSEAL_TEST_RESERVE_BLOCK = String(block);
  const setup: Setup = { command, block, env };
  const started = Date.now();
  const results = await runLanes(mkdtempSync(join(work, 'state-')), seed, kills, LANES, (stateDir, n, random) => lane(setup, stateDir, n, random));
  const runs = results.flatMap((r) => r.runs);
  const issued = results.reduce((n, r) => n + r.issued, 0);
  const flowing = runs.filter((r) => r.killedWhileFlowing).length;
  const midWrite = runs.filter((r) => r.tempFilesLeft > 0).length;
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(
    `${name}: ${runs.length} kills, ${flowing} while counters flowed, ${midWrite} inside a reservation ` +
      `write (temp file left), ${issued} counters printed, none twice, ${seconds.toFixed(1)} s`,
  );
  assert.ok(runs.length >= kills, `seed ${seed}: only ${runs.length} kills`);
  // Without kills that land while counters flow, this test would prove nothing.
  assert.ok(flowing >= 1, `seed ${seed}: no kill landed while counters were flowing`);
  if (needMidWrite) assert.ok(midWrite >= 1, `seed ${seed}: no kill landed inside a reservation write`);
}

test('SIGKILL at random moments never makes a counter repeat (default reservation block)', async (t) => {
  await scenario(t, `block ${RESERVE_BLOCK}`, fastCommand, RESERVE_BLOCK, KILLS, false);
});

test('SIGKILL inside reservation writes never makes a counter repeat (block 8)', async (t) => {
  await scenario(t, 'block 8', fastCommand, 8, KILLS, true);
});

test('the fixture runs as documented, through tsx (a few kills)', async (t) => {
  await scenario(t, 'tsx, block 8', ['--import', 'tsx', FIXTURE], 8, 6, false);
});
