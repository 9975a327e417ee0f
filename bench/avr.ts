/**
 * MySeal on the ATmega328P: what the Arduino library costs a node, measured in simavr.
 *
 *   npx tsx bench/avr.ts
 *
 * Prints one JSON object on stdout (progress, if any, goes to stderr). Cycle counts come from
 * simavr at 16 MHz and are exact and repeatable, so each figure is one run. Flash and RAM are
 * the difference between a firmware with MySeal and the same firmware without it (avr-size:
 * flash = text + data, static RAM = data + bss), built with the Arduino IDE's flags (-Os,
 * sections, --gc-sections, LTO). Stack is the deepest the stack pointer went below its value at
 * the call, sampled after every instruction.
 *
 * The top-level figures are the whole node (test/avr/node_probe.cpp, test/avr/node_bench.cpp);
 * "definitions" says what each one covers. "primitives" keeps phase 1's figures for AES and CCM
 * alone. Later phases add their figures by adding measurements to MEASUREMENTS.
 */
import { join } from 'node:path';

import { existsSync } from 'node:fs';

import {
  SIMAVR_HEADER,
  TEST_DIR,
  addedSymbols,
  avrSize,
  buildFirmware,
  hasAllTools,
  scratchDir,
  simulate,
  toolVersion,
} from './avr-toolchain.ts';
import type { Section } from './avr-toolchain.ts';

/** The budgets the final bench holds MySeal to (everything it adds to a node). */
const BUDGET = {
  flash_bytes: 2048,
  ram_bytes: 96,
  stack_bytes: 128,
  open_cycles: 24_000,
  /** Not required: the goal for open_cycles. */
  open_cycles_goal: 12_000,
};

const DEFINITIONS = {
  flash_bytes:
    'flash a MySeal lock node adds to the plain MySensors lock it replaces (test/avr/node_probe.cpp, both on the MySensors stand-in): AES, CCM, frames, counters and their EEPROM records, challenges, the lock (PIN, lockout, auto-relock, button, reports), sealed sets, the sketch API; -Os, LTO',
  ram_bytes: 'static RAM (data + bss) the same node adds: the node state, the settings',
  flash_breakdown: 'bytes by symbol: what the MySeal build has and the plain lock lacks (the assembly routines of myseal_avr.S by name), and how much functions both have grew',
  stack_bytes:
    'peak stack while opening a largest command frame: myseal_open(), checks 1-6 of the receive order (a 25-byte frame), from its caller',
  open_cycles:
    'open = verify + decrypt of a largest command frame (25 bytes, 12-byte body): myseal_open(), the node receive path up to the tag check and the freshness check (length, header, counter, nonce, CCM: 4 AES blocks); the counter persist that follows is an EEPROM write (3.4 ms a byte on the chip), counted in receive_set_cycles by simavr without that delay',
  seal_cycles: 'sealing a result of 11 bytes (LOCK_STATUS): myseal_frame_seal(), nonce and CCM (4 AES blocks)',
  wear: 'hot EEPROM records per unlock counted on the chip over 368 unlocks (GET_CHALLENGE, UNLOCK, auto-relock); a record touches each cell of its 13-byte slot at most once and the ring has 23 slots',
  within_budget: 'each figure against its budget; open_cycles_goal: open_cycles against the goal of 12 000 (not required)',
};

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
type Report = Record<string, Json>;

const AVR_IO = join(TEST_DIR, 'avr', 'avr_io.cpp');
const BENCH_MAIN = join(TEST_DIR, 'avr', 'bench_main.cpp');
const SIZE_PROBE = join(TEST_DIR, 'avr', 'size_probe.cpp');
const NODE_PROBE = join(TEST_DIR, 'avr', 'node_probe.cpp');
const NODE_BENCH = join(TEST_DIR, 'avr', 'node_bench.cpp');
const STUBS = join(TEST_DIR, 'stubs');
const STUB_SOURCES = [join(STUBS, 'Arduino.cpp'), join(STUBS, 'MySensorsCore.cpp'), join(STUBS, 'core', 'MyMessage.cpp')];

