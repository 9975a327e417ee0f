/**
 * Many locks unlocked at the same moment: does one lock's unlock wait for the others'?
 *
 *   npm run bench:locks
 *
 * One `myseal serve` in its own process, as deployed: the CLI compiled by the project's build into
 * a temporary directory (bench/lib-daemon.ts buildCli(); MYSEAL_BENCH_TSX=1 runs src/cli.ts through
 * tsx instead), in front of the simulated gateway (bench/
 * lib-gateway-thread.ts) with LOCK_COUNT sealed virtual locks. For each size (1, 10 and 50 locks) a round
 * types the PIN on every lock of the size over HTTP (one kept-alive connection per lock, as one
 * keypad per door would be), waits until the daemon holds each lock's challenge (fetched at the
 * first digit), then writes every lock's last digit in one go and measures, per lock:
 *
 *  - last digit to answer: from handing the request that carries the last digit to the socket to
 *    the daemon's HTTP answer (the sealed result from the lock, written to disk, and relayed);
 *  - last digit to sealed frame: from the same moment to the arrival of that lock's sealed C_STREAM
 *    type-83 line on the gateway's socket.
 *
 * Every lock is locked again after its round. Sizes take turns round by round, so a busy moment of
 * the machine falls on all of them alike. The goal: the 50-lock p50 to the answer at most
 * ANSWER_RATIO_GOAL times the single-lock p50 of the same run, and the single lock's p99 to the
 * sealed frame at most FRAME_P99_GOAL_MS (on a quiet machine). The state dir is made in the system's
 * temporary directory (MYSEAL_BENCH_DIR to choose another); its file system is in the report,
 * since the durable writes of audit lines and counters are part of what is measured.
 *
 * Beside the latencies, each size reports the daemon's event loop per round (Linux): the CPU it
 * used, and the time it was ready but waited for a CPU. On a shared machine the second often
 * exceeds the first, and then the ratio says more about the machine than about the daemon.
 * And each round ends with the same bursts of 1 and 50 last digits sent to a bare node:http server
 * (bench/lib-http-floor.ts) that answers at once: what Node's HTTP handling alone costs a burst
 * on this machine, which bounds the ratio from below whatever the daemon does.
 * MYSEAL_BENCH_ROUNDS and MYSEAL_BENCH_WARMUP_ROUNDS change the number of rounds.
 *
 * The simulated gateway and its locks run in a worker thread (bench/lib-gateway-thread.ts), the
 * locks' state in memory: their work (opening and sealing frames, checking PINs) is a real lock's,
 * done by 50 microcontrollers at once in a deployment; on the bench's own thread it would delay
 * the reading of the daemon's answers and be measured as the daemon's. The bench's thread writes
 * the requests and stamps the answers; the worker stamps the frames' arrival on the same clock.
 * Progress goes to stderr; the last line of stdout is one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op, Status } from '../src/core/protocol/body.ts';
import { describeOutcome } from '../src/service/lock/outcome.ts';
import { freePort, killProcess } from '../test/support/mosquitto.ts';
import { THROUGH_TSX, buildCli, daemonKind, environment, loadNow, mainThreadTimes, median, startDaemonProcess, until } from './lib-daemon.ts';
import type { BuiltCli, ThreadTimes } from './lib-daemon.ts';
import type { NodesConfig } from './lib-daemon.ts';
import { LOCK_CHILD } from './lib-gateway.ts';
import { GatewayThread } from './lib-gateway-thread.ts';
import { startHttpFloor } from './lib-http-floor.ts';
import type { HttpFloor } from './lib-http-floor.ts';
import { HttpConn, round, summary } from './lib-net.ts';

const PIN = '2580';
const SIZES = [1, 10, 50] as const;
const LOCK_COUNT = Math.max(...SIZES);
/** Node ids of the locks: the first `size` of them take part in a round of that size. */
const FIRST_LOCK_NODE = 10;
const ROUNDS = Number(process.env.MYSEAL_BENCH_ROUNDS ?? 40);
/** The daemon through tsx (src/cli.ts) rather than compiled: for a quick run with no build. */
/**
 * Rounds before the measured ones: until the daemon's hot paths are compiled by V8's optimizing
 * tier. With 3, the measured rounds still included that compiling (the daemon's CPU per 50-lock
 * round was half as much again as with 30, on the machine this was tuned on), which a daemon that
 * has run for a day no longer does.
 */
const WARMUP_ROUNDS = Number(process.env.MYSEAL_BENCH_WARMUP_ROUNDS ?? 20);
const ANSWER_RATIO_GOAL = 3;
const FRAME_P99_GOAL_MS = 2;

const startedAt = performance.now();
const loadAtStart = loadNow();

function progress(message: string): void {
  process.stderr.write(`bench:locks: ${message}\n`);
}

interface NodeView {
  counts: { results: number };
  lastResult: string | null;
}

interface Lock {
  node: number;
  http: HttpConn;
}

