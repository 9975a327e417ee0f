/**
 * MySeal's library on a Cortex-M: every C++ file of the library and a lock node's sketch that
 * includes MySeal.h after the real MySensors headers of an ARM architecture (STM32F1 on a
 * Cortex-M3, SAMD on a Cortex-M0+), compiled with Debian's arm-none-eabi-gcc, -std=gnu++11 -Wall
 * -Wextra, against MySensors 2.3.2 and its development branch (bench/cortex-m.ts). Each build must
 * compile and link the node image, with no warning from MySeal's code or the test's own files;
 * warnings in MySensors' headers are reported. The sizes are reported here and by the bench.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { requireTool } from '../../../test/support/require-tool.ts';
import { LIBRARY_SRC, scratchDir } from '../../../bench/avr-toolchain.ts';
import { CORTEX_M_TARGETS, CORTEX_M_TOOLS, buildCortexM } from '../../../bench/cortex-m.ts';
import type { CortexMBuild } from '../../../bench/cortex-m.ts';
import { THIRD_PARTY_TREES, requireThirdParty } from '../third-party.ts';

function errors(build: CortexMBuild): string {
  return build.output
    .split('\n')
    .filter((l) => /error|undefined reference/.test(l))
    .slice(0, 30)
    .join('\n');
}

for (const mysensors of ['mysensors', 'mysensorsDev'] as const) {
  for (const target of CORTEX_M_TARGETS) {
    test(`the library builds for ${target.arch} (${target.cpu}) with ${THIRD_PARTY_TREES[mysensors].title}'s hardware layer, no warning from MySeal's code`, (t) => {
      if (!requireTool(t, ...CORTEX_M_TOOLS)) return;
      const trees = requireThirdParty(t, mysensors);
      if (!trees) return;
      const build = buildCortexM(target, trees[mysensors]);
      const ours = build.warnings.filter((w) => w.owner === 'MySeal' || w.owner === 'test');
      assert.deepEqual(ours.map((w) => w.text), [], "warnings from MySeal's code or the test's");
      assert.ok(build.ok, `the build failed:\n${errors(build)}`);
      assert.ok(build.image && build.image.flash_bytes > 0, 'the node image links');
      for (const w of build.warnings) t.diagnostic(`${w.owner} warning (not ours, reported): ${w.text}`);
      t.diagnostic(
        `${target.arch}: library objects ${build.library.flash_bytes} bytes flash, ${build.library.ram_bytes} RAM; ` +
          `lock node image ${build.image.flash_bytes} bytes flash, ${build.image.ram_bytes} RAM`,
      );
    });
  }
}

test("a warning in the library's code is seen by the Cortex-M check", (t) => {
  if (!requireTool(t, ...CORTEX_M_TOOLS)) return;
  const trees = requireThirdParty(t, 'mysensors');
  if (!trees) return;
  const library = join(scratchDir('cortex-m-warning'), 'src');
  cpSync(LIBRARY_SRC, library, { recursive: true });
  const cpp = readdirSync(library).filter((f) => f.endsWith('.cpp')).sort()[0];
  assert.ok(cpp, 'the library has C++ files');
  appendFileSync(join(library, cpp), '\nint myseal_test_unused_parameter(int unused) { return 0; }\n');
  const target = CORTEX_M_TARGETS[0];
  assert.ok(target);
  const build = buildCortexM(target, trees.mysensors, library);
  assert.ok(
    build.warnings.some((w) => w.owner === 'MySeal' && w.file.endsWith(cpp) && /unused parameter/.test(w.text)),
    `the warning is MySeal's: ${JSON.stringify(build.warnings)}`,
  );
});
