/**
 * Many locks unlocked at the same moment: does one lock's unlock wait for the others'?
 *
 *   npm run bench:locks
 *
 * One `myseal serve` in its own process, as deployed, in front of the simulated gateway (bench/
 * lib-gateway.ts) with LOCK_COUNT sealed virtual locks. For each size (1, 10 and 50 locks) a round
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
 * The gateway and the HTTP clients live in this process, so both moments are read from one clock;
 * the simulator's own work for the locks (opening and sealing frames) runs here too, and is in the
 * answer figure as a real lock's would be. Progress goes to stderr; the last line of stdout is one
 * JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op, Status } from '../src/core/protocol/body.ts';
import { describeOutcome } from '../src/service/lock/outcome.ts';
import { freePort, killProcess } from '../test/support/mosquitto.ts';
import { environment, loadNow, startDaemonProcess, until } from './lib-daemon.ts';
import type { NodesConfig } from './lib-daemon.ts';
import { LOCK_CHILD, startBenchGateway } from './lib-gateway.ts';
import type { BenchGateway } from './lib-gateway.ts';
import { HttpConn, round, summary } from './lib-net.ts';

const PIN = '2580';
const SIZES = [1, 10, 50] as const;
const LOCK_COUNT = Math.max(...SIZES);
/** Node ids of the locks: the first `size` of them take part in a round of that size. */
const FIRST_LOCK_NODE = 10;
const ROUNDS = Number(process.env.MYSEAL_BENCH_ROUNDS ?? 40);
const WARMUP_ROUNDS = 3;
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

/** The last digit's moment and the sealed frame's arrival, per node, for the round in progress. */
class FrameWatch {
  readonly #waiting = new Map<number, (at: number) => void>();

  constructor(gateway: BenchGateway) {
    gateway.tap = (line, at) => {
      // `<node>;<child>;4;0;83;<hex>`: C_STREAM, type 83, the sealed frame.
      const fields = line.split(';', 5);
      if (fields[2] !== '4' || fields[4] !== '83' || Number(fields[1]) !== LOCK_CHILD) return;
      const node = Number(fields[0]);
      const resolve = this.#waiting.get(node);
      if (!resolve) return;
      this.#waiting.delete(node);
      resolve(at);
    };
  }

