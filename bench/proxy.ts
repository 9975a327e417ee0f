/**
 * What the MySeal proxy costs on the way between a MySensors gateway and its controllers, and how
 * fast the last PIN digit becomes a sealed frame on the gateway link.
 *
 *   npm run bench:proxy
 *
 * Prints one JSON object on stdout (progress goes to stderr); every figure comes from this run:
 *
 *  - throughput: plain sensor lines per second from the gateway to a controller, through
 *    `myseal serve` and through a plain socat relay on loopback, and their ratio;
 *  - latency: round trips of a controller's C_REQ to a plain node and the node's answer, directly
 *    on the gateway, through socat and through MySeal; the latency each relay adds to one line is
 *    half the difference to the direct round trip (a round trip crosses the relay twice);
 *  - unlock: with the challenge prefetched by the first digit, the time from writing the HTTP
 *    request that carries the last digit to the arrival of the sealed C_STREAM type-83 unlock line
 *    on the gateway's socket (target: p99 <= 2 ms).
 *
 * The daemon is `myseal serve` itself (src/cli.ts through tsx) in its own process, as deployed; the
 * gateways, the controllers and the HTTP client live in this process, so the two moments of the
 * unlock figure are read from one clock. socat, too, runs in its own process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Op, Status } from '../src/core/protocol/body.ts';
import { describeOutcome } from '../src/service/lock/outcome.ts';
import { freePort, killProcess, waitForPort } from '../test/support/mosquitto.ts';
import { LOCK_CHILD, LOCK_NODE, PLAIN_CHILD, PLAIN_NODE, startBenchGateway } from './lib-gateway.ts';
import type { BenchGateway } from './lib-gateway.ts';
import { HttpConn, LineClient, round, summary } from './lib-net.ts';

const PIN = '2580';
const THROUGHPUT_LINES = 50_000;
const THROUGHPUT_RUNS = 3;
const LATENCY_REQUESTS = 2_000;
const LATENCY_WARMUP = 200;
const LATENCY_ROUNDS = 4;
const UNLOCKS = 300;
const UNLOCK_WARMUP = 20;
const UNLOCK_TARGET_P99_MS = 2;
/** What the node view names a challenge answer, in the daemon's own words. */
const CHALLENGE_RESULT = describeOutcome(LOCK_NODE, { status: Status.Challenge, commandCounter: 0, challenge: new Uint8Array(4) }).result;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const startedAt = performance.now();
/** Other work on the machine shows in the tails: the load when the bench started is reported. */
const loadAtStart = loadavg()[0]!;

