/**
 * What the kill -9 tests share: a fixture process started on a state dir, SIGKILLed a chosen time
 * after it says "ready" on stderr, and what it had printed on stdout by then (complete lines only).
 *
 * Speed: `node --import tsx` costs ~0.3 s of CPU per start, which for hundreds of restarts would
 * blow the time budget on a small CI machine. So a fixture and the modules it imports are
 * transpiled once (TypeScript's transpileModule: types stripped, nothing else changed) and run by
 * plain node.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { seededRandom } from '../../src/core/seeded-random.ts';
import { ensureStateDir } from '../../src/store/state-dir.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Transpiles `entry` and every relative import it reaches into outRoot, mirroring the repository's
 * layout; returns the path of the entry's copy, to run with plain node.
 */
export function transpileGraph(entry: string, outRoot: string): string {
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
  return join(outRoot, relative(REPO, entry)).replace(/\.ts$/, '.js');
}

/**
 * Runs `node <args>` and SIGKILLs it `delayMs` after it wrote "ready\n" to stderr. Resolves with the
 * complete lines it printed on stdout; rejects if it ended by itself (its stderr says why).
 *
 * A fixture writes each line with one write(2), so a line is never cut; a trailing fragment is
 * left out rather than misread as a shorter line.
 */
export function runUntilKilled(args: readonly string[], env: NodeJS.ProcessEnv, delayMs: number): Promise<string[]> {
  return new Promise((resolvePrinted, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      resolvePrinted(complete === '' ? [] : complete.trimEnd().split('\n'));
    });
  });
}

/** The seed of a randomized crash test: MYSEAL_CRASH_SEED replays one, else a fresh one. */
export function crashSeed(): number {
  const given = process.env.MYSEAL_CRASH_SEED;
  return given !== undefined ? Number(given) : randomInt(2 ** 31);
}

/**
 * Runs `lane` on `lanes` state dirs under root side by side, `kills` split between them. Each lane
 * draws from its own PRNG, seeded from `seed`, so what it does does not depend on how the lanes'
 * runs interleave. Waits for every lane before failing (a lane still running must not see its dir
 * removed by the cleanup), and names the seed in the failure.
 */
export async function runLanes<T>(
  root: string,
  seed: number,
  kills: number,
  lanes: number,
  lane: (stateDir: string, kills: number, random: () => number) => Promise<T>,
): Promise<T[]> {
  const random = seededRandom(seed);
  const count = Math.min(lanes, kills);
  const settled = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      lane(ensureStateDir(join(root, `lane${i}`)), Math.ceil(kills / count), seededRandom(Math.floor(random() * 2 ** 32))),
    ),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    const reason: unknown = failed.reason;
    if (reason instanceof Error) reason.message = `seed ${seed}: ${reason.message}`;
    throw reason;
  }
  return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
