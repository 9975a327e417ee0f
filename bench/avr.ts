/**
 * MySeal on a MySensors node, measured on the real stack.
 *
 *   npm run bench:avr
 *
 * Prints one JSON object on stdout, on its last line (progress goes to stderr).
 *
 * Flash and RAM: each example (arduino/MySeal/examples) built as the Arduino IDE builds it
 * (bench/arduino-ide.ts: Debian's arduino-builder, ArduinoCore-avr 1.8.6, a Pro Mini at 16 MHz,
 * -Os -flto, --gc-sections) against the real MySensors 2.3.2 and Servo 1.3.0, minus its plain twin
 * (bench/fixtures: the same node without MySeal); MySensors' soft signing and RF24 encryption
 * added to the same plain lock in the same run, for comparison (bench/avr-real-stack.ts). The
 * trees come from arduino/test/third-party.ts (MYSEAL_MYSENSORS_DIR and the others, or shared/
 * beside the clone). avr-size figures are exact for a given toolchain and source: one build each.
 *
 * Stack and cycles, as before: the node's receive path and the primitives in simavr at 16 MHz
 * (arduino/test/avr/node_bench.cpp, bench_main.cpp, between the simulator's section marks);
 * cycle counts are exact and repeatable, stack is the deepest the stack pointer went below its
 * value at the call.
 *
 * A Cortex-M build of the library (bench/cortex-m.ts) adds its sizes for ARM.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

import { THIRD_PARTY_TREES, thirdPartyDirs } from '../arduino/test/third-party.ts';
import { builderVersion } from './arduino-ide.ts';
import { LIBRARY_SRC, SIMAVR_HEADER, TEST_DIR, addedSymbols, avrSize, buildFirmware, hasAllTools, scratchDir, simulate, toolVersion } from './avr-toolchain.ts';
import type { Section } from './avr-toolchain.ts';
import { exampleCosts, libraryObjectSizes, mysensorsSecurityCosts } from './avr-real-stack.ts';
import type { ExampleCost } from './avr-real-stack.ts';
import { CORTEX_M_TARGETS, CORTEX_M_TOOLS, buildCortexM } from './cortex-m.ts';

/** What the issue requires of MySeal on the Pro Mini, and what it aims at. */
const REQUIRED = { ram_bytes: 96, stack_bytes: 128, open_cycles: 24_000 };
const GOALS = { secure_lock_flash_bytes: 3_300, secure_door_contact_flash_bytes: 2_000, open_cycles: 12_000 };

