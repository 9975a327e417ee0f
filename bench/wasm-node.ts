/**
 * What running the node library's own C++ as WebAssembly (src/node/wasm-node.ts) costs, against
 * baselines measured in the same run.
 *
 *   npm run bench:wasm
 *
 * Prints one JSON object on the last line of stdout (progress goes to stderr):
 *
 *  - node: microseconds per call into a WasmNode (EEPROM in memory, no lock callbacks, as `myseal
 *    node` runs it): opening an authentic STATUS command (and sealing its answer, and the EEPROM write
 *    of its counter); refusing a tampered frame (its tag); an unlock (GET_CHALLENGE then UNLOCK, the
 *    node's two calls, with their EEPROM writes); a reset (restart(): a new instance, begin() over a
 *    provisioned EEPROM). Baselines: the controller sealing the same STATUS frame (sealFrame, AES-CCM
 *    through node:crypto), an empty call into the module (is_locked), and the same calls on the
 *    TypeScript node it replaced (BEFORE_COMMIT's src/node/sealed-node.ts over its in-memory EEPROM
 *    image, imported from the extracted tree). Each figure is the median of NODE_ROUNDS rounds, each
 *    of NODE_OPS calls in a row (an unlock: UNLOCK_OPS);
 *  - demo: the wall time of `myseal demo` (what `npm start` runs), from the build (bench/lib-daemon.ts
 *    buildCli(); MYSEAL_BENCH_TSX=1: src/cli.ts through tsx) at BEFORE_COMMIT, the last commit with
 *    the TypeScript node, extracted with git archive, and of the working tree; runs alternate,
 *    DEMO_RUNS each (MYSEAL_BENCH_DEMO_RUNS), medians and their ratio.
 *
 * MYSEAL_BENCH_PARTS=node (or demo) runs that part alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Op, encodeCommand } from '../src/core/protocol/body.ts';
import { FrameKind } from '../src/core/protocol/frame.ts';
import { sealFrame } from '../src/core/protocol/seal.ts';
import { makePair } from '../src/demo/memory-pair.ts';
import { ROOT, THROUGH_TSX, buildCli, environment, loadNow, median, runToEnd } from './lib-daemon.ts';
import type { BuiltCli } from './lib-daemon.ts';
import { round } from './lib-net.ts';

/** The last commit whose virtual node was the TypeScript one (src/node/sealed-node.ts). */
const BEFORE_COMMIT = '2434b65';
const NODE_ROUNDS = 7;
const NODE_OPS = 2_000;
const UNLOCK_OPS = 500;
const EMPTY_CALLS = 100_000;
const DEMO_RUNS = Number(process.env.MYSEAL_BENCH_DEMO_RUNS ?? 5);
const PIN = '1234';
const CHILD = 1;

/** MYSEAL_BENCH_PARTS=node or demo runs that part alone; both by default. */
const PARTS = process.env.MYSEAL_BENCH_PARTS?.split(',') ?? ['node', 'demo'];
const runs = (part: string): boolean => PARTS.includes(part);

function progress(message: string): void {
  process.stderr.write(`bench:wasm: ${message}\n`);
}

/** Microseconds per call of `run` over `count` calls, as one timed stretch. */
function perCallUs(count: number, run: (i: number) => void): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) run(i);
  return ((performance.now() - start) * 1000) / count;
}

/** The median over NODE_ROUNDS rounds of what `round` measured (µs per call), after one warm-up round. */
async function medianOfRounds(round: () => Promise<number> | number): Promise<number> {
  await round();
  const values: number[] = [];
  for (let r = 0; r < NODE_ROUNDS; r++) values.push(await round());
  return median(values);
}

/** What the figures need of a node: the WasmNode and the TypeScript node it replaced alike. */
interface NodeUnderTest {
  receive(incoming: { sender: number; child: number; frame: Uint8Array }): { error?: unknown; replies: { frame: Uint8Array }[] };
  readonly locked: boolean;
  setLockedByHand(locked: boolean): unknown;
}

interface Subject {
  readonly node: NodeUnderTest;
  /** A reset: the node again, as at power-on, over the same EEPROM. */
  reboot(): void;
  /** EEPROM bytes written so far. */
  written?: () => number;
}

/** The modules of BEFORE_COMMIT's TypeScript node, as this bench uses them. */
interface TypeScriptNodeModules {
  SealedNode: new (opts: { nodeId: number; storage: unknown; clock: () => number; lockChild: number }) => NodeUnderTest;
  provisionNode(storage: unknown, key: Uint8Array, pin: string): void;
  EepromImageStorage: new () => unknown;
}

async function typeScriptNode(tree: string, nodeId: number, key: Uint8Array, clock: () => number): Promise<Subject> {
  const load = async (file: string): Promise<object> => import(pathToFileURL(join(tree, 'src', 'node', file)).href) as Promise<object>;
  const m = { ...(await load('sealed-node.ts')), ...(await load('node-storage.ts')) } as TypeScriptNodeModules;
  // The EEPROM image in memory, as the demo and the tests ran that node.
  const storage = new m.EepromImageStorage();
  m.provisionNode(storage, key, PIN);
  const boot = (): NodeUnderTest => new m.SealedNode({ nodeId, storage, clock, lockChild: CHILD });
  let node = boot();
  return {
    get node() {
      return node;
    },
    reboot: () => void (node = boot()),
  };
}