  /** Resolves with the arrival time of the next sealed frame for `node`. */
  next(node: number): Promise<number> {
    return new Promise((resolve) => this.#waiting.set(node, resolve));
  }
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

/** One round: the last digit of every lock written at once; the samples of the locks whose challenge was prefetched. */
async function round1(locks: readonly Lock[], gateway: BenchGateway, frames: FrameWatch): Promise<{ samples: Sample[]; notPrefetched: number }> {
  const challengeResult = describeOutcome(locks[0]!.node, { status: Status.Challenge, commandCounter: 0, challenge: new Uint8Array(4) }).result;
  await Promise.all(locks.map((l) => prepare(l, challengeResult)));
  const outcomesBefore = locks.map((l) => gateway.locks.get(l.node)!.outcomes.length);
  const frameAt = locks.map((l) => frames.next(l.node));
  // Every request is handed to its socket in this one synchronous loop: the same moment, to within
  // the microseconds the writes take.
  const answers = locks.map((l) => l.http.request('GET', `/digit?node=${l.node}&d=${PIN.at(-1)!}`));
  const [answered, arrived] = await Promise.all([Promise.all(answers), Promise.all(frameAt)]);
  const samples: Sample[] = [];
  let notPrefetched = 0;
  for (const [i, l] of locks.entries()) {
    const a = answered[i]!;
    const result = (JSON.parse(a.body) as { result?: string }).result;
    const sim = gateway.locks.get(l.node)!;
    if (a.status !== 200 || result !== 'unlocked' || sim.node.locked) throw new Error(`node ${l.node}: unlock ended ${a.status} ${result ?? '?'}`);
    // Exactly one sealed frame reached the lock, and it was the unlock: the challenge was prefetched.
    const outcomes = sim.outcomes.slice(outcomesBefore[i]);
    if (outcomes.length !== 1 || outcomes[0]!.command?.op !== Op.Unlock) notPrefetched++;
    else samples.push({ answerMs: a.answeredAt - a.writtenAt, frameMs: arrived[i]! - a.writtenAt });
  }
  await Promise.all(
    locks.map(async (l) => {
      const r = await l.http.request('POST', `/api/nodes/${l.node}/lock`, '{}');
      if ((JSON.parse(r.body) as { result?: string }).result !== 'locked') throw new Error(`node ${l.node}: locking again failed`);
    }),
  );
  return { samples, notPrefetched };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.MYSEAL_BENCH_DIR ?? tmpdir(), 'myseal-bench-locks-'));
  let daemon: ChildProcess | null = null;
  process.once('exit', () => daemon?.kill('SIGKILL'));
  let gateway: BenchGateway | null = null;
  const locks: Lock[] = [];
  try {
    const lockNodes = Array.from({ length: LOCK_COUNT }, (_, i) => FIRST_LOCK_NODE + i);
    gateway = await startBenchGateway({ stateDir: dir, pin: PIN, lockNodes });
    const nodes: NodesConfig = {};
    for (const n of lockNodes) nodes[n] = { children: { [LOCK_CHILD]: { kind: 'lock', pinLength: PIN.length } } };
    const ports = { gateway: gateway.port, listen: await freePort(), http: await freePort() };
    progress(`starting myseal serve with ${LOCK_COUNT} locks`);
    daemon = await startDaemonProcess(dir, ports, nodes);
    const gw = gateway;
    await until(() => gw.clientCount === 1, 'myseal serve to connect to its gateway');
    for (const node of lockNodes) locks.push({ node, http: await HttpConn.connect(ports.http) });
    const frames = new FrameWatch(gateway);

    const samples = new Map<number, Sample[]>(SIZES.map((s) => [s, []]));
    let notPrefetched = 0;
    for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
      if (r % 10 === 0) progress(`round ${r + 1}/${WARMUP_ROUNDS + ROUNDS} (sizes ${SIZES.join(', ')}; ${WARMUP_ROUNDS} warm-up)`);
      for (const size of SIZES) {
        const ran = await round1(locks.slice(0, size), gateway, frames);
        notPrefetched += ran.notPrefetched;
        if (r >= WARMUP_ROUNDS) samples.get(size)!.push(...ran.samples);
      }
    }

    const bySize = Object.fromEntries(
      SIZES.map((s) => {
        const got = samples.get(s)!;
        return [
          `locks_${s}`,
          { samples: got.length, last_digit_to_answer_ms: summary(got.map((x) => x.answerMs)), last_digit_to_frame_ms: summary(got.map((x) => x.frameMs)) },
        ];
      }),
    );
    const answerP50 = (s: number): number => summary(samples.get(s)!.map((x) => x.answerMs)).p50;
    const frameP99 = summary(samples.get(1)!.map((x) => x.frameMs)).p99;
    const ratio = round(answerP50(LOCK_COUNT) / answerP50(1), 2);
    const report = {
      bench: 'locks',
      daemon: 'myseal serve (src/cli.ts through tsx) in its own process, log level warn',
      gateway: `simulated MySensors 2.3.2 gateway with ${LOCK_COUNT} sealed virtual locks (nodes ${lockNodes[0]}-${lockNodes.at(-1)}), bench/lib-gateway.ts`,
      rounds: ROUNDS,
      warmup_rounds: WARMUP_ROUNDS,
      not_prefetched: notPrefetched,
      ...bySize,
      ratio_answer_p50_50_to_1: ratio,
      ratio_answer_p50_10_to_1: round(answerP50(10) / answerP50(1), 2),
      answer_ratio_goal: ANSWER_RATIO_GOAL,
      answer_goal_met: ratio <= ANSWER_RATIO_GOAL,
      frame_p99_1_lock_ms: frameP99,
      frame_p99_goal_ms: FRAME_P99_GOAL_MS,
      frame_goal_met: frameP99 <= FRAME_P99_GOAL_MS,
      environment: environment(dir, loadAtStart),
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    for (const l of locks) l.http.close();
    if (daemon) await killProcess(daemon);
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  progress(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