interface Sample {
  answerMs: number;
  frameMs: number;
}

async function view(lock: Lock): Promise<NodeView> {
  return JSON.parse((await lock.http.request('GET', `/api/nodes/${lock.node}`)).body) as NodeView;
}

async function digit(lock: Lock, d: string): Promise<void> {
  const r = await lock.http.request('GET', `/digit?node=${lock.node}&d=${d}`);
  if (r.status !== 202) throw new Error(`node ${lock.node}: digit refused with ${r.status} ${r.body}`);
}

/** Types all but the last digit, and waits until the daemon holds the challenge the first digit fetched. */
async function prepare(lock: Lock, challengeResult: string): Promise<void> {
  const before = (await view(lock)).counts.results;
  await digit(lock, PIN[0]!);
  const deadline = performance.now() + 10_000;
  let v = await view(lock);
  for (; v.counts.results === before; v = await view(lock)) {
    if (performance.now() > deadline) throw new Error(`node ${lock.node}: no answer to the challenge request`);
    await new Promise((r) => setTimeout(r, 1));
  }
  if (v.lastResult !== challengeResult) throw new Error(`node ${lock.node}: the first digit's answer was ${v.lastResult ?? 'none'}`);
  for (const d of PIN.slice(1, -1)) await digit(lock, d);
}

/** The daemon's main thread over the last digits of a round: from before the first write until every answer is in. */
type Spent = ThreadTimes | null;

/** One round: the last digit of every lock written at once; the samples of the locks whose challenge was prefetched. */
async function round1(
  locks: readonly Lock[],
  gateway: GatewayThread,
  daemonPid: number,
): Promise<{ samples: Sample[]; notPrefetched: number; spent: Spent }> {
  const challengeResult = describeOutcome(locks[0]!.node, { status: Status.Challenge, commandCounter: 0, challenge: new Uint8Array(4) }).result;
  await Promise.all(locks.map((l) => prepare(l, challengeResult)));
  const nodes = locks.map((l) => l.node);
  const before = await gateway.records(nodes);
  // Every request is handed to its socket in this one synchronous loop: the same moment, to within
  // the microseconds the writes take.
  const timesBefore = mainThreadTimes(daemonPid);
  const answers = locks.map((l) => l.http.request('GET', `/digit?node=${l.node}&d=${PIN.at(-1)!}`));
  // Every lock's frame arrived before its answer (which is the lock's result to that frame).
  const answered = await Promise.all(answers);
  const timesAfter = mainThreadTimes(daemonPid);
  const spent =
    timesBefore && timesAfter ? { cpuMs: timesAfter.cpuMs - timesBefore.cpuMs, runQueueMs: timesAfter.runQueueMs - timesBefore.runQueueMs } : null;
  const after = await gateway.records(nodes);
  const samples: Sample[] = [];
  let notPrefetched = 0;
  for (const [i, l] of locks.entries()) {
    const a = answered[i]!;
    const result = (JSON.parse(a.body) as { result?: string }).result;
    const sim = after[i]!;
    if (a.status !== 200 || result !== 'unlocked' || sim.locked) throw new Error(`node ${l.node}: unlock ended ${a.status} ${result ?? '?'}`);
    // Exactly one sealed frame reached the lock, and it was the unlock: the challenge was prefetched.
    if (sim.frames - before[i]!.frames !== 1 || sim.lastOp !== Op.Unlock) notPrefetched++;
    else samples.push({ answerMs: a.answeredAt - a.writtenAt, frameMs: sim.lastFrameAt - a.writtenAt });
  }
  await Promise.all(
    locks.map(async (l) => {
      const r = await l.http.request('POST', `/api/nodes/${l.node}/lock`, '{}');
      if ((JSON.parse(r.body) as { result?: string }).result !== 'locked') throw new Error(`node ${l.node}: locking again failed`);
    }),
  );
  return { samples, notPrefetched, spent };
}