type OpName = 'status' | 'tampered' | 'unlock' | 'restart';

/**
 * Per-call µs of each operation on one node, each the median of NODE_ROUNDS rounds; and the EEPROM
 * bytes one STATUS and one unlock write (with the lock turned back by hand), when the subject counts them.
 */
async function measureOps(
  subject: Subject,
  pair: ReturnType<typeof makePair>,
): Promise<{ timesUs: Record<OpName, number>; eepromBytes: { status: number; unlock: number } }> {
  const { channel, key } = pair;
  const address = { sender: 0, destination: pair.nodeId, child: CHILD };
  const statusBody = encodeCommand({ op: Op.Status });
  /** Counters above any the channel used: each STATUS frame is fresh. */
  let counter = 1_000_000;
  const statusFrames = (count: number): Uint8Array[] =>
    Array.from({ length: count }, () => sealFrame({ key, kind: FrameKind.Command, address, counter: ++counter }, statusBody));
  const status = await medianOfRounds(() => {
    const frames = statusFrames(NODE_OPS);
    return perCallUs(NODE_OPS, (i) => {
      const out = subject.node.receive({ sender: 0, child: CHILD, frame: frames[i]! });
      if (out.error !== undefined || out.replies.length !== 1) throw new Error('an authentic STATUS was not answered');
    });
  });
  const tamperedFrame = statusFrames(1)[0]!;
  tamperedFrame[tamperedFrame.length - 1]! ^= 0x01;
  const tampered = await medianOfRounds(() =>
    perCallUs(NODE_OPS, () => {
      if (subject.node.receive({ sender: 0, child: CHILD, frame: tamperedFrame }).error === undefined) throw new Error('a tampered frame was accepted');
    }),
  );
  // The controller's counters continue after the STATUS frames sealed directly above.
  await channel.resync(counter);
  /** One unlock (GET_CHALLENGE, UNLOCK) and the lock turned back by hand: the node's ms in it. */
  const unlockOnce = async (): Promise<number> => {
    const ask = await channel.seal(CHILD, { op: Op.GetChallenge });
    let start = performance.now();
    const challenge = subject.node.receive({ sender: 0, child: CHILD, frame: ask.frame });
    let nodeMs = performance.now() - start;
    if (!(await channel.open(CHILD, challenge.replies[0]!.frame)).ok) throw new Error('no challenge');
    const command = await channel.seal(CHILD, { op: Op.Unlock, pin: PIN });
    start = performance.now();
    const done = subject.node.receive({ sender: 0, child: CHILD, frame: command.frame });
    nodeMs += performance.now() - start;
    if (done.error !== undefined || subject.node.locked) throw new Error('the unlock failed');
    await channel.open(CHILD, done.replies[0]!.frame);
    subject.node.setLockedByHand(true);
    return nodeMs;
  };
  const unlock = await medianOfRounds(async () => {
    let nodeMs = 0;
    for (let i = 0; i < UNLOCK_OPS; i++) nodeMs += await unlockOnce();
    return (nodeMs * 1000) / UNLOCK_OPS;
  });
  const restart = await medianOfRounds(() => perCallUs(NODE_OPS / 10, () => subject.reboot()));
  // What the node writes to its EEPROM for each, where it says (the WebAssembly node's image).
  let written = subject.written?.() ?? 0;
  const frame = statusFrames(1)[0]!;
  subject.node.receive({ sender: 0, child: CHILD, frame });
  const statusBytes = (subject.written?.() ?? 0) - written;
  written = subject.written?.() ?? 0;
  await channel.resync(counter);
  await unlockOnce();
  const unlockBytes = (subject.written?.() ?? 0) - written;
  return { timesUs: { status, tampered, unlock, restart }, eepromBytes: { status: statusBytes, unlock: unlockBytes } };
}

