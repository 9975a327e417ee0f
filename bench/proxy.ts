/**
 * What the MySeal proxy costs on the way between a MySensors gateway and its controllers, and how
 * fast the last PIN digit becomes a sealed frame on the gateway link.
 *
 *   npm run bench:proxy
 *
 * Prints one JSON object on the last line of stdout (progress goes to stderr); every figure comes
 * from this run:
 *
 *  - fan-out: the time from the gateway writing FANOUT_LINES plain lines (in one blast) until each of
 *    FANOUT_CONTROLLERS connected controllers has received every one of them, through `myseal serve`
 *    and through bench/plain-relay.ts (a relay that copies its gateway connection's bytes to every
 *    controller without reading them), and their ratio (goal: at most FANOUT_RATIO_GOAL);
 *  - throughput: plain sensor lines per second from the gateway to one controller, through
 *    `myseal serve` and through a plain socat relay on loopback, and their ratio (goal: at least
 *    THROUGHPUT_RATIO_GOAL). Each path first gets THROUGHPUT_WARMUP_RUNS runs that are not counted,
 *    the same blast as the measured ones: the daemon's first blast is mostly V8 compiling the hot
 *    path, and V8 takes a few blasts on a busy two-core machine to optimise it (a daemon runs for
 *    months; its first second is not its throughput); socat is given
 *    the same, so the two are measured alike. Runs alternate between the paths;
 *
 * Both paths of a comparison carry the same bytes, and every run checks that each controller got
 * exactly the lines and bytes sent, ending with the last line.
 *  - latency: round trips of a controller's C_REQ to a plain node and the node's answer, directly
 *    on the gateway, through socat and through MySeal; the latency each relay adds to one line is
 *    half the difference to the direct round trip (a round trip crosses the relay twice);
 *  - unlock: with the challenge prefetched by the first digit, the time from writing the HTTP
 *    request that carries the last digit to the arrival of the sealed C_STREAM type-83 unlock line
 *    on the gateway's socket (target: p99 <= 2 ms).
 *
 * The daemon is `myseal serve` itself in its own process, as deployed: the CLI compiled by the project's
 * build (bench/lib-daemon.ts buildCli(); MYSEAL_BENCH_TSX=1 runs src/cli.ts through tsx instead); the
 * gateways, the controllers and the HTTP client live in this process, so the two moments of the
 * unlock figure are read from one clock. socat and the plain relay, too, run in their own processes.
 * MYSEAL_BENCH_CPU_PROF=<dir> has the daemon write a CPU profile there when it ends.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op, Status } from '../src/core/protocol/body.ts';
import { describeOutcome } from '../src/service/lock/outcome.ts';
import { freePort, killProcess, waitForPort } from '../test/support/mosquitto.ts';
import { ROOT, THROUGH_TSX, buildCli, daemonKind, environment, loadNow, median, sleep, startDaemonProcess, until } from './lib-daemon.ts';
import type { BuiltCli } from './lib-daemon.ts';
import { LOCK_CHILD, LOCK_NODE, PLAIN_CHILD, PLAIN_NODE, startBenchGateway } from './lib-gateway.ts';
import type { BenchGateway } from './lib-gateway.ts';
import { HttpConn, LineClient, round, summary } from './lib-net.ts';

const PIN = '2580';
const THROUGHPUT_LINES = 50_000;
const THROUGHPUT_RUNS = 5;
const THROUGHPUT_WARMUP_RUNS = 3;
const FANOUT_LINES = 10_000;
const FANOUT_CONTROLLERS = 50;
const FANOUT_RUNS = 5;
const FANOUT_RATIO_GOAL = 3;
const THROUGHPUT_RATIO_GOAL = 0.25;
const LATENCY_REQUESTS = 2_000;
const LATENCY_WARMUP = 200;
const LATENCY_ROUNDS = 4;
const UNLOCKS = 300;
const UNLOCK_WARMUP = 20;
const UNLOCK_TARGET_P99_MS = 2;
/** What the node view names a challenge answer, in the daemon's own words. */
const CHALLENGE_RESULT = describeOutcome(LOCK_NODE, { status: Status.Challenge, commandCounter: 0, challenge: new Uint8Array(4) }).result;

