/**
 * The received-counter journal's promise, tested the hard way: a child process accepts node
 * counters for several nodes at once and prints each only once the store called it durable (when
 * the daemon would act on its frame); the test SIGKILLs it at random moments and reopens the store
 * after each kill. Whatever was printed must still be known: for every node, lastReceived is at or
 * above every counter printed for it, so a replayed frame carrying one is refused.
 *
 * Between some kills the test also leaves a torn last line in the journal (what a crash inside an
 * append can leave on a real disk; a SIGKILL alone rarely does, as the kernel finishes the write),
 * shaped as a valid line but for its line end and with a counter the fixture never reaches: the
 * next open must cut it and not count it.
 *
 * A SIGKILL stops the process but not the kernel, so this checks the group commit (nothing handed
 * back before its fsync returned, nothing lost between batches), the checkpoint's atomic replace and
 * the journal read on open; durability across a power cut rests on the fsyncs themselves.
 *
 * Random but reproducible: the seed is printed; MYSEAL_CRASH_SEED=<seed> replays the same kill
 * delays and torn lines. The fixture runs transpiled, by plain node (test/support/crash-fixture.ts).
 */
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTERS_DIR, FileCounters } from './counter-store.ts';
import { CHECKPOINT_BYTES, JOURNAL_FILE } from './received-journal.ts';
import { crashSeed, runLanes, runUntilKilled, transpileGraph } from '../../test/support/crash-fixture.ts';

const FIXTURE = fileURLToPath(new URL('../../test/support/record-received.ts', import.meta.url));
const NODES = [0, 3, 17, 120, 254];
/** Kills in all, over lanes that run side by side, each on its own state dir. Fixed, so a seed replays anywhere. */
const KILLS = 120;
const LANES = 2;
const MAX_DELAY_MS = 40;
/** One kill in TORN_EVERY is followed by a torn line. */
const TORN_EVERY = 4;
/** Far above anything the fixture reaches (a few hundred counters per run): counted, it would show. */
const TORN_COUNTER = 3_000_000_000;
/** One run in PAD_EVERY starts with a journal just short of its checkpoint, so kills land around checkpoints. */
const PAD_EVERY = 3;
/** Reservations every few send counters, so node files are rewritten while counters are recorded. */
const RESERVE_BLOCK = 4;

let work = '';
let fastFixture = '';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'myseal-journal-crash-'));
  fastFixture = transpileGraph(FIXTURE, join(work, 'js'));
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

interface LaneResult {
  printed: number;
  torn: number;
  /** Runs in which the journal was checkpointed (it shrank). */
  checkpointed: number;
  /** Kills that left a checkpoint's temp file behind (the kill landed inside the checkpoint). */
  midCheckpoint: number;
}

function journalSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function checkpointTempFiles(stateDir: string): number {
  return readdirSync(join(stateDir, COUNTERS_DIR)).filter((n) => n.startsWith(`.${JOURNAL_FILE}.`) && n.endsWith('.tmp')).length;
}

/**
 * Grows the journal to just short of its checkpoint with copies of each node's last line (which
 * change no node's highest counter), so that the fixture's next appends cross it.
 */
function padTowardCheckpoint(journal: string, counters: FileCounters, random: () => number): void {
  const lines = NODES.filter((n) => counters.lastReceived(n) > 0).map((n) => `${n} ${counters.lastReceived(n)}\n`);
  if (lines.length === 0) return;
  const target = CHECKPOINT_BYTES - Math.floor(random() * 2048);
  let text = '';
  for (let size = journalSize(journal), i = 0; size + text.length < target; i += 1) text += lines[i % lines.length];
  appendFileSync(journal, text, { mode: 0o600 });
}

/** Parses the fixture's `<node> <counter>` lines into the highest counter printed per node. */
function highestPrinted(lines: readonly string[], into: Map<number, number>): void {
  for (const line of lines) {
    const m = /^([0-9]+) ([0-9]+)$/.exec(line);
    assert.ok(m, `the fixture printed a bad line: ${line}`);
    const node = Number(m[1]);
    const counter = Number(m[2]);
    assert.ok(NODES.includes(node), `the fixture printed an unknown node: ${line}`);
    into.set(node, Math.max(into.get(node) ?? 0, counter));
  }
}

