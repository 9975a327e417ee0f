/**
 * How fast the built `myseal` command starts, against a bare `node -e ''` of the same run:
 *
 *   npm run build && npm run bench:cli
 *
 * `myseal digit` runs once per key press (Domoticz runs it synchronously), so it and every --help
 * must start in at most 1.5 times what Node.js itself takes. Measured on dist/ (what `npm start` and
 * the installed package run), which this bench does not build. Each round runs every command once,
 * one after another (interleaved, so a busy moment of the machine falls on all of them alike):
 *
 *   node -e ''
 *   node dist/cli.js digit --help
 *   node dist/cli.js status --help
 *   node dist/cli.js digit 4 --node 5 --http 127.0.0.1:PORT
 *
 * The last one talks to a stub of the daemon's GET /digit on loopback in this process, which answers
 * as the daemon does for a digit that does not complete a PIN. The commands run with empty
 * XDG_CONFIG_HOME and XDG_STATE_HOME directories and no MYSEAL_ variables, so no configuration of
 * this machine is read. Progress goes to stderr; the last line of stdout is one JSON object.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from './lib-net.ts';

const ROUNDS = 20;
/** Rounds run first and not counted: the first runs read the files from disk, not the page cache. */
const WARMUP_ROUNDS = 2;
const LIMIT = 1.5;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

function progress(message: string): void {
  process.stderr.write(`bench:cli: ${message}\n`);
}

interface Ran {
  ms: number;
  code: number | null;
  stderr: string;
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ ms: performance.now() - started, code, stderr }));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first (this bench measures the built CLI and builds nothing itself)`);
  }

  // The daemon's answer to a digit that does not complete a PIN (api-server.ts, GET /digit).
  let digitsTaken = 0;
  const stub = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const ok = req.method === 'GET' && url.pathname === '/digit' && url.searchParams.get('node') === '5' && url.searchParams.get('d') === '4';
    if (ok) digitsTaken++;
    res.writeHead(ok ? 202 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { state: 'buffered', count: 1 } : { error: 'NOT_FOUND', message: 'no such resource' }));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const port = (stub.address() as AddressInfo).port;

  const home = mkdtempSync(join(tmpdir(), 'myseal-bench-cli-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYSEAL_')));
  env.XDG_CONFIG_HOME = join(home, 'config');
  env.XDG_STATE_HOME = join(home, 'state');

  const commands: Record<string, string[]> = {
    nodeEmpty: ['-e', ''],
    digitHelp: [CLI, 'digit', '--help'],
    statusHelp: [CLI, 'status', '--help'],
    digit: [CLI, 'digit', '4', '--node', '5', '--http', `127.0.0.1:${port}`],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  const loadAtStart = loadavg()[0]!;
  try {
    for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
      for (const [name, args] of Object.entries(commands)) {
        const ran = await runNode(args, env);
        if (ran.code !== 0) throw new Error(`${name} exited with ${ran.code}: ${ran.stderr.trim()}`);
        if (r >= WARMUP_ROUNDS) times[name]!.push(ran.ms);
      }
      if (r + 1 === WARMUP_ROUNDS) progress(`warmed up; ${ROUNDS} rounds`);
    }
  } finally {
    stub.close();
    rmSync(home, { recursive: true, force: true });
  }
  if (digitsTaken !== WARMUP_ROUNDS + ROUNDS) throw new Error(`the stub daemon took ${digitsTaken} digits, not ${WARMUP_ROUNDS + ROUNDS}`);

  const medianMs = Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, round(median(ms), 1)]));
  const base = median(times.nodeEmpty!);
  const measured = Object.keys(commands).filter((name) => name !== 'nodeEmpty');
  const ratio = Object.fromEntries(measured.map((name) => [name, round(median(times[name]!) / base, 2)]));
  const withinLimit = Object.fromEntries(measured.map((name) => [name, median(times[name]!) / base <= LIMIT]));
  const result = {
    bench: 'cli-start',
    rounds: ROUNDS,
    node: process.version,
    loadAtStart: round(loadAtStart, 2),
    medianMs,
    ratioToNodeEmpty: ratio,
    limit: LIMIT,
    withinLimit,
    allWithinLimit: Object.values(withinLimit).every(Boolean),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:cli: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