/** Bench firmware section numbers (test/avr/bench_main.cpp). */
const SECTION = { aes: 1, open: 2, seal: 3, openForged: 4, compare8: 5, empty: 127 };
/** Node bench firmware section numbers (test/avr/node_bench.cpp). */
const NODE_SECTION = { open: 10, forged: 11, seal: 12, receive: 13, handle: 14, challenge: 15, unlock: 16, empty: 127 };

/** EEPROM: hot ring slots and the endurance a datasheet gives an ATmega328P cell. */
const HOT_SLOTS = 23;
const CELL_ENDURANCE = 100_000;
const UNLOCKS_PER_DAY = 50;

function sectionOf(sections: Map<number, Section>, id: number): Section {
  const s = sections.get(id);
  if (!s) throw new Error(`bench firmware did not report section ${id}`);
  return s;
}

/** Runs the bench firmware; cycles exclude the marks' own cost (the empty section). */
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

/** Flash and static RAM the calls add to a minimal firmware. */
function footprint(defines: string[], lto: boolean): Report {
  const dir = scratchDir('probe');
  const build = (withMySeal: boolean): string =>
    buildFirmware({
      name: withMySeal ? 'probe-with' : 'probe-without',
      sources: [SIZE_PROBE],
      defines: [...defines, `MYSEAL_PROBE_WITH=${withMySeal ? 1 : 0}`],
      lto,
      withoutLibrary: !withMySeal,
      outDir: dir,
    });
  const withElf = build(true);
  const withoutElf = build(false);
  return { ...sizeDifference(withElf, withoutElf), breakdown: addedSymbols(withElf, withoutElf) };
}

/** What the firmware with MySeal adds over the same firmware without it (avr-size, flash and static RAM). */
function sizeDifference(withElf: string, withoutElf: string): Omit<Report, 'breakdown'> {
  const a = avrSize(withElf);
  const b = avrSize(withoutElf);
  return {
    flash_bytes: a.text + a.data - (b.text + b.data),
    ram_bytes: a.data + a.bss - (b.data + b.bss),
    probe_flash_bytes: b.text + b.data,
    probe_ram_bytes: b.data + b.bss,
  };
}

/** Flash and static RAM a MySeal lock node adds to the plain MySensors lock it replaces. */
function nodeFootprint(lto: boolean): Report {
  const dir = scratchDir('node-probe');
  const build = (withMySeal: boolean): string =>
    buildFirmware({
      name: withMySeal ? 'node-with' : 'node-without',
      sources: [NODE_PROBE, ...STUB_SOURCES],
      includes: [STUBS],
      defines: [`MYSEAL_PROBE_WITH=${withMySeal ? 1 : 0}`],
      lto,
      withoutLibrary: !withMySeal,
      outDir: dir,
    });
  const withElf = build(true);
  const withoutElf = build(false);
  return { ...sizeDifference(withElf, withoutElf), breakdown: addedSymbols(withElf, withoutElf) };
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
  const cellWritesPerUnlock = recordsPerUnlock / HOT_SLOTS;
  const years = CELL_ENDURANCE / (cellWritesPerUnlock * UNLOCKS_PER_DAY * 365.25);
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
      hot_ring_slots: HOT_SLOTS,
      cell_writes_per_unlock: Number(cellWritesPerUnlock.toFixed(4)),
      unlocks_per_day: UNLOCKS_PER_DAY,
      cell_endurance_writes: CELL_ENDURANCE,
      years: Number(years.toFixed(1)),
      computation: `${CELL_ENDURANCE} / (${recordsPerUnlock.toFixed(4)} records per unlock / ${HOT_SLOTS} slots * ${UNLOCKS_PER_DAY} unlocks a day * 365.25) = ${years.toFixed(1)} years`,
      per_unlock:
        'GET_CHALLENGE: 1 record (its counter); UNLOCK: 2 (counter with the attempt, before the PIN is compared; then attempts back and unlocked, before the bolt moves); auto-relock: 1 (locked); node counters reserved 16 at a time, mostly in one of those records',
    },
  };
}

