/**
 * The package as npm packs it, made from this worktree without touching it: the CLI compiled by the
 * project's own build config into a fresh directory, laid out with package.json and the folders its
 * "files" names, then `npm pack`ed there. A stale or missing dist/ in the worktree can neither make
 * a test of the package pass nor make it fail.
 */
import { copyFileSync, cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode, runProgram } from './run-node.ts';
import type { Ran } from './run-node.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** package.json's build script, which these stand in for (a test checks that they still agree). */
export const BUILD_SCRIPT = 'tsc -p tsconfig.build.json';

/** Compiles src/ into `pkg`/dist the way the build script does. */
export function buildInto(pkg: string): Promise<Ran> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return runNode([tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: ROOT });
}

/**
 * Beside a build: package.json and the web page, enough for the CLI to run there; with `packed`,
 * also docs/ and arduino/ (copies, not links: npm pack lists what is really there), and with
 * `dependencies`, the worktree's node_modules linked in.
 */
export function layOut(pkg: string, options: { packed?: boolean; dependencies?: boolean } = {}): void {
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(ROOT, 'web'), join(pkg, 'web'), { recursive: true });
  if (options.packed === true) {
    // Local build output of the Arduino tests may lie under arduino/; it is not the package's.
    for (const dir of ['docs', 'arduino']) cpSync(join(ROOT, dir), join(pkg, dir), { recursive: true, filter: (src) => !src.includes('/build/') });
  } else {
    // What the build needs of arduino/: the node library's WebAssembly build (dist/node/wasm-node.js).
    mkdirSync(join(pkg, 'arduino', 'wasm'), { recursive: true });
    copyFileSync(join(ROOT, 'arduino', 'wasm', 'myseal-node.wasm'), join(pkg, 'arduino', 'wasm', 'myseal-node.wasm'));
  }
  if (options.dependencies === true) symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
}

/**
 * The environment for an npm run by a test: the system's npm, as a user runs it. Without the npm_*
 * variables that `npm test` itself sets, which an npm started inside it would read as its own
 * configuration, and without node_modules/.bin on PATH, where `npm test` puts this project's
 * dependencies' commands first: among them the older npm that node-red depends on, whose `pack`
 * runs the build hook despite --ignore-scripts.
 */
export function npmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
  out.PATH = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.split(sep).includes('node_modules'))
    .join(delimiter);
  return out;
}

export interface Packed {
  /** The paths in the package, as npm lists them. */
  files: string[];
  /** The tarball's path (undefined for a dry run). */
  tarball: string | undefined;
}

/**
 * `npm pack` in `pkg`, into `destination` (or a dry run without one). Scripts are not run: the
 * build was made above, and the package.json packed is the published one, build hook included.
 */
export async function npmPack(pkg: string, destination?: string): Promise<Packed> {
  const args = ['pack', '--json', '--ignore-scripts', ...(destination === undefined ? ['--dry-run'] : ['--pack-destination', destination])];
  const npm = await runProgram('npm', args, { cwd: pkg, env: npmEnv() });
  if (npm.code !== 0) throw new Error(`npm pack failed (${npm.code}): ${npm.stderr}`);
  const [result] = JSON.parse(npm.stdout) as { filename: string; files: { path: string }[] }[];
  return { files: result!.files.map((f) => f.path), tarball: destination === undefined ? undefined : join(destination, result!.filename) };
}