/** The same burst of last digits to the HTTP floor (lib-http-floor.ts): the answer times alone. */
async function floorRound(conns: readonly HttpConn[], locks: readonly Lock[]): Promise<number[]> {
  const answers = locks.map((l, i) => conns[i]!.request('GET', `/digit?node=${l.node}&d=${PIN.at(-1)!}`));
  return (await Promise.all(answers)).map((a) => a.answeredAt - a.writtenAt);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.MYSEAL_BENCH_DIR ?? tmpdir(), 'myseal-bench-locks-'));
  let daemon: ChildProcess | null = null;
  process.once('exit', () => daemon?.kill('SIGKILL'));
  let gateway: GatewayThread | null = null;
  let floor: HttpFloor | null = null;
  let built: BuiltCli | undefined;
  const locks: Lock[] = [];
  const floorConns: HttpConn[] = [];
  try {
    const lockNodes = Array.from({ length: LOCK_COUNT }, (_, i) => FIRST_LOCK_NODE + i);
    gateway = await GatewayThread.start({ stateDir: dir, pin: PIN, lockNodes });
    const nodes: NodesConfig = {};
    for (const n of lockNodes) nodes[n] = { children: { [LOCK_CHILD]: { kind: 'lock', pinLength: PIN.length } } };
    const ports = { gateway: gateway.port, listen: await freePort(), http: await freePort() };
    if (!THROUGH_TSX) {
      progress('building the CLI (tsc -p tsconfig.build.json)');
      built = await buildCli();
    }
    progress(`starting myseal serve with ${LOCK_COUNT} locks`);
    daemon = await startDaemonProcess(dir, ports, nodes, built?.cli);
    const gw = gateway;
    await until(() => gw.clientCount === 1, 'myseal serve to connect to its gateway');
    for (const node of lockNodes) locks.push({ node, http: await HttpConn.connect(ports.http) });
    floor = await startHttpFloor();
    for (let i = 0; i < LOCK_COUNT; i++) floorConns.push(await HttpConn.connect(floor.port));
    const floorSizes = [1, LOCK_COUNT];
    const floorSamples = new Map<number, number[]>(floorSizes.map((s) => [s, []]));

    const samples = new Map<number, Sample[]>(SIZES.map((s) => [s, []]));
    const spent = new Map<number, ThreadTimes[]>(SIZES.map((s) => [s, []]));
    const daemonPid = daemon.pid!;
    let notPrefetched = 0;
    for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
      if (r % 10 === 0) progress(`round ${r + 1}/${WARMUP_ROUNDS + ROUNDS} (sizes ${SIZES.join(', ')}; ${WARMUP_ROUNDS} warm-up)`);
      for (const size of SIZES) {
        const ran = await round1(locks.slice(0, size), gateway, daemonPid);
        notPrefetched += ran.notPrefetched;
        if (r < WARMUP_ROUNDS) continue;
        samples.get(size)!.push(...ran.samples);
        if (ran.spent) spent.get(size)!.push(ran.spent);
      }
      for (const size of floorSizes) {
        const times = await floorRound(floorConns, locks.slice(0, size));
        if (r >= WARMUP_ROUNDS) floorSamples.get(size)!.push(...times);
      }
    }

    const bySize = Object.fromEntries(
      SIZES.map((s) => {
        const got = samples.get(s)!;
        return [
          `locks_${s}`,
          {
            samples: got.length,
            last_digit_to_answer_ms: summary(got.map((x) => x.answerMs)),
            last_digit_to_frame_ms: summary(got.map((x) => x.frameMs)),
            daemon_main_thread_per_round_ms: perRound(spent.get(s)!),
          },
        ];
      }),
    );
    const answerP50 = (s: number): number => summary(samples.get(s)!.map((x) => x.answerMs)).p50;
    const frameP99 = summary(samples.get(1)!.map((x) => x.frameMs)).p99;
    const ratio = round(answerP50(LOCK_COUNT) / answerP50(1), 2);
    const floorP50 = (s: number): number => summary(floorSamples.get(s)!).p50;
    const report = {
      bench: 'locks',
      daemon: `${daemonKind(built)} in its own process, log level warn`,
      gateway: `simulated MySensors 2.3.2 gateway with ${LOCK_COUNT} sealed virtual locks (nodes ${lockNodes[0]}-${lockNodes.at(-1)}, state in memory) in a worker thread, bench/lib-gateway-thread.ts`,
      rounds: ROUNDS,
      warmup_rounds: WARMUP_ROUNDS,
      not_prefetched: notPrefetched,
      ...bySize,
      ratio_answer_p50_50_to_1: ratio,
      ratio_answer_p50_10_to_1: round(answerP50(10) / answerP50(1), 2),
      answer_ratio_goal: ANSWER_RATIO_GOAL,
      answer_goal_met: ratio <= ANSWER_RATIO_GOAL,
      http_floor_answer_p50_ms: { locks_1: floorP50(1), [`locks_${LOCK_COUNT}`]: floorP50(LOCK_COUNT) },
      frame_p99_1_lock_ms: frameP99,
      frame_p99_goal_ms: FRAME_P99_GOAL_MS,
      frame_goal_met: frameP99 <= FRAME_P99_GOAL_MS,
      environment: environment(dir, loadAtStart),
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    for (const l of locks) l.http.close();
    for (const c of floorConns) c.close();
    await floor?.close();
    if (daemon) await killProcess(daemon);
    await gateway?.close();
    built?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The daemon's event loop per round (medians): the CPU it used, and how long it was ready to run
 * but waited for a CPU that other work on the machine held. Null where the kernel does not tell.
 */
function perRound(times: readonly ThreadTimes[]): { cpu: number; run_queue_wait: number } | null {
  if (times.length === 0) return null;
  return { cpu: round(median(times.map((t) => t.cpuMs)), 2), run_queue_wait: round(median(times.map((t) => t.runQueueMs)), 2) };
}

main().catch((e: unknown) => {
  progress(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