const DEFINITIONS = {
  examples_without_twin: 'examples with no plain twin in bench/fixtures yet (Plain<X> for Secure<X>): their whole sketch only',
  examples:
    'each example of arduino/MySeal/examples built as the Arduino IDE builds it (arduino-builder, ArduinoCore-avr 1.8.6 pro:cpu=16MHzatmega328, MySensors 2.3.2, Servo 1.3.0) against its plain twin in bench/fixtures (the same node, radio, pins and behaviour without MySeal): flash_bytes = (text + data) added, ram_bytes = (data + bss) added; sketch and plain are the two whole builds',
  breakdown:
    'bytes by symbol of the LTO-linked ELFs (avr-nm -S, names demangled, LTO clone numbers dropped): what the example has that its twin lacks, and how much functions both have grew (negative: shrank or gone); largest first',
  flash_bytes: "examples.SecureLock.flash_bytes: what MySeal adds to a plain lock",
  ram_bytes: 'examples.SecureLock.ram_bytes',
  library_objects:
    "flash (text + data) of each source file of arduino/MySeal/src compiled alone for the ATmega328P without LTO: where the bytes are file by file, before LTO inlines most of them into a few functions (breakdown) and --gc-sections drops what a sketch does not call",
  mysensors_security: 'MySensors 2.3.2 soft signing and RF24 encryption, each added to the plain lock (PlainLock) by #defines at the top of the sketch, built the same way in the same run: what each adds over the plain lock',
  mysensors_development: "the examples' flash and RAM over their twins against MySensors' development branch, built the same way",
  stack_bytes: 'peak stack while a largest command frame (25 bytes) is opened: the receive path up to the tag and freshness checks, from its caller (simavr, arduino/test/avr/node_bench.cpp section 10)',
  open_cycles:
    'open = verify + decrypt of a largest command frame (25 bytes, 12-byte body): length, header, counter, nonce, CCM (4 AES blocks), the freshness check; the counter persist that follows is an EEPROM write (3.4 ms a byte on the chip), counted in node.receive_set_cycles by simavr without that delay',
  seal_cycles: 'sealing a result of 11 bytes (LOCK_STATUS): nonce and CCM (4 AES blocks)',
  wear: 'hot EEPROM records per unlock counted on the chip over its unlocks (GET_CHALLENGE, UNLOCK, auto-relock); a record touches each cell of its slot at most once',
  primitives:
    'AES-128 and CCM alone on the chip (arduino/test/avr/bench_main.cpp, size_probe.cpp): as the library builds them on AVR, and in_c: their portable C twins, built with the switch the library names (null when it has none)',
  cortex_m:
    "the library for a Cortex-M with arm-none-eabi-gcc against MySensors 2.3.2's hardware-layer headers (bench/cortex-m.ts): library = every object of arduino/MySeal/src (text + data; data + bss), node_image = a lock node's sketch linked with --gc-sections from its entry points, MySensors and the core left out",
  required: 'SecureLock adds less flash than soft signing (same run); every example adds at most 96 bytes of RAM; stack at most 128 bytes; open at most 24 000 cycles',
  goals: 'SecureLock adds at most 3 300 bytes, SecureDoorContact at most 2 000; open at most 12 000 cycles',
};

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
type Report = Record<string, Json>;

const AVR_IO = join(TEST_DIR, 'avr', 'avr_io.cpp');
const BENCH_MAIN = join(TEST_DIR, 'avr', 'bench_main.cpp');
const SIZE_PROBE = join(TEST_DIR, 'avr', 'size_probe.cpp');
const NODE_BENCH = join(TEST_DIR, 'avr', 'node_bench.cpp');
const STUBS = join(TEST_DIR, 'stubs');
const STUB_SOURCES = [join(STUBS, 'Arduino.cpp'), join(STUBS, 'MySensorsCore.cpp'), join(STUBS, 'core', 'MyMessage.cpp')];

/**
 * The library's switch from its AVR assembly primitives to their portable C twins (a
 * `!defined(MYSEAL_..._C)` in a header of src/), for the primitives' comparison; null without one.
 */
function cTwinSwitch(): string | null {
  for (const file of readdirSync(LIBRARY_SRC).filter((f) => f.endsWith('.h')).sort()) {
    const m = /!defined\((MYSEAL_[A-Z0-9_]*_C)\)/.exec(readFileSync(join(LIBRARY_SRC, file), 'utf8'));
    if (m?.[1]) return m[1];
  }
  return null;
}

/** Bench firmware section numbers (test/avr/bench_main.cpp). */
const SECTION = { aes: 1, open: 2, seal: 3, openForged: 4, compare8: 5, empty: 127 };
/** Node bench firmware section numbers (test/avr/node_bench.cpp). */
const NODE_SECTION = { open: 10, forged: 11, seal: 12, receive: 13, handle: 14, challenge: 15, unlock: 16, empty: 127 };

/** The endurance a datasheet gives an ATmega328P EEPROM cell, and a busy door. */
const CELL_ENDURANCE = 100_000;
const UNLOCKS_PER_DAY = 50;

function progress(line: string): void {
  process.stderr.write(`bench:avr: ${line}\n`);
}

function sectionOf(sections: Map<number, Section>, id: number): Section {
  const s = sections.get(id);
  if (!s) throw new Error(`bench firmware did not report section ${id}`);
  return s;
}

