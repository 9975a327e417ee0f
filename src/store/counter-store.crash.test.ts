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
 * Speed: `node --import tsx` costs ~0.3 s of CPU per start, which for hundreds of restarts would
 * blow the time budget on a small CI machine. So the fixture and the modules it imports are
 * transpiled once (TypeScript's transpileModule: types stripped, nothing else changed) and run by
 * plain node; one short extra test runs the fixture through tsx exactly as documented.
 */
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { COUNTERS_DIR, FileCounters, RESERVE_BLOCK } from './counter-store.ts';
import { ensureStateDir } from './state-dir.ts';
import { seededRandom } from '../core/seeded-random.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
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
  const js = join(work, 'js');
  transpileGraph(FIXTURE, js);
  fastCommand = [join(js, relative(REPO, FIXTURE)).replace(/\.ts$/, '.js')];
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** Transpiles `entry` and every relative import it reaches into outRoot, mirroring the repository's layout. */
function transpileGraph(entry: string, outRoot: string): void {
  const queue = [entry];
  const seen = new Set<string>();
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      if (imported.fileName.startsWith('.')) queue.push(resolve(dirname(file), imported.fileName));
    }
    const { outputText } = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    });
    const out = join(outRoot, relative(REPO, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  writeFileSync(join(outRoot, 'package.json'), '{ "type": "module" }\n');
}


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

function runOnce(setup: Setup, stateDir: string, delayMs: number): Promise<Omit<Run, 'tempFilesLeft'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...setup.command, stateDir, String(NODE)], {
      cwd: REPO,
      env: setup.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killer: NodeJS.Timeout | undefined;
    // Only a safety net for a fixture that never gets ready: generous, because a first start
    // through tsx on a cold cache compiles every module and can take many seconds.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (killer === undefined && err.includes('ready\n')) {
        killer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (killer) clearTimeout(killer);
      if (signal !== 'SIGKILL' || killer === undefined) {
        reject(new Error(`fixture ended by itself (code ${code}, signal ${signal}): ${err.slice(0, 2000)}`));
        return;
      }
      // Each line is one write(2) of a few bytes, so a line is never cut; a trailing fragment would
      // be a counter not yet "used" and is left out rather than misread as a shorter number.
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      const counters = complete === '' ? [] : complete.trimEnd().split('\n').map(Number);
      resolve({ counters, killedWhileFlowing: counters.length > 0 });
    });
  });
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
  const seed = process.env.MYSEAL_CRASH_SEED !== undefined ? Number(process.env.MYSEAL_CRASH_SEED) : randomInt(2 ** 31);
  t.diagnostic(`${name}: seed ${seed} (replay with MYSEAL_CRASH_SEED=${seed})`);
  const random = seededRandom(seed);
  const env = { ...process.env };
  if (block === RESERVE_BLOCK) delete env.MYSEAL_TEST_RESERVE_BLOCK;
  else env.MYSEAL_TEST_RESERVE_BLOCK = String(block);
  const setup: Setup = { command, block, env };
  const root = mkdtempSync(join(work, 'state-'));
  const started = Date.now();
  // Each lane draws its delays from its own PRNG, seeded from the scenario's, so the delays do not
  // depend on how the lanes' runs interleave.
  const lanes = Math.min(LANES, kills);
  const settled = await Promise.allSettled(
    Array.from({ length: lanes }, (_, i) =>
      lane(setup, ensureStateDir(join(root, `lane${i}`)), Math.ceil(kills / lanes), seededRandom(Math.floor(random() * 2 ** 32))),
    ),
  );
  // Only now, with every lane stopped, may a failure end the test (and the cleanup remove dirs).
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    const reason: unknown = failed.reason;
    if (reason instanceof Error) reason.message = `seed ${seed}: ${reason.message}`;
    throw reason;
  }
  const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
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