async function lane(args: (stateDir: string) => string[], stateDir: string, kills: number, random: () => number): Promise<LaneResult> {
  const setup = FileCounters.open(stateDir);
  for (const node of NODES) setup.resetNode(node); // as keygen does for a new key
  const journal = join(stateDir, COUNTERS_DIR, JOURNAL_FILE);
  const env = { ...process.env, MYSEAL_TEST_RESERVE_BLOCK: String(RESERVE_BLOCK) };
  const printed = new Map<number, number>();
  let printedLines = 0;
  let torn = 0;
  let checkpointed = 0;
  let midCheckpoint = 0;
  for (let i = 0; i < kills; i += 1) {
    const sizeBefore = journalSize(journal);
    const lines = await runUntilKilled(args(stateDir), env, Math.floor(random() * (MAX_DELAY_MS + 1)));
    highestPrinted(lines, printed);
    printedLines += lines.length;
    if (journalSize(journal) < sizeBefore) checkpointed += 1;
    if (checkpointTempFiles(stateDir) > 0) midCheckpoint += 1;
    let tornNode: number | undefined;
    if (random() < 1 / TORN_EVERY) {
      tornNode = NODES[Math.floor(random() * NODES.length)]!;
      appendFileSync(journal, `${tornNode} ${TORN_COUNTER}`, { mode: 0o600 });
      torn += 1;
    }

    const reopened = FileCounters.open(stateDir);
    if (existsSync(journal)) {
      const text = readFileSync(journal, 'latin1');
      assert.ok(text === '' || text.endsWith('\n'), `kill ${i}: the journal still ends in a torn line after open`);
    }
    for (const node of NODES) {
      const last = printed.get(node) ?? 0;
      assert.ok(reopened.lastReceived(node) >= last, `kill ${i}: node ${node} reopened at ${reopened.lastReceived(node)}, below ${last}, a counter already acted on`);
      if (last > 0) assert.equal(await reopened.recordReceived(node, last), false, `kill ${i}: node ${node}: a replay of ${last} was accepted`);
    }
    if (tornNode !== undefined) {
      assert.ok(reopened.lastReceived(tornNode) < TORN_COUNTER, `kill ${i}: node ${tornNode}: the torn line was counted`);
    }
    // Every printed counter, not only the highest, is a replay now.
    for (const line of lines) {
      const [node, counter] = line.split(' ').map(Number) as [number, number];
      assert.equal(await reopened.recordReceived(node, counter), false, `kill ${i}: a replay of ${line} was accepted`);
    }
    if (random() < 1 / PAD_EVERY) padTowardCheckpoint(journal, reopened, random);
  }
  return { printed: printedLines, torn, checkpointed, midCheckpoint };
}

/**
 * `mustPrint`: whether the scenario must see counters printed before its kills. Only the one with
 * over a hundred kills can promise that; four kills through tsx may all land before the first fsync.
 */
async function scenario(t: TestContext, name: string, args: (stateDir: string) => string[], kills: number, mustPrint: boolean): Promise<void> {
  const seed = crashSeed();
  t.diagnostic(`${name}: seed ${seed} (replay with MYSEAL_CRASH_SEED=${seed})`);
  const started = Date.now();
  const results = await runLanes(mkdtempSync(join(work, 'state-')), seed, kills, LANES, (stateDir, n, random) => lane(args, stateDir, n, random));
  const sum = (field: keyof LaneResult): number => results.reduce((n, r) => n + r[field], 0);
  const printed = sum('printed');
  t.diagnostic(
    `${name}: ${kills} kills, ${printed} counters printed, ${sum('torn')} torn lines cut, ${sum('checkpointed')} runs ` +
      `checkpointed, ${sum('midCheckpoint')} kills inside a checkpoint, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  // Without counters printed before the kills, the checks above would have had nothing to check.
  if (mustPrint) assert.ok(printed > 0, `seed ${seed}: no counter was printed before any kill`);
}

test('SIGKILL at random moments never loses a received counter that was acted on; torn lines are cut', async (t) => {
  await scenario(t, 'journal', (stateDir) => [fastFixture, stateDir, NODES.join(',')], KILLS, true);
});

test('the journal fixture runs as documented, through tsx (a few kills)', async (t) => {
  await scenario(t, 'tsx', (stateDir) => ['--import', 'tsx', FIXTURE, stateDir, NODES.join(',')], 4, false);
});
