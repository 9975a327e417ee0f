/**
 * MySeal under libFuzzer (clang++ -fsanitize=fuzzer,address,undefined), each for a bounded time
 * from a seed corpus kept in the repository, with no crash and no sanitizer report:
 *   - the node's whole receive path (test/fuzz/fuzz_frames.cpp): arbitrary frames, headers,
 *     timing, resets, against one node; seeded with the golden vectors' frames;
 *   - CCM open (test/fuzz/fuzz_ccm_open.cpp), the primitive under it.
 * The harnesses check properties on every input (see their headers). New inputs go to a scratch
 * copy of the corpus; the repository's stays as it is.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import {
  LIBRARY_SRC,
  REPO_ROOT,
  TEST_DIR,
  WARNINGS,
  hostStubSources,
  librarySources,
  run,
  scratchDir,
  stubIncludes,
} from '../../bench/avr-toolchain.ts';

function fuzz(
  t: TestContext,
  harness: string,
  seeds: string,
  seconds: number,
  minRuns: number,
  extraSeeds: readonly (readonly [string, Uint8Array])[] = [],
): number | null {
  if (!requireTool(t, 'clang++-14')) return null;
  const dir = scratchDir('fuzz');
  const exe = join(dir, harness);
  run('clang++-14', [
    '-std=c++11',
    '-g',
    '-O1',
    '-fsanitize=fuzzer,address,undefined',
    '-fno-sanitize-recover=all',
    ...WARNINGS,
    '-I',
    LIBRARY_SRC,
    ...stubIncludes(true),
    join(TEST_DIR, 'fuzz', `${harness}.cpp`),
    ...librarySources().filter((f) => f.endsWith('.cpp')),
    join(TEST_DIR, 'host', 'node_storage.cpp'),
    ...hostStubSources(),
    '-o',
    exe,
  ]);
  const corpus = join(dir, 'corpus');
  mkdirSync(corpus);
  cpSync(seeds, corpus, { recursive: true });
  for (const [name, bytes] of extraSeeds) writeFileSync(join(corpus, name), bytes);
  const r = run(
    exe,
    [`-max_total_time=${seconds}`, '-runs=2000000', '-max_len=300', `-artifact_prefix=${dir}/`, corpus],
    { allowFailure: true, timeoutMs: (seconds + 40) * 1000 },
  );
  assert.equal(r.status, 0, r.stderr.slice(-4000));
  assert.doesNotMatch(r.stderr, /ERROR: (AddressSanitizer|libFuzzer)|runtime error/);
  const done = /Done (\d+) runs/.exec(r.stderr);
  assert.ok(done, r.stderr.slice(-2000));
  // A floor that shows the fuzzer really ran, far below what a busy machine does in the time.
  const runs = Number(done[1]);
  assert.ok(runs > minRuns, `only ${runs} runs`);
  t.diagnostic(`${harness}: ${runs} runs in ${seconds} s`);
  return runs;
}

/**
 * Every golden vector's frame as a seed of fuzz_frames: settings 0x02 (the vectors' challenge
 * held), then one frame record (action 0, the vector's sender and child, the length, the frame).
 */
function vectorSeeds(): [string, Uint8Array][] {
  const vectors = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'vectors', 'seal-v1.json'), 'utf8')) as {
      vectors: { frame: string; arrival: { sender: number; child: number } }[];
    }
  ).vectors;
  return vectors.map((v, i) => {
    const frame = Buffer.from(v.frame, 'hex');
    return [`vector-${String(i).padStart(2, '0')}`, Uint8Array.from([0x02, 0, v.arrival.sender, v.arrival.child, frame.length, ...frame])];
  });
}

test('libFuzzer on the node receive path: 15 s from the vectors and sealed sequences without a finding', (t) => {
  const seeds = join(TEST_DIR, 'fuzz', 'frames-corpus');
  assert.ok(readdirSync(seeds).length >= 4, 'sealed command sequences present');
  const fromVectors = vectorSeeds();
  assert.ok(fromVectors.length >= 63);
  fuzz(t, 'fuzz_frames', seeds, 15, 2000, fromVectors);
});

test('libFuzzer on myseal_ccm_open: 5 s from the seed corpus without a finding', (t) => {
  const seeds = join(TEST_DIR, 'fuzz', 'corpus');
  assert.ok(readdirSync(seeds).length >= 4, 'seed corpus present');
  fuzz(t, 'fuzz_ccm_open', seeds, 5, 1000);
});
