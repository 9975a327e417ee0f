/**
 * What the socket benches (proxy.ts, locks.ts) share: `myseal serve` started in its own process
 * (src/cli.ts through tsx, or the compiled CLI as installed: buildCli()), waiting with a deadline,
 * medians, and the machine the figures were taken on.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from './lib-net.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every few ms; a deadline, so a bench that cannot go on fails instead of hanging. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The `nodes` section of a daemon config. */
export type NodesConfig = Record<number, { children: Record<number, { kind: string; pinLength?: number; policy?: string }> }>;

export interface DaemonPorts {
  gateway: number;
  listen: number;
  http: number;
}

/** MYSEAL_BENCH_TSX=1: the daemon runs src/cli.ts through tsx instead of the build users run. */
export const THROUGH_TSX = process.env.MYSEAL_BENCH_TSX === '1';

/** What a report says the daemon was. */
export function daemonKind(built: BuiltCli | undefined): string {
  return `myseal serve (${built ? 'dist/cli.js compiled by tsc -p tsconfig.build.json' : 'src/cli.ts through tsx'})`;
}

/** The CLI compiled by the project's build, laid out as the installed package; remove() when done. */
export interface BuiltCli {
  /** dist/cli.js of the build. */
  cli: string;
  remove(): void;
}

/**
 * Compiles the CLI with the project's build config (`npm run build`'s tsc) into a fresh temporary
 * directory laid out as npm installs the package (dist/, web/, arduino/ with the node's WebAssembly,
 * package.json, node_modules): the JavaScript users run, without tsx's loader and the wrappers it
 * adds to every function. A stale or missing dist/ in the worktree plays no part. `root`: another
 * tree of the project (an earlier commit, extracted), built alike with this one's node_modules.
 */
export async function buildCli(root = ROOT): Promise<BuiltCli> {
  const pkg = mkdtempSync(join(tmpdir(), 'myseal-bench-build-'));
  const remove = (): void => rmSync(pkg, { recursive: true, force: true });
  try {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { code, out } = await runToEnd([tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], root);
    const cli = join(pkg, 'dist', 'cli.js');
    if (code !== 0 || !existsSync(cli)) throw new Error(`the build failed (tsc exited with ${code}):\n${out.slice(-4000)}`);
    copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(root, 'web'), join(pkg, 'web'));
    // dist/node/wasm-node.js loads ../../arduino/wasm/myseal-node.wasm (an earlier tree may have none).
    if (existsSync(join(root, 'arduino'))) symlinkSync(join(root, 'arduino'), join(pkg, 'arduino'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    return { cli, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** Runs node with `args` in `cwd` to its end: its exit code and everything it wrote (stdout and stderr). */
export async function runToEnd(args: readonly string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, out };
}

/**
 * Starts `myseal serve` on a config written into `dir` (also its state dir), and resolves once it
 * says controllers may connect. The PIN rate limit is at its maximum: benches submit hundreds of
 * correct PINs a minute. `cli`: a compiled dist/cli.js (buildCli()) to run instead of src/cli.ts
 * through tsx.
 */
export async function startDaemonProcess(dir: string, ports: DaemonPorts, nodes: NodesConfig, cli?: string): Promise<ChildProcess> {
  const config = join(dir, 'config.yaml');
  // JSON is YAML.
  writeFileSync(
    config,
    JSON.stringify({
      gateway: `tcp://127.0.0.1:${ports.gateway}`,
      listen: `127.0.0.1:${ports.listen}`,
      http: { listen: `127.0.0.1:${ports.http}`, rateLimitPerMinute: 600 },
      stateDir: dir,
      nodes,
      log: { level: 'warn' },
    }),
  );
  // MYSEAL_BENCH_CPU_PROF=<dir>: the daemon writes a CPU profile there when it ends.
  const profile = process.env.MYSEAL_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MYSEAL_BENCH_CPU_PROF}`] : [];
  // MYSEAL_BENCH_DAEMON_FLAGS="--trace-gc ...": more Node.js flags for the daemon alone (the bench's
  // own process and its build do not get them, as they would with NODE_OPTIONS), to look into it.
  const flags = process.env.MYSEAL_BENCH_DAEMON_FLAGS?.split(' ').filter((f) => f !== '') ?? [];
  const entry = cli === undefined ? ['--import', 'tsx', 'src/cli.ts'] : [cli];
  const child = spawn(process.execPath, [...profile, ...flags, ...entry, 'serve', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  // MYSEAL_BENCH_DAEMON_OUT=<file>: the daemon's output (what those flags print) is copied there.
  const copy = process.env.MYSEAL_BENCH_DAEMON_OUT;
  if (copy) child.stdout?.on('data', (d: Buffer) => appendFileSync(copy, d));
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  await until(() => out.includes('myseal serve: controllers connect to') || child.exitCode !== null, 'myseal serve to start', 30_000);
  if (child.exitCode !== null) throw new Error(`myseal serve exited with ${child.exitCode}:\n${err}`);
  return child;
}

const FS_TYPES: Record<number, string> = { 0x01021994: 'tmpfs', 0xef53: 'ext2/3/4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };

/** Where the figures come from; `loadAtStart` because other work on the machine shows in the tails. */
export function environment(stateDir: string, loadAtStart: number): Record<string, string | number> {
  const fsType = statfsSync(stateDir).type;
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    state_dir_fs: FS_TYPES[fsType] ?? `0x${fsType.toString(16)}`,
    load_avg_1m_at_start: round(loadAtStart, 2),
  };
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0]!;
}

/** CPU time a thread ran, and time it was ready to run but waited for a CPU (Linux's schedstat), in ms. */
export interface ThreadTimes {
  cpuMs: number;
  runQueueMs: number;
}

/**
 * The main thread's times of a process (its event loop, where the daemon's work happens), or null
 * where the kernel does not tell (not Linux). The wait shows a busy machine: a figure that grew
 * while the CPU time did not was the machine's doing, not the daemon's.
 */
export function mainThreadTimes(pid: number): ThreadTimes | null {
  try {
    const [cpuNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'latin1').trim().split(' ').map(Number);
    if (!Number.isFinite(cpuNs) || !Number.isFinite(waitNs)) return null;
    return { cpuMs: cpuNs! / 1e6, runQueueMs: waitNs! / 1e6 };
  } catch {
    return null;
  }
}