function progress(message: string): void {
  process.stderr.write(`bench:proxy: ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const FS_TYPES: Record<number, string> = { 0x01021994: 'tmpfs', 0xef53: 'ext2/3/4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };

interface Processes {
  daemon: ChildProcess | null;
  socat: ChildProcess | null;
}

async function startDaemonProcess(dir: string, gatewayPort: number, listenPort: number, httpPort: number): Promise<ChildProcess> {
  const config = join(dir, 'config.yaml');
  // JSON is YAML. Rate limit at its maximum: the bench submits hundreds of correct PINs a minute.
  writeFileSync(
    config,
    JSON.stringify({
      gateway: `tcp://127.0.0.1:${gatewayPort}`,
      listen: `127.0.0.1:${listenPort}`,
      http: { listen: `127.0.0.1:${httpPort}`, rateLimitPerMinute: 600 },
      stateDir: dir,
      nodes: {
        [LOCK_NODE]: { children: { [LOCK_CHILD]: { kind: 'lock', pinLength: 4 } } },
        [PLAIN_NODE]: { children: { [PLAIN_CHILD]: { kind: 'relay', policy: 'pass' } } },
      },
      log: { level: 'warn' },
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  await until(() => out.includes('myseal serve: controllers connect to') || child.exitCode !== null, 'myseal serve to start', 30_000);
  if (child.exitCode !== null) throw new Error(`myseal serve exited with ${child.exitCode}:\n${err}`);
  return child;
}

async function startSocat(port: number, gatewayPort: number): Promise<{ child: ChildProcess; command: string }> {
  const args = [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay`, `TCP:127.0.0.1:${gatewayPort},nodelay`];
  const child = spawn('socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port, '127.0.0.1', 5_000, () => child.exitCode === null);
  return { child, command: `socat ${args.join(' ')}` };
}

/** Connects a controller and waits for the first two lines (the greeting, or the gateway's startup). */
async function readyClient(port: number): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await until(() => c.count >= 2, 'the first lines on a new controller connection');
  await sleep(50);
  return c;
}

/** Lines per second from a gateway blast to one controller on `port`. */
async function throughput(port: number, gateway: BenchGateway, blast: Buffer, lastLine: string): Promise<number> {
  const c = await readyClient(port);
  try {
    await until(() => gateway.clientCount === 1, 'exactly one client on the gateway');
    const base = c.count;
    const t0 = performance.now();
    gateway.blast(blast);
    const t1 = await c.untilCount(base + THROUGHPUT_LINES, 60_000);
    await sleep(20);
    if (c.count !== base + THROUGHPUT_LINES || !c.tail.endsWith(`${lastLine}\n`)) {
      throw new Error(`throughput run lost or added lines: ${c.count - base} of ${THROUGHPUT_LINES}`);
    }
    return THROUGHPUT_LINES / ((t1 - t0) / 1000);
  } finally {
    c.close();
  }
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
  const procs: Processes = { daemon: null, socat: null };
  // Should this process die on an uncaught error, its children go with it.
  process.once('exit', () => {
    procs.daemon?.kill('SIGKILL');
    procs.socat?.kill('SIGKILL');
  });
  const gateways: BenchGateway[] = [];
  try {
    // Three gateways, so no path sees another's traffic: one behind MySeal (with the sealed lock),
    // one behind socat, one for controllers that connect directly.
    const gwMyseal = await startBenchGateway({ stateDir: dir, pin: PIN });
    const gwSocat = await startBenchGateway();
    const gwDirect = await startBenchGateway();
    gateways.push(gwMyseal, gwSocat, gwDirect);
    const lock = gwMyseal.lock!;

    const listenPort = await freePort();
    const httpPort = await freePort();
    progress('starting myseal serve');
    procs.daemon = await startDaemonProcess(dir, gwMyseal.port, listenPort, httpPort);
    await until(() => gwMyseal.clientCount === 1, 'myseal serve to connect to its gateway');
    const socatPort = await freePort();
    const socat = await startSocat(socatPort, gwSocat.port);
    procs.socat = socat.child;
    await until(() => gwSocat.clientCount === 0, 'the port probe to leave the socat gateway');

    // ---- throughput ------------------------------------------------------------------------
    const lines = Array.from({ length: THROUGHPUT_LINES }, (_, i) => `${PLAIN_NODE};0;1;0;0;${(i % 1000) / 10}`);
    const blast = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
    const lastLine = lines.at(-1)!;
    const mysealRates: number[] = [];
    const socatRates: number[] = [];
    for (let run = 0; run < THROUGHPUT_RUNS; run++) {
      progress(`throughput run ${run + 1}/${THROUGHPUT_RUNS} (${THROUGHPUT_LINES} lines each way)`);
      mysealRates.push(await throughput(listenPort, gwMyseal, blast, lastLine));
      socatRates.push(await throughput(socatPort, gwSocat, blast, lastLine));
      await until(() => gwSocat.clientCount === 0, 'socat to let go of its gateway');
    }

    // ---- latency -----------------------------------------------------------------------------
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

    // ---- last digit to sealed frame ------------------------------------------------------------
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

    const fsType = statfsSync(dir).type;
    const report = {
      bench: 'proxy',
      gateway:
        'simulated MySensors 2.3.2 core (src/sim SimGateway: sealed lock node 5, plain node 7) behind a minimal TCP front (bench/lib-gateway.ts); ' +
        'throughput lines pre-formatted and written in one blast, answers and sealed results produced by the simulator; one gateway per path',
      daemon: 'myseal serve (src/cli.ts through tsx) in its own process, log level warn, one controller connected',
      relay: socat.command,
      throughput: {
        lines_per_run: THROUGHPUT_LINES,
        runs: THROUGHPUT_RUNS,
        myseal_lines_per_s: Math.round(median(mysealRates)),
        socat_lines_per_s: Math.round(median(socatRates)),
        ratio_myseal_to_socat: round(median(mysealRates) / median(socatRates)),
        myseal_runs: mysealRates.map(Math.round),
        socat_runs: socatRates.map(Math.round),
      },
      latency: {
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
      },
      unlock: {
        unlocks: toFrame.length,
        warmup: UNLOCK_WARMUP,
        not_prefetched: notPrefetched,
        last_digit_to_frame_ms: unlock,
        target_p99_ms: UNLOCK_TARGET_P99_MS,
        target_met: unlock.p99 <= UNLOCK_TARGET_P99_MS,
      },
      environment: {
        node: process.version,
        platform: `${platform()} ${release()}`,
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? 'unknown',
        state_dir_fs: FS_TYPES[fsType] ?? `0x${fsType.toString(16)}`,
        load_avg_1m_at_start: round(loadAtStart, 2),
      },
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    if (procs.daemon) await killProcess(procs.daemon);
    if (procs.socat) await killProcess(procs.socat);
    for (const g of gateways) await g.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  progress(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