const MEASUREMENTS: ((report: Report) => void)[] = [
  (report) => {
    const size = nodeFootprint(true);
    const sizeNoLto = nodeFootprint(false);
    const cycles = nodeCycles();
    Object.assign(report, {
      flash_bytes: size.flash_bytes ?? null,
      ram_bytes: size.ram_bytes ?? null,
      stack_bytes: cycles.stack_bytes ?? null,
      open_cycles: cycles.open_cycles ?? null,
      seal_cycles: cycles.seal_cycles ?? null,
    });
    report.definitions = DEFINITIONS;
    report.node = {
      ...(cycles.node as Record<string, Json>),
      flash_breakdown: size.breakdown ?? null,
      flash_bytes_no_lto: sizeNoLto.flash_bytes ?? null,
      ram_bytes_no_lto: sizeNoLto.ram_bytes ?? null,
      flash_breakdown_no_lto: sizeNoLto.breakdown ?? null,
      plain_lock_probe: { flash_bytes: size.probe_flash_bytes ?? null, ram_bytes: size.probe_ram_bytes ?? null },
    };
    report.wear = cycles.wear ?? null;
    report.eeprom = {
      default_base: 'EEPROM_LOCAL_CONFIG_ADDRESS + 256 (669 on MySensors 2.3.2)',
      bytes: 2 * 24 + HOT_SLOTS * 13,
      cold_slots: '2 of 24 bytes (fingerprint, key, PIN), the one in use named by the hot record',
      hot_slots: HOT_SLOTS,
    };
  },
  (report) => {
    const asm = primitives([]);
    const size = footprint([], true);
    const sizeNoLto = footprint([], false);
    report.primitives = {
      ...asm,
      flash_bytes: size.flash_bytes ?? null,
      ram_bytes: size.ram_bytes ?? null,
      flash_bytes_no_lto: sizeNoLto.flash_bytes ?? null,
      ram_bytes_no_lto: sizeNoLto.ram_bytes ?? null,
      flash_breakdown: size.breakdown ?? null,
      probe_flash_bytes: size.probe_flash_bytes ?? null,
      probe_ram_bytes: size.probe_ram_bytes ?? null,
    };
  },
  (report) => {
    // The portable C versions on the same chip (MYSEAL_C_ONLY), for comparison.
    const c = primitives(['MYSEAL_C_ONLY']);
    const size = footprint(['MYSEAL_C_ONLY'], true);
    const primitivesReport = report.primitives as Record<string, Json>;
    primitivesReport.c_only = {
      aes_block_cycles: c.aes_block_cycles ?? null,
      ccm_open_cycles: c.ccm_open_cycles ?? null,
      ccm_seal_cycles: c.ccm_seal_cycles ?? null,
      stack_bytes: c.stack_bytes ?? null,
      flash_bytes: size.flash_bytes ?? null,
      ram_bytes: size.ram_bytes ?? null,
    };
  },
];

function main(): void {
  const missing = hasAllTools(['avr-g++', 'avr-size', 'avr-nm', 'gcc']);
  if (!existsSync(SIMAVR_HEADER)) missing.push('libsimavr-dev');
  if (missing.length > 0) {
    process.stderr.write(`bench/avr.ts: missing tool(s): ${missing.join(', ')}\n`);
    process.exit(2);
  }
  const report: Report = {
    mcu: 'atmega328p',
    f_cpu_hz: 16_000_000,
    toolchain: toolVersion('avr-gcc'),
    build: 'avr-gcc -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -flto (Arduino IDE flags)',
  };
  for (const measure of MEASUREMENTS) measure(report);
  report.budget = BUDGET;
  report.within_budget = {
    flash_bytes: Number(report.flash_bytes) <= BUDGET.flash_bytes,
    ram_bytes: Number(report.ram_bytes) <= BUDGET.ram_bytes,
    stack_bytes: Number(report.stack_bytes) <= BUDGET.stack_bytes,
    open_cycles: Number(report.open_cycles) <= BUDGET.open_cycles,
    open_cycles_goal: Number(report.open_cycles) <= BUDGET.open_cycles_goal,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
