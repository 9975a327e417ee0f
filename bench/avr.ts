/**
 * MySeal on the ATmega328P: what the Arduino library costs a node, measured in simavr.
 *
 *   npx tsx bench/avr.ts
 *
 * Prints one JSON object on stdout (progress, if any, goes to stderr). Cycle counts come from
 * simavr at 16 MHz and are exact and repeatable, so each figure is one run. Flash and RAM are
 * the difference between a minimal firmware with MySeal's calls and the same firmware without
 * them (avr-size: flash = text + data, static RAM = data + bss), built with the Arduino IDE's
 * flags (-Os, sections, --gc-sections, LTO). Stack is the deepest the stack pointer went below
 * its value at the call, sampled after every instruction.
 *
 * Later phases add their figures by adding measurements to MEASUREMENTS.
 */
import { join } from 'node:path';

import { existsSync } from 'node:fs';

import {
  SIMAVR_HEADER,
  TEST_DIR,
  avrSize,
  buildFirmware,
  hasAllTools,
  scratchDir,
  simulate,
  symbolSizes,
  toolVersion,
} from './avr-toolchain.ts';
import type { Section } from './avr-toolchain.ts';

/** The budgets the final bench holds MySeal to (everything it adds to a node). */
const BUDGET = {
  flash_bytes: 2048,
  ram_bytes: 96,
  stack_bytes: 128,
  ccm_open_cycles: 24_000,
  ccm_open_cycles_goal: 12_000,
};

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
type Report = Record<string, Json>;

const AVR_IO = join(TEST_DIR, 'avr', 'avr_io.cpp');
const BENCH_MAIN = join(TEST_DIR, 'avr', 'bench_main.cpp');
const SIZE_PROBE = join(TEST_DIR, 'avr', 'size_probe.cpp');

/** Bench firmware section numbers (test/avr/bench_main.cpp). */
const SECTION = { aes: 1, open: 2, seal: 3, openForged: 4, compare8: 5, empty: 127 };

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
  const a = avrSize(withElf);
  const b = avrSize(build(false));
  return {
    flash_bytes: a.text + a.data - (b.text + b.data),
    ram_bytes: a.data + a.bss - (b.data + b.bss),
    probe_flash_bytes: b.text + b.data,
    probe_ram_bytes: b.data + b.bss,
    breakdown: symbolSizes(withElf, 'myseal_'),
  };
}

const MEASUREMENTS: ((report: Report) => void)[] = [
  (report) => {
    const asm = primitives([]);
    const size = footprint([], true);
    const sizeNoLto = footprint([], false);
    Object.assign(report, asm, {
      flash_bytes: size.flash_bytes ?? null,
      ram_bytes: size.ram_bytes ?? null,
      flash_bytes_no_lto: sizeNoLto.flash_bytes ?? null,
      ram_bytes_no_lto: sizeNoLto.ram_bytes ?? null,
      flash_breakdown: size.breakdown ?? null,
    });
    report.baseline = {
      probe_flash_bytes: size.probe_flash_bytes ?? null,
      probe_ram_bytes: size.probe_ram_bytes ?? null,
    };
  },
  (report) => {
    // The portable C versions on the same chip (MYSEAL_C_ONLY), for comparison.
    const c = primitives(['MYSEAL_C_ONLY']);
    const size = footprint(['MYSEAL_C_ONLY'], true);
    const baseline = report.baseline as Record<string, Json>;
    baseline.c_only = {
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
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