async function measureNode(before: string): Promise<Record<string, unknown>> {
  progress(`node: ${NODE_ROUNDS} rounds of ${NODE_OPS} calls per figure, the WebAssembly node and ${BEFORE_COMMIT}'s TypeScript node`);
  // observeCommands off: the node as a lock runs it opens each frame once.
  const pair = makePair({ pin: PIN, node: { observeCommands: false } });
  const wasm = pair.node;
  const address = { sender: 0, destination: pair.nodeId, child: CHILD };
  const statusBody = encodeCommand({ op: Op.Status });
  let counter = 1;
  const sealUs = await medianOfRounds(() =>
    perCallUs(NODE_OPS, () => sealFrame({ key: pair.key, kind: FrameKind.Command, address, counter: counter++ }, statusBody)),
  );
  const emptyUs = await medianOfRounds(() => perCallUs(EMPTY_CALLS, () => wasm.locked));
  const wasmOps = await measureOps({ node: wasm, reboot: () => wasm.restart(), written: () => pair.eeprom.written }, pair);
  const tsPair = makePair({ pin: PIN });
  const tsOps = await measureOps(await typeScriptNode(before, tsPair.nodeId, tsPair.key, tsPair.clock.read), tsPair);

  const op = (which: OpName): Record<string, number> => {
    const us = wasmOps.timesUs[which];
    return {
      us: round(us, 2),
      ratio_to_controller_seal: round(us / sealUs, 2),
      ratio_to_empty_call: round(us / emptyUs, 1),
      typescript_node_us: round(tsOps.timesUs[which], 2),
      ratio_to_typescript_node: round(us / tsOps.timesUs[which], 2),
    };
  };
  return {
    rounds: NODE_ROUNDS,
    calls_per_round: NODE_OPS,
    baseline_controller_seal_status_us: round(sealUs, 2),
    baseline_empty_call_us: round(emptyUs, 4),
    open_status: { ...op('status'), eeprom_bytes: wasmOps.eepromBytes.status },
    refuse_tampered: op('tampered'),
    unlock: { ...op('unlock'), unlocks_per_round: UNLOCK_OPS, eeprom_bytes_with_relock: wasmOps.eepromBytes.unlock },
    restart: op('restart'),
  };
}

/** A tree of the project at `commit`, with this one's node_modules. */
function extractCommit(commit: string, into: string): string {
  mkdirSync(into);
  const archive = spawnSync('git', ['-C', ROOT, 'archive', commit], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.toString()}`);
  const untar = spawnSync('tar', ['-x', '-C', into], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'));
  return into;
}

/** `myseal demo` once, from `root` (its build's cli.js, or src/cli.ts through tsx): wall ms. */
async function demoOnce(root: string, built: BuiltCli | undefined): Promise<number> {
  const entry = built ? [built.cli] : ['--import', 'tsx', join(root, 'src', 'cli.ts')];
  const start = performance.now();
  const { code, out } = await runToEnd([...entry, 'demo'], root);
  const ms = performance.now() - start;
  if (code !== 0 || !/steps passed/.test(out)) throw new Error(`the demo in ${root} failed (exit ${code}):\n${out.slice(-4000)}`);
  return ms;
}

async function measureDemo(before: string): Promise<Record<string, unknown>> {
  const builds: BuiltCli[] = [];
  try {
    let builtBefore: BuiltCli | undefined;
    let builtAfter: BuiltCli | undefined;
    if (!THROUGH_TSX) {
      progress(`demo: building ${BEFORE_COMMIT} and the working tree (tsc -p tsconfig.build.json)`);
      builds.push((builtBefore = await buildCli(before)));
      builds.push((builtAfter = await buildCli()));
    }
    // One run of each first, not counted: the file system's caches warm alike for both.
    await demoOnce(before, builtBefore);
    await demoOnce(ROOT, builtAfter);
    const beforeMs: number[] = [];
    const afterMs: number[] = [];
    for (let run = 0; run < DEMO_RUNS; run++) {
      progress(`demo: run ${run + 1}/${DEMO_RUNS}`);
      // Alternating, and in turns starting with either, so a slow stretch of the machine falls on both.
      const order = run % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const which of order) {
        if (which === 'before') beforeMs.push(await demoOnce(before, builtBefore));
        else afterMs.push(await demoOnce(ROOT, builtAfter));
      }
    }
    return {
      command: `myseal demo (npm start), ${THROUGH_TSX ? 'src/cli.ts through tsx' : 'dist/cli.js compiled by tsc -p tsconfig.build.json'}`,
      before: `${BEFORE_COMMIT} (the TypeScript node)`,
      after: 'working tree (the WebAssembly node)',
      runs: DEMO_RUNS,
      before_ms: round(median(beforeMs), 1),
      after_ms: round(median(afterMs), 1),
      ratio_after_to_before: round(median(afterMs) / median(beforeMs), 3),
      before_runs_ms: beforeMs.map((x) => round(x, 1)),
      after_runs_ms: afterMs.map((x) => round(x, 1)),
    };
  } finally {
    for (const b of builds) b.remove();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = loadNow();
  const work = mkdtempSync(join(process.env.MYSEAL_BENCH_DIR ?? tmpdir(), 'myseal-bench-wasm-'));
  try {
    progress(`extracting ${BEFORE_COMMIT}`);
    const before = extractCommit(BEFORE_COMMIT, join(work, 'before'));
    const parts: Record<string, unknown> = {};
    if (runs('node')) parts.node = await measureNode(before);
    if (runs('demo')) parts.demo = await measureDemo(before);
    const report = {
      bench: 'wasm-node',
      node_module: 'arduino/wasm/myseal-node.wasm (the node library, clang --target=wasm32 -O2), run by src/node/wasm-node.ts',
      ...parts,
      environment: environment(work, loadAtStart),
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