/** The hot ring's slot count, from the library's own header (myseal_store.h). */
function hotSlots(): number | null {
  const header = join(LIBRARY_SRC, 'myseal_store.h');
  if (!existsSync(header)) return null;
  const m = /^#define MYSEAL_HOT_SLOTS (\d+)/m.exec(readFileSync(header, 'utf8'));
  return m ? Number(m[1]) : null;
}

/** Runs the primitives' bench firmware; cycles exclude the marks' own cost (the empty section). */
function primitives(defines: string[]): Report {
  const elf = buildFirmware({ name: 'bench', sources: [AVR_IO, BENCH_MAIN], defines, lto: true });
  const r = simulate(elf);
  if (r.status !== 0 || !/^bench ok$/m.test(r.stdout)) {
    throw new Error(`bench firmware failed (${r.status}): ${r.stdout}${r.stderr}`);
  }
  const overhead = sectionOf(r.sections, SECTION.empty).cycles;
  const cycles = (id: number): number => sectionOf(r.sections, id).cycles - overhead;
  return {
    aes_block_cycles: cycles(SECTION.aes),
    ccm_open_cycles: cycles(SECTION.open),
    ccm_seal_cycles: cycles(SECTION.seal),
    ccm_open_forged_cycles: cycles(SECTION.openForged),
    ct_equal_8_cycles: cycles(SECTION.compare8),
    stack_bytes: sectionOf(r.sections, SECTION.open).stack,
    stack_bytes_seal: sectionOf(r.sections, SECTION.seal).stack,
    stack_bytes_aes: sectionOf(r.sections, SECTION.aes).stack,
    section_mark_cycles: overhead,
  };
}

/** Flash and static RAM AES and CCM alone add to a minimal firmware (test/avr/size_probe.cpp). */
function primitivesFootprint(defines: string[]): Report {
  const dir = scratchDir('probe');
  const build = (withMySeal: boolean): string =>
    buildFirmware({
      name: withMySeal ? 'probe-with' : 'probe-without',
      sources: [SIZE_PROBE],
      defines: [...defines, `MYSEAL_PROBE_WITH=${withMySeal ? 1 : 0}`],
      lto: true,
      withoutLibrary: !withMySeal,
      outDir: dir,
    });
  const withElf = build(true);
  const withoutElf = build(false);
  const a = avrSize(withElf);
  const b = avrSize(withoutElf);
  return {
    flash_bytes: a.text + a.data - (b.text + b.data),
    ram_bytes: a.data + a.bss - (b.data + b.bss),
    flash_breakdown: addedSymbols(withElf, withoutElf),
  };
}

