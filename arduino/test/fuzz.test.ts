/**
 * MySeal's CCM open under libFuzzer (clang++ -fsanitize=fuzzer,address,undefined): about ten
 * seconds from the seed corpus, no crash, no sanitizer report. The harness checks properties
 * on every input (see test/fuzz/fuzz_ccm_open.cpp); a later phase points it at frame handling.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../src/test-helpers/require-tool.ts';
import { LIBRARY_SRC, TEST_DIR, WARNINGS, librarySources, run, scratchDir } from '../../bench/avr-toolchain.ts';

const SEEDS = join(TEST_DIR, 'fuzz', 'corpus');

test('libFuzzer on myseal_ccm_open: 10 s from the seed corpus without a finding', (t) => {
  if (!requireTool(t, 'clang++-14')) return;
  const dir = scratchDir('fuzz');
  const exe = join(dir, 'fuzz_ccm_open');
  run('clang++-14', [
    '-std=c++11',
    '-g',
    '-O1',
    '-fsanitize=fuzzer,address,undefined',
    '-fno-sanitize-recover=all',
    ...WARNINGS,
    '-I',
    LIBRARY_SRC,
    join(TEST_DIR, 'fuzz', 'fuzz_ccm_open.cpp'),
    ...librarySources().filter((f) => f.endsWith('.cpp')),
    '-o',
    exe,
  ]);
  assert.ok(readdirSync(SEEDS).length >= 4, 'seed corpus present');

  // New inputs go to a scratch copy; the repository's corpus stays as it is.
  const corpus = join(dir, 'corpus');
  mkdirSync(corpus);
  cpSync(SEEDS, corpus, { recursive: true });
  const r = run(
    exe,
    ['-max_total_time=10', '-runs=500000', '-max_len=300', `-artifact_prefix=${dir}/`, corpus],
    { allowFailure: true, timeoutMs: 45_000 },
  );
  assert.equal(r.status, 0, r.stderr.slice(-4000));
  assert.doesNotMatch(r.stderr, /ERROR: (AddressSanitizer|libFuzzer)|runtime error/);
  const done = /Done (\d+) runs/.exec(r.stderr);
  assert.ok(done, r.stderr.slice(-2000));
  assert.ok(Number(done[1]) > 1000, `only ${done[1]} runs`);
});