/** MYSEAL_BENCH_PARTS=fan_out,throughput (say) runs those parts alone; all of them by default. */
const PARTS = process.env.MYSEAL_BENCH_PARTS?.split(',') ?? ['fan_out', 'throughput', 'latency', 'unlock'];
const runs = (part: string): boolean => PARTS.includes(part);

const startedAt = performance.now();
/** Other work on the machine shows in the tails: the load when the bench started is reported. */
const loadAtStart = loadNow();

function progress(message: string): void {
  process.stderr.write(`bench:proxy: ${message}\n`);
}

interface Processes {
  daemon: ChildProcess | null;
  socat: ChildProcess | null;
  relay: ChildProcess | null;
}

async function startSocat(port: number, gatewayPort: number): Promise<{ child: ChildProcess; command: string }> {
  const args = [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay`, `TCP:127.0.0.1:${gatewayPort},nodelay`];
  const child = spawn('socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port, '127.0.0.1', 5_000, () => child.exitCode === null);
  return { child, command: `socat ${args.join(' ')}` };
}

/** bench/plain-relay.ts in its own process, as the daemon is; `clients` follows what it reports. */
async function startPlainRelay(port: number, gatewayPort: number): Promise<{ child: ChildProcess; clients: () => number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/plain-relay.ts', String(gatewayPort), String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let listening = false;
  let clients = 0;
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line === 'listening') listening = true;
      else if (line.startsWith('clients ')) clients = Number(line.slice(8));
    }
  });
  await until(() => listening || child.exitCode !== null, 'the plain relay to listen', 30_000);
  if (child.exitCode !== null) throw new Error(`the plain relay exited with ${child.exitCode}`);
  return { child, clients: () => clients };
}

/** Connects a controller and waits for the first two lines (the greeting, or the gateway's startup). */
async function readyClient(port: number): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await until(() => c.count >= 2, 'the first lines on a new controller connection');
  await sleep(50);
  return c;
}

/** Waits until every client has `base + lines` lines, and checks each got exactly the blast: its lines, its bytes, its last line. */
async function allReceived(clients: readonly LineClient[], bases: readonly { count: number; bytes: number }[], blast: Buffer, lines: number, lastLine: string): Promise<number> {
  const times = await Promise.all(clients.map((c, i) => c.untilCount(bases[i]!.count + lines, 60_000)));
  await sleep(20);
  for (const [i, c] of clients.entries()) {
    const got = { lines: c.count - bases[i]!.count, bytes: c.bytes - bases[i]!.bytes };
    if (got.lines !== lines || got.bytes !== blast.length || !c.tail.endsWith(`${lastLine}\n`)) {
      throw new Error(`a controller got ${got.lines} of ${lines} lines, ${got.bytes} of ${blast.length} bytes`);
    }
  }
  return Math.max(...times);
}

/** Lines per second from a gateway blast to one controller on `port`. */
async function throughput(port: number, gateway: BenchGateway, blast: Buffer, lastLine: string): Promise<number> {
  const c = await readyClient(port);
  try {
    await until(() => gateway.clientCount === 1, 'exactly one client on the gateway');
    const base = { count: c.count, bytes: c.bytes };
    const t0 = performance.now();
    gateway.blast(blast);
    const t1 = await allReceived([c], [base], blast, THROUGHPUT_LINES, lastLine);
    return THROUGHPUT_LINES / ((t1 - t0) / 1000);
  } finally {
    c.close();
  }
}

/** Milliseconds from a gateway blast until the last of the connected controllers has all of it. */
async function fanOut(clients: readonly LineClient[], gateway: BenchGateway, blast: Buffer, lastLine: string): Promise<number> {
  const bases = clients.map((c) => ({ count: c.count, bytes: c.bytes }));
  const t0 = performance.now();
  gateway.blast(blast);
  return (await allReceived(clients, bases, blast, FANOUT_LINES, lastLine)) - t0;
}

/** Round trips of a C_REQ to the plain node and its answer, in ms. */
async function roundTrips(client: LineClient, count: number): Promise<number[]> {
  const request = `${PLAIN_NODE};${PLAIN_CHILD};2;0;2;\n`;
  const answer = `${PLAIN_NODE};${PLAIN_CHILD};1;0;2;`;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await client.roundTrip(request, answer);
    times.push(performance.now() - t0);
  }
  return times;
}

interface NodeView {
  counts: { results: number };
  lastResult: string | null;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-bench-proxy-'));
  const procs: Processes = { daemon: null, socat: null, relay: null };
  // Should this process die on an uncaught error, its children go with it.
  process.once('exit', () => {
    for (const p of Object.values(procs)) p?.kill('SIGKILL');
  });
  const gateways: BenchGateway[] = [];
  let built: BuiltCli | undefined;
  try {
    // Four gateways, so no path sees another's traffic: one behind MySeal (with the sealed lock),
    // one behind socat, one behind the plain relay, one for controllers that connect directly.
    const gwMyseal = await startBenchGateway({ stateDir: dir, pin: PIN });
    const gwSocat = await startBenchGateway();
    const gwRelay = await startBenchGateway();
    const gwDirect = await startBenchGateway();
    gateways.push(gwMyseal, gwSocat, gwRelay, gwDirect);
    const lock = gwMyseal.lock!;

    const listenPort = await freePort();
    const httpPort = await freePort();
    if (!THROUGH_TSX) {
      progress('building the CLI (tsc -p tsconfig.build.json)');
      built = await buildCli();
    }
    progress('starting myseal serve');
    procs.daemon = await startDaemonProcess(
      dir,
      { gateway: gwMyseal.port, listen: listenPort, http: httpPort },
      {
        [LOCK_NODE]: { children: { [LOCK_CHILD]: { kind: 'lock', pinLength: PIN.length } } },
        [PLAIN_NODE]: { children: { [PLAIN_CHILD]: { kind: 'relay', policy: 'pass' } } },
      },
      built?.cli,
    );
    await until(() => gwMyseal.clientCount === 1, 'myseal serve to connect to its gateway');
    const socatPort = await freePort();
    const socat = await startSocat(socatPort, gwSocat.port);
    procs.socat = socat.child;
    await until(() => gwSocat.clientCount === 0, 'the port probe to leave the socat gateway');
    const relayPort = await freePort();
    const relay = await startPlainRelay(relayPort, gwRelay.port);
    procs.relay = relay.child;
    await until(() => gwRelay.clientCount === 1, 'the plain relay to connect to its gateway');

    const parts: Record<string, unknown> = {};
    // ---- fan-out -----------------------------------------------------------------------------
    if (runs('fan_out')) {
      const fanLines = Array.from({ length: FANOUT_LINES }, (_, i) => `${PLAIN_NODE};0;1;0;0;${(i % 1000) / 10}`);
      const fanBlast = Buffer.from(`${fanLines.join('\n')}\n`, 'latin1');
      progress(`fan-out: ${FANOUT_LINES} lines to ${FANOUT_CONTROLLERS} controllers, ${FANOUT_RUNS} runs per path`);
      const fanMyseal = await Promise.all(Array.from({ length: FANOUT_CONTROLLERS }, () => readyClient(listenPort)));
      const fanRelay = await Promise.all(Array.from({ length: FANOUT_CONTROLLERS }, () => LineClient.connect(relayPort)));
      await until(() => relay.clients() === FANOUT_CONTROLLERS, 'the plain relay to take every controller');
      const fanMysealMs: number[] = [];
      const fanRelayMs: number[] = [];
      for (let run = 0; run < FANOUT_RUNS; run++) {
        fanMysealMs.push(await fanOut(fanMyseal, gwMyseal, fanBlast, fanLines.at(-1)!));
        fanRelayMs.push(await fanOut(fanRelay, gwRelay, fanBlast, fanLines.at(-1)!));
      }
      for (const c of [...fanMyseal, ...fanRelay]) c.close();
      await sleep(50);
      parts.fan_out = {
        lines: FANOUT_LINES,
        bytes_per_controller: fanBlast.length,
        controllers: FANOUT_CONTROLLERS,
        runs: FANOUT_RUNS,
        relay: 'bench/plain-relay.ts in its own process: each gateway chunk written to every controller as it came',
        myseal_ms: round(median(fanMysealMs), 1),
        relay_ms: round(median(fanRelayMs), 1),
        ratio_myseal_to_relay: round(median(fanMysealMs) / median(fanRelayMs), 2),
        ratio_goal: FANOUT_RATIO_GOAL,
        goal_met: median(fanMysealMs) / median(fanRelayMs) <= FANOUT_RATIO_GOAL,
        myseal_runs_ms: fanMysealMs.map((x) => round(x, 1)),
        relay_runs_ms: fanRelayMs.map((x) => round(x, 1)),
      };
    }

    // ---- throughput ------------------------------------------------------------------------
    if (runs('throughput')) {
      const lines = Array.from({ length: THROUGHPUT_LINES }, (_, i) => `${PLAIN_NODE};0;1;0;0;${(i % 1000) / 10}`);
      const blast = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
      const lastLine = lines.at(-1)!;
      const mysealRates: number[] = [];
      const socatRates: number[] = [];
      const warmupRates: { myseal: number; socat: number }[] = [];
      for (let run = -THROUGHPUT_WARMUP_RUNS; run < THROUGHPUT_RUNS; run++) {
        const warmup = run < 0;
        progress(`throughput ${warmup ? 'warm-up run' : `run ${run + 1}/${THROUGHPUT_RUNS}`} (${THROUGHPUT_LINES} lines each way)`);
        const myseal = await throughput(listenPort, gwMyseal, blast, lastLine);
        const viaSocat = await throughput(socatPort, gwSocat, blast, lastLine);
        await until(() => gwSocat.clientCount === 0, 'socat to let go of its gateway');
        if (warmup) warmupRates.push({ myseal: Math.round(myseal), socat: Math.round(viaSocat) });
        else {
          mysealRates.push(myseal);
          socatRates.push(viaSocat);
        }
      }
      parts.throughput = {
        lines_per_run: THROUGHPUT_LINES,
        bytes_per_run: blast.length,
        runs: THROUGHPUT_RUNS,
        warmup_runs: THROUGHPUT_WARMUP_RUNS,
        relay: socat.command,
        myseal_lines_per_s: Math.round(median(mysealRates)),
        socat_lines_per_s: Math.round(median(socatRates)),
        ratio_myseal_to_socat: round(median(mysealRates) / median(socatRates)),
        ratio_goal: THROUGHPUT_RATIO_GOAL,
        goal_met: median(mysealRates) / median(socatRates) >= THROUGHPUT_RATIO_GOAL,
        myseal_runs: mysealRates.map(Math.round),
        socat_runs: socatRates.map(Math.round),
        warmup_lines_per_s: warmupRates,
      };
    }

    // ---- latency -----------------------------------------------------------------------------
    if (runs('latency')) {
      progress(`latency: ${LATENCY_REQUESTS} round trips per path, in ${LATENCY_ROUNDS} interleaved rounds`);
      const clients = {
        direct: await readyClient(gwDirect.port),
        socat: await readyClient(socatPort),
        myseal: await readyClient(listenPort),
      };
      const rtt: Record<keyof typeof clients, number[]> = { direct: [], socat: [], myseal: [] };
      for (const c of Object.values(clients)) await roundTrips(c, LATENCY_WARMUP);
      for (let r = 0; r < LATENCY_ROUNDS; r++) {
        for (const path of Object.keys(clients) as (keyof typeof clients)[]) {
          rtt[path].push(...(await roundTrips(clients[path], LATENCY_REQUESTS / LATENCY_ROUNDS)));
        }
      }
      for (const c of Object.values(clients)) c.close();
      const rttSummary = { direct: summary(rtt.direct), socat: summary(rtt.socat), myseal: summary(rtt.myseal) };
      const added = (path: 'socat' | 'myseal', q: 'p50' | 'p99'): number => round(Math.max(0, rttSummary[path][q] - rttSummary.direct[q]) / 2);
      parts.latency = {
        requests_per_path: LATENCY_REQUESTS,
        round_trip_ms: rttSummary,
        added_per_line_ms: {
          socat: { p50: added('socat', 'p50'), p99: added('socat', 'p99') },
          myseal: { p50: added('myseal', 'p50'), p99: added('myseal', 'p99') },
        },
        ratio_myseal_to_socat: {
          round_trip_p50: round(rttSummary.myseal.p50 / rttSummary.socat.p50),
          round_trip_p99: round(rttSummary.myseal.p99 / rttSummary.socat.p99),
          added_p50: added('socat', 'p50') > 0 ? round(added('myseal', 'p50') / added('socat', 'p50')) : null,
          added_p99: added('socat', 'p99') > 0 ? round(added('myseal', 'p99') / added('socat', 'p99')) : null,
        },
      };
    }

    // ---- last digit to sealed frame ------------------------------------------------------------
    if (runs('unlock')) {
      progress(`unlock: ${UNLOCKS} unlocks (+${UNLOCK_WARMUP} warm-up), each locked again`);
      const http = await HttpConn.connect(httpPort);
      let awaitingFrame: ((at: number) => void) | null = null;
      const sealedPrefix = `${LOCK_NODE};${LOCK_CHILD};4;0;83;`;
      gwMyseal.tap = (line, at) => {
        if (awaitingFrame && line.startsWith(sealedPrefix)) {
          const resolve = awaitingFrame;
          awaitingFrame = null;
          resolve(at);
        }
      };
      const view = async (): Promise<NodeView> => JSON.parse((await http.request('GET', `/api/nodes/${LOCK_NODE}`)).body) as NodeView;
      const toFrame: number[] = [];
      let notPrefetched = 0;
      for (let i = 0; i < UNLOCKS + UNLOCK_WARMUP; i++) {
        const before = (await view()).counts.results;
        if ((await http.request('GET', `/digit?node=${LOCK_NODE}&d=${PIN[0]!}`)).status !== 202) throw new Error('first digit refused');
        // The first digit made the daemon fetch a challenge: wait until its answer is in (a deadline,
        // so a daemon that never answers fails the bench instead of hanging it).
        const deadline = performance.now() + 10_000;
        let v = await view();
        for (; v.counts.results === before; v = await view()) {
          if (performance.now() > deadline) throw new Error(`unlock ${i}: no answer to the challenge request`);
          await sleep(1);
        }
        if (v.lastResult !== CHALLENGE_RESULT) throw new Error(`unlock ${i}: the first digit's answer was ${v.lastResult ?? 'none'}`);
        for (const d of PIN.slice(1, -1)) {
          if ((await http.request('GET', `/digit?node=${LOCK_NODE}&d=${d}`)).status !== 202) throw new Error('digit refused');
        }
        const outcomesBefore = lock.outcomes.length;
        const frame = new Promise<number>((resolve) => (awaitingFrame = resolve));
        const last = await http.request('GET', `/digit?node=${LOCK_NODE}&d=${PIN.at(-1)!}`);
        const frameAt = await frame;
        const result = (JSON.parse(last.body) as { result?: string }).result;
        if (last.status !== 200 || result !== 'unlocked' || lock.node.locked) throw new Error(`unlock ${i} ended ${last.status} ${result ?? '?'}`);
        // Exactly one sealed frame reached the lock, and it was the unlock: the challenge was prefetched.
        const outcomes = lock.outcomes.slice(outcomesBefore);
        if (outcomes.length !== 1 || outcomes[0]!.command?.op !== Op.Unlock) notPrefetched++;
        else if (i >= UNLOCK_WARMUP) toFrame.push(frameAt - last.writtenAt);
        const locked = await http.request('POST', `/api/nodes/${LOCK_NODE}/lock`, '{}');
        if ((JSON.parse(locked.body) as { result?: string }).result !== 'locked') throw new Error(`lock ${i} failed`);
      }
      http.close();
      const unlock = summary(toFrame);
      parts.unlock = {
        unlocks: toFrame.length,
        warmup: UNLOCK_WARMUP,
        not_prefetched: notPrefetched,
        last_digit_to_frame_ms: unlock,
        target_p99_ms: UNLOCK_TARGET_P99_MS,
        target_met: unlock.p99 <= UNLOCK_TARGET_P99_MS,
      };
    }

    const report = {
      bench: 'proxy',
      gateway:
        'simulated MySensors 2.3.2 core (src/sim SimGateway: sealed lock node 5, plain node 7) behind a minimal TCP front (bench/lib-gateway.ts); ' +
        'throughput lines pre-formatted and written in one blast, answers and sealed results produced by the simulator; one gateway per path',
      daemon: `${daemonKind(built)} in its own process, log level warn, one controller connected`,
      ...parts,
      environment: environment(dir, loadAtStart),
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    if (procs.daemon) await killProcess(procs.daemon);
    if (procs.socat) await killProcess(procs.socat);
    if (procs.relay) await killProcess(procs.relay);
    for (const g of gateways) await g.close();
    built?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  progress(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