/** The node's receive path on the chip, and the EEPROM records an unlock writes. */
function nodeCycles(): Report {
  const elf = buildFirmware({ name: 'node-bench', sources: [AVR_IO, NODE_BENCH, ...STUB_SOURCES], includes: [STUBS, join(TEST_DIR, 'avr')], lto: true });
  const r = simulate(elf, { timeoutMs: 120_000 });
  if (r.status !== 0 || !/^bench ok$/m.test(r.stdout)) {
    throw new Error(`node bench firmware failed (${r.status}): ${r.stdout}${r.stderr}`);
  }
  const overhead = sectionOf(r.sections, NODE_SECTION.empty).cycles;
  const cycles = (id: number): number => sectionOf(r.sections, id).cycles - overhead;
  const stack = (id: number): number => sectionOf(r.sections, id).stack;
  const wear = /^eeprom records (\d+) unlocks (\d+)$/m.exec(r.stdout);
  if (!wear) throw new Error(`node bench firmware: no wear line in ${r.stdout}`);
  const recordsPerUnlock = Number(wear[1]) / Number(wear[2]);
  const slots = hotSlots();
  const cellWritesPerUnlock = slots === null ? null : recordsPerUnlock / slots;
  const years = cellWritesPerUnlock === null ? null : CELL_ENDURANCE / (cellWritesPerUnlock * UNLOCKS_PER_DAY * 365.25);
  return {
    open_cycles: cycles(NODE_SECTION.open),
    seal_cycles: cycles(NODE_SECTION.seal),
    stack_bytes: stack(NODE_SECTION.open),
    node: {
      open_forged_cycles: cycles(NODE_SECTION.forged),
      receive_set_cycles: cycles(NODE_SECTION.receive),
      handle_set_cycles: cycles(NODE_SECTION.handle),
      get_challenge_cycles: cycles(NODE_SECTION.challenge),
      unlock_cycles: cycles(NODE_SECTION.unlock),
      stack_bytes_seal: stack(NODE_SECTION.seal),
      stack_bytes_receive: stack(NODE_SECTION.receive),
      stack_bytes_handle: stack(NODE_SECTION.handle),
    },
    wear: {
      hot_records_per_unlock: Number(recordsPerUnlock.toFixed(4)),
      hot_ring_slots: slots,
      cell_writes_per_unlock: cellWritesPerUnlock === null ? null : Number(cellWritesPerUnlock.toFixed(4)),
      unlocks_per_day: UNLOCKS_PER_DAY,
      cell_endurance_writes: CELL_ENDURANCE,
      years: years === null ? null : Number(years.toFixed(1)),
    },
  };
}

function costJson(costs: Record<string, ExampleCost>, withBreakdown: boolean): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, c] of Object.entries(costs)) {
    out[name] = withBreakdown
      ? { ...c }
      : { flash_bytes: c.flash_bytes, ram_bytes: c.ram_bytes, sketch: { ...c.sketch }, plain: { ...c.plain } };
  }
  return out;
}

