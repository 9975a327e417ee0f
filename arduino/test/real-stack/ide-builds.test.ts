/**
 * Every example of the library, built as a user's Arduino IDE builds it (arduino-builder: the .ino
 * made C++ with Arduino.h and prototypes, the IDE's flags from ArduinoCore-avr 1.8.6's platform.txt
 * and boards.txt, LTO, warnings at "All"), for a Pro Mini at 8 and at 16 MHz,
 * against the real MySensors 2.3.2 and its development branch, with the real Servo: each build
 * must succeed and fit the board, and no warning may name a file of MySeal's (the library or the
 * example). Warnings from MySensors, Servo or the core are reported, not failed.
 *
 * The third-party trees come from arduino/test/third-party.ts (MYSEAL_MYSENSORS_DIR,
 * MYSEAL_MYSENSORS_DEV_DIR, MYSEAL_ARDUINO_AVR_CORE_DIR, MYSEAL_SERVO_DIR, or shared/ beside the
 * clone). One workspace per MySensors tree: its core is built once per clock and reused.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { test } from 'node:test';

import { requireTool } from '../../../test/support/require-tool.ts';
import { scratchDir } from '../../../bench/avr-toolchain.ts';
import {
  MYSEAL_LIBRARY_DIR,
  PRO_MINI_CLOCKS,
  ideBuild,
  ideWorkspace,
  mysealExamples,
  writeExample,
} from '../../../bench/arduino-ide.ts';
import type { IdeBuild, IdeWorkspace } from '../../../bench/arduino-ide.ts';
import { requireThirdParty } from '../third-party.ts';
import type { ThirdPartyTree } from '../third-party.ts';

/** boards.txt: pro.menu.cpu.{8,16}MHzatmega328.upload.maximum_size / maximum_data_size. */
const PRO_MINI_FLASH = 30720;
const PRO_MINI_RAM = 2048;

const TOOLS = ['arduino-builder', 'arduino-ctags', 'avr-g++', 'avr-size'];

function ready(t: TestContext, mysensors: ThirdPartyTree): IdeWorkspace | undefined {
  if (!requireTool(t, ...TOOLS)) return undefined;
  const trees = requireThirdParty(t, mysensors, 'arduinoAvrCore', 'servo');
  if (!trees) return undefined;
  return ideWorkspace({ core: trees.arduinoAvrCore, mysensors: trees[mysensors], servo: trees.servo }, `ide-${mysensors}`);
}

function failure(build: IdeBuild): string {
  const lines = build.output.split('\n');
  const errors = lines.filter((l) => /error/i.test(l));
  return (errors.length > 0 ? errors : lines).slice(-40).join('\n');
}

const workspaces = new Map<ThirdPartyTree, IdeWorkspace>();

for (const mysensors of ['mysensors', 'mysensorsDev'] as const) {
  for (const clock of PRO_MINI_CLOCKS) {
    for (const example of mysealExamples()) {
      test(`${example.name} builds in the IDE's steps for a Pro Mini at ${clock} against ${mysensors === 'mysensors' ? 'MySensors 2.3.2' : "MySensors' development branch"}, no warning from MySeal's code`, (t) => {
        const ws = workspaces.get(mysensors) ?? ready(t, mysensors);
        if (!ws) return;
        workspaces.set(mysensors, ws);
        const ino = writeExample(example, scratchDir(`sketch-${example.name}`));
        const build = ideBuild(ws, ino, clock, { sketchIsMySeal: true });
        assert.ok(build.ok, `the build failed:\n${failure(build)}`);

        // The sketch went through the IDE's preprocessing: Arduino.h first, prototypes (ctags).
        const unit = readFileSync(join(build.buildDir, 'sketch', `${example.name}.ino.cpp`), 'utf8');
        assert.match(unit, /^#include <Arduino\.h>\n#line 1 /);
        assert.match(unit, /^#line \d+ .*\nvoid loop\(\);$/m);

        // The IDE's "All" level reached every C++ file of the library (with -w, the default, no
        // warning would show and this test would pass on anything).
        const cpp = build.mysealCompiles.filter((l) => /\.(cpp|c)"/.test(l));
        assert.ok(cpp.length > 0, 'the library was compiled');
        for (const line of cpp) {
          assert.match(line, / -Wall -Wextra /);
          assert.doesNotMatch(line, / -w /);
          assert.match(line, / -flto /);
        }

        const ours = build.warnings.filter((w) => w.owner === 'MySeal');
        assert.deepEqual(ours.map((w) => w.text), [], "warnings from MySeal's code");
        assert.ok(build.flash <= PRO_MINI_FLASH, `${build.flash} bytes of flash: more than a Pro Mini holds`);
        assert.ok(build.ram <= PRO_MINI_RAM, `${build.ram} bytes of static RAM: more than a Pro Mini has`);
        for (const w of build.warnings) t.diagnostic(`${w.owner} warning (not ours, reported): ${w.text}`);
        t.diagnostic(`${example.name} ${clock} ${mysensors}: ${build.flash} bytes flash, ${build.ram} bytes RAM`);
      });
    }
  }
}

test("a warning in MySeal's library or in an example's sketch fails the check (the check can see it)", (t) => {
  if (!requireTool(t, ...TOOLS)) return;
  const trees = requireThirdParty(t, 'mysensors', 'arduinoAvrCore', 'servo');
  if (!trees) return;
  // A copy of the library with an unused parameter in one of its C++ files (whichever is first).
  const library = join(scratchDir('myseal-with-warning'), 'MySeal');
  cpSync(MYSEAL_LIBRARY_DIR, library, { recursive: true });
  const cpp = readdirSync(join(library, 'src')).filter((f) => f.endsWith('.cpp')).sort()[0];
  assert.ok(cpp, 'the library has C++ files');
  appendFileSync(join(library, 'src', cpp), '\nint myseal_test_unused_parameter(int unused) { return 0; }\n');
  const ws = ideWorkspace({ core: trees.arduinoAvrCore, mysensors: trees.mysensors, servo: trees.servo, myseal: library }, 'ide-warning');
  const example = mysealExamples()[0];
  assert.ok(example, 'the library has examples');
  const ino = writeExample(example, scratchDir('sketch-warning'), (s) => `${s}\nvoid mysealTestUnusedParameter(int unused) {}\n`);
  const build = ideBuild(ws, ino, '16MHz', { sketchIsMySeal: true });
  assert.ok(build.ok, `the build failed:\n${failure(build)}`);
  const ours = build.warnings.filter((w) => w.owner === 'MySeal' && /unused parameter/.test(w.text));
  assert.ok(ours.some((w) => w.file.endsWith(join('src', cpp))), `the library's warning is MySeal's: ${JSON.stringify(build.warnings)}`);
  assert.ok(ours.some((w) => w.file.endsWith(`${example.name}.ino`)), `the sketch's warning is MySeal's: ${JSON.stringify(build.warnings)}`);
});
