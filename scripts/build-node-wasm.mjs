#!/usr/bin/env node
/**
 * Builds the node library's core (arduino/MySeal/src) and its WebAssembly board (arduino/wasm) into
 * arduino/wasm/myseal-node.wasm with Debian's clang and lld: freestanding, no C library, nothing but
 * the library's own code. The result is committed so `npm ci && npm start` needs no C toolchain;
 * a test rebuilds it and fails when the committed file differs (the build is deterministic: sources
 * in a fixed order, no debug information, custom sections stripped).
 *
 *   node scripts/build-node-wasm.mjs [--out FILE] [--with SOURCE]
 *
 * --with adds a source (a test's hooks into the node's state: arduino/test/wasm) to a build that
 * is not the committed one.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const library = join(root, 'arduino/MySeal/src');
const board = join(root, 'arduino/wasm');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(board, 'myseal-node.wasm');
const withIndex = process.argv.indexOf('--with');
const extra = withIndex > 0 ? [resolve(process.argv[withIndex + 1])] : [];
if (extra.length > 0 && outIndex < 0) throw new Error('--with builds a test module: give --out too');

// The library as every other target builds it (C++11, warning-free), for a 32-bit WebAssembly
// machine with no operating system; the AVR assembly stays out (its C twin is in the sources).
const compile = [
  '--target=wasm32', '-std=c++11', '-O2', '-ffreestanding', '-nostdlib', '-fno-exceptions',
  '-fno-rtti', '-fno-threadsafe-statics', '-Wall', '-Wextra', '-Werror',
  '-I', join(board, 'include'), '-I', library,
];
// One 64 KiB page: the node's RAM (its state is a few hundred bytes; 8 KiB of stack).
const link = ['--no-entry', '--strip-all', '--gc-sections', '-z', 'stack-size=8192', '--initial-memory=65536', '--max-memory=65536'];

const sources = [
  ...readdirSync(library).filter((f) => f.endsWith('.cpp')).sort().map((f) => join(library, f)),
  join(board, 'myseal_wasm.cpp'),
  ...extra,
];
const work = mkdtempSync(join(tmpdir(), 'myseal-wasm-'));
try {
  const objects = sources.map((source, i) => {
    const object = join(work, `${i}.o`);
    execFileSync(process.env.CLANG ?? 'clang++', [...compile, '-c', source, '-o', object], { stdio: 'inherit' });
    return object;
  });
  execFileSync(process.env.WASM_LD ?? 'wasm-ld', [...link, '-o', out, ...objects], { stdio: 'inherit' });
  chmodSync(out, 0o644);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${out}\n`);