function main(): void {
  const missing = hasAllTools(['avr-g++', 'avr-size', 'avr-nm', 'avr-c++filt', 'gcc', 'arduino-builder', 'arduino-ctags', ...CORTEX_M_TOOLS]);
  if (!existsSync(SIMAVR_HEADER)) missing.push('libsimavr-dev');
  if (missing.length > 0) {
    process.stderr.write(`bench/avr.ts: missing tool(s): ${missing.join(', ')} (.ci/apt-packages lists them)\n`);
    process.exit(2);
  }
  let trees: Record<'mysensors' | 'mysensorsDev' | 'arduinoAvrCore' | 'servo', string>;
  try {
    trees = thirdPartyDirs('mysensors', 'mysensorsDev', 'arduinoAvrCore', 'servo');
  } catch (e) {
    process.stderr.write(`bench/avr.ts: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const release = { core: trees.arduinoAvrCore, mysensors: trees.mysensors, servo: trees.servo };

  const report: Report = {
    mcu: 'atmega328p',
    board: 'Arduino Pro Mini, ATmega328P 5 V 16 MHz (arduino:avr:pro:cpu=16MHzatmega328)',
    f_cpu_hz: 16_000_000,
    toolchain: toolVersion('avr-gcc'),
    builder: builderVersion(),
    trees: Object.fromEntries(
      (['arduinoAvrCore', 'mysensors', 'mysensorsDev', 'servo'] as const).map((t) => [THIRD_PARTY_TREES[t].title, basename(trees[t])]),
    ),
    build: "the Arduino IDE's steps (arduino-builder): avr-g++ -c -g -Os -Wall -Wextra -std=gnu++11 -fpermissive -fno-exceptions -ffunction-sections -fdata-sections -fno-threadsafe-statics -flto; link -Os -g -flto -fuse-linker-plugin -Wl,--gc-sections",
  };

  progress('examples against their plain twins (MySensors 2.3.2)');
  const { costs: examples, untwinned } = exampleCosts(release, 'release');
  progress("MySensors' soft signing and RF24 encryption on the plain lock");
  const security = mysensorsSecurityCosts(release);
  progress("examples against their plain twins (MySensors' development branch)");
  const development = exampleCosts({ ...release, mysensors: trees.mysensorsDev }, 'development').costs;
  progress('the node in simavr');
  const node = nodeCycles();
  progress('AES and CCM in simavr');
  const asm = primitives([]);
  const asmSize = primitivesFootprint([]);
  const cSwitch = cTwinSwitch();
  const c = cSwitch === null ? null : primitives([cSwitch]);
  const cSize = cSwitch === null ? null : primitivesFootprint([cSwitch]);
  progress('the library for Cortex-M');
  const cortexM: Record<string, Json> = {};
  for (const target of CORTEX_M_TARGETS) {
    const build = buildCortexM(target, trees.mysensors);
    if (!build.ok) throw new Error(`the Cortex-M build (${target.arch}) failed:\n${build.output}`);
    cortexM[target.arch] = {
      cpu: target.cpu,
      board: target.board,
      toolchain: toolVersion('arm-none-eabi-gcc'),
      library: build.library,
      node_image: build.image ?? null,
      objects: Object.fromEntries(build.objects.map((o) => [o.file, o.text + o.data])),
      warnings: build.warnings.map((w) => w.text),
    };
  }

  const lock = examples.SecureLock;
  const contact = examples.SecureDoorContact;
  const signing = security.soft_signing;
  if (!lock || !contact || !signing) throw new Error('bench: SecureLock, SecureDoorContact and soft signing must all be measured');
  const openCycles = Number(node.open_cycles);
  const stackBytes = Number(node.stack_bytes);
  const mostRam = Math.max(...Object.values(examples).map((e) => e.ram_bytes));

  Object.assign(report, {
    flash_bytes: lock.flash_bytes,
    ram_bytes: lock.ram_bytes,
    stack_bytes: stackBytes,
    open_cycles: openCycles,
    seal_cycles: node.seal_cycles ?? null,
    examples: costJson(examples, true),
    examples_without_twin: Object.fromEntries(Object.entries(untwinned).map(([k, v]) => [k, { ...v }])),
    library_objects: libraryObjectSizes(),
    mysensors_security: Object.fromEntries(Object.entries(security).map(([k, v]) => [k, { ...v }])),
    mysensors_development: costJson(development, false),
    node: node.node ?? null,
    wear: node.wear ?? null,
    primitives: {
      ...asm,
      flash_bytes: asmSize.flash_bytes ?? null,
      ram_bytes: asmSize.ram_bytes ?? null,
      flash_breakdown: asmSize.flash_breakdown ?? null,
      in_c:
        c === null || cSize === null
          ? null
          : {
              define: cSwitch,
              aes_block_cycles: c.aes_block_cycles ?? null,
              ccm_open_cycles: c.ccm_open_cycles ?? null,
              ccm_seal_cycles: c.ccm_seal_cycles ?? null,
              stack_bytes: c.stack_bytes ?? null,
              flash_bytes: cSize.flash_bytes ?? null,
              ram_bytes: cSize.ram_bytes ?? null,
            },
    },
    cortex_m: cortexM,
    definitions: DEFINITIONS,
    required_limits: REQUIRED,
    goal_limits: GOALS,
    required: {
      secure_lock_below_soft_signing: lock.flash_bytes < signing.flash_bytes,
      ram_bytes: mostRam <= REQUIRED.ram_bytes,
      stack_bytes: stackBytes <= REQUIRED.stack_bytes,
      open_cycles: openCycles <= REQUIRED.open_cycles,
    },
    goals: {
      secure_lock_flash_bytes: lock.flash_bytes <= GOALS.secure_lock_flash_bytes,
      secure_door_contact_flash_bytes: contact.flash_bytes <= GOALS.secure_door_contact_flash_bytes,
      open_cycles: openCycles <= GOALS.open_cycles,
    },
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
