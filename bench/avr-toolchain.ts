/**
 * Builds and runs MySeal's Arduino code for tests and benchmarks: the library and firmware with
 * avr-gcc the way the Arduino IDE does, host programs with g++/clang++, and firmware in simavr
 * through arduino/test/sim/myseal_sim.c (UART0 on stdin/stdout, cycle and stack markers).
 *
 * Outputs go to a fresh temporary directory per build (removed at exit), so test files running
 * in parallel never share a file; the simulator binary is cached in arduino/build/ (git-ignored)
 * under a hash of its source.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import { REQUIRE_TOOLS } from '../test/support/require-tool.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARDUINO_DIR = join(REPO_ROOT, 'arduino');
export const LIBRARY_SRC = join(ARDUINO_DIR, 'MySeal', 'src');
export const TEST_DIR = join(ARDUINO_DIR, 'test');
export const BUILD_DIR = join(ARDUINO_DIR, 'build');

/** Warnings we hold every build of the library and the test code to. */
export const WARNINGS = ['-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wundef'];

/** What the Arduino AVR core (1.8.x) passes to avr-g++ for a sketch, minus the core itself. */
export const ARDUINO_AVR_FLAGS = [
  '-mmcu=atmega328p',
  '-DF_CPU=16000000UL',
  '-DARDUINO_ARCH_AVR',
  '-Os',
  '-g',
  '-ffunction-sections',
  '-fdata-sections',
  '-fno-exceptions',
  '-fno-threadsafe-statics',
  '-std=gnu++11',
];

export const AVR_LINK_FLAGS = ['-mmcu=atmega328p', '-Os', '-Wl,--gc-sections'];

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; throws with its output when it fails (unless allowFailure). */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs?: number; allowFailure?: boolean; cwd?: string } = {},
): RunResult {
  const r = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  const result = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (!options.allowFailure && result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

/** The commands of the list that are not on PATH. */
export function hasAllTools(commands: readonly string[]): string[] {
  return commands.filter(
    (c) => spawnSync('sh', ['-c', 'command -v "$0"', c], { stdio: 'ignore' }).status !== 0,
  );
}

/** simavr's development files (Debian libsimavr-dev), needed to build the simulator runner. */
export const SIMAVR_HEADER = '/usr/include/simavr/sim_avr.h';

/**
 * Like requireTool() for libsimavr-dev, which has no command to look for: true when the headers
 * are there; otherwise skips the test, or throws under MYSEAL_REQUIRE_TOOLS=1 (CI).
 */
export function requireSimavrDev(t: TestContext): boolean {
  if (existsSync(SIMAVR_HEADER)) return true;
  const why = `missing libsimavr-dev (${SIMAVR_HEADER})`;
  if (REQUIRE_TOOLS) throw new Error(`${why} (MYSEAL_REQUIRE_TOOLS=1: .ci/run must install it)`);
  t.skip(why);
  return false;
}

/** First line of `<command> --version`. */
export function toolVersion(command: string): string {
  return (run(command, ['--version']).stdout.split('\n')[0] ?? '').trim();
}

const scratchDirs: string[] = [];
let cleanupRegistered = false;

/**
 * A fresh directory for one build's outputs, removed when the process exits (kept with
 * MYSEAL_KEEP_BUILD=1, to look at a failing build).
 */
export function scratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `myseal-${label}-`));
  scratchDirs.push(dir);
  if (!cleanupRegistered && process.env.MYSEAL_KEEP_BUILD !== '1') {
    cleanupRegistered = true;
    process.on('exit', () => {
      for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** The library's translation units: C++ and assembly (AES and CCM on the classic AVR cores). */
export function librarySources(): string[] {
  return readdirSync(LIBRARY_SRC)
    .filter((f) => f.endsWith('.cpp') || f.endsWith('.S'))
    .sort()
    .map((f) => join(LIBRARY_SRC, f));
}

/** Host-side MySensors and Arduino stand-ins (compiled with -I stubs -I stubs/host). */
export function hostStubSources(): string[] {
  const stubs = join(TEST_DIR, 'stubs');
  return [
    join(stubs, 'Arduino.cpp'),
    join(stubs, 'MySensorsCore.cpp'),
    join(stubs, 'core', 'MyMessage.cpp'),
    join(stubs, 'host', 'eeprom_host.cpp'),
  ];
}

/** The host node harness (arduino/test/host/node_*.cpp): vectors, lock, powercut, serve. */
export function nodeHarnessSources(): string[] {
  const host = join(TEST_DIR, 'host');
  return ['node_harness.cpp', 'node_vectors.cpp', 'node_lock.cpp', 'node_powercut.cpp', 'node_serve.cpp'].map((f) =>
    join(host, f),
  );
}

/**
 * The node test harness of the host (nodeHarnessSources() without node_serve.cpp) for a simulated
 * ATmega1284P (the 328P's core with room for the harness), against the node as the chip runs it,
 * storing through MySeal.h and the MySensors stand-in (test/host/node_storage.cpp) into the
 * in-memory EEPROM of the tests (which can lose power after any byte), which stands in for
 * avr-libc's; the PIN comparison wrapped as on the host.
 */
export const ONCHIP_NODE_MCU = 'atmega1284p';
export function buildOnchipNode(defines: readonly string[] = []): string {
  const host = join(TEST_DIR, 'host');
  return buildFirmware({
    name: 'node-onchip',
    mcu: ONCHIP_NODE_MCU,
    sources: [
      ...nodeHarnessSources().filter((f) => !f.endsWith('node_serve.cpp')),
      join(host, 'node_storage.cpp'),
      join(TEST_DIR, 'stubs', 'host', 'eeprom_host.cpp'),
      join(TEST_DIR, 'avr', 'avr_io.cpp'),
      join(TEST_DIR, 'avr', 'node_onchip.cpp'),
    ],
    defines: [...defines],
    includes: [join(TEST_DIR, 'stubs'), host, join(TEST_DIR, 'avr')],
    linkFlags: ['-Wl,--wrap=myseal_ct_equal'],
  });
}

/** How host test programs are built: C++11, debug info, ASan and UBSan that stop at the first finding. */
export const HOST_SANITIZER_FLAGS = [
  '-std=c++11',
  '-g',
  '-O1',
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=all',
  '-fno-omit-frame-pointer',
] as const;

/**
 * Builds `node_host` (the library's C++ files, the MySensors stand-in, the harness) with g++ under
 * AddressSanitizer and UBSan; the PIN comparison is wrapped so the power-cut test sees it.
 */
export function buildNodeHost(extraFlags: readonly string[] = []): string {
  const exe = join(scratchDir('node-host'), 'node_host');
  run('g++', [
    ...HOST_SANITIZER_FLAGS,
    ...WARNINGS,
    ...extraFlags,
    '-I',
    LIBRARY_SRC,
    ...stubIncludes(true),
    ...librarySources().filter((f) => f.endsWith('.cpp')),
    ...hostStubSources(),
    ...nodeHarnessSources(),
    '-Wl,--wrap=myseal_ct_equal',
    '-o',
    exe,
  ]);
  return exe;
}

export function stubIncludes(host: boolean): string[] {
  const stubs = join(TEST_DIR, 'stubs');
  return host ? ['-I', stubs, '-I', join(stubs, 'host')] : ['-I', stubs];
}

/** Compiles the simulator runner once per source version; returns its path. */
export function buildSimulator(): string {
  const source = join(TEST_DIR, 'sim', 'myseal_sim.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  mkdirSync(BUILD_DIR, { recursive: true });
  const target = join(BUILD_DIR, `myseal-sim-${hash}`);
  if (existsSync(target)) return target;
  const temp = join(scratchDir('sim'), 'myseal-sim');
  run('gcc', ['-std=c11', '-O2', ...WARNINGS, source, '-o', temp, '-lsimavr']);
  renameSync(temp, target); // atomic: a parallel build of the same source just wins the race
  return target;
}

export interface FirmwareOptions {
  /** Output name (without extension). */
  name: string;
  /** The chip (default atmega328p: the Pro Mini's). */
  mcu?: string;
  /** Extra linker flags. */
  linkFlags?: readonly string[];
  /** Firmware sources besides the library (absolute paths). */
  sources: readonly string[];
  defines?: readonly string[];
  lto?: boolean;
  /** Extra include directories. */
  includes?: readonly string[];
  /** Leave the library out (for a baseline build). */
  withoutLibrary?: boolean;
  /** Directory for the outputs; a fresh one if not given. */
  outDir?: string;
}

/** Compiles and links an ATmega328P firmware with the library; returns the ELF path. */
export function buildFirmware(options: FirmwareOptions): string {
  const out = options.outDir ?? scratchDir(options.name);
  const elf = join(out, `${options.name}.elf`);
  const lto = options.lto ? ['-flto', '-fuse-linker-plugin'] : [];
  const sources = [...(options.withoutLibrary ? [] : librarySources()), ...options.sources];
  const mcu = (flags: readonly string[]): string[] =>
    flags.map((f) => (options.mcu && f.startsWith('-mmcu=') ? `-mmcu=${options.mcu}` : f));
  const args = [
    ...mcu(ARDUINO_AVR_FLAGS),
    ...WARNINGS,
    ...lto,
    ...(options.defines ?? []).map((d) => `-D${d}`),
    '-I',
    LIBRARY_SRC,
    ...(options.includes ?? []).flatMap((i) => ['-I', i]),
    ...sources,
    ...mcu(AVR_LINK_FLAGS),
    ...(options.linkFlags ?? []),
    ...lto,
    '-o',
    elf,
  ];
  run('avr-g++', args);
  return elf;
}

export interface Section {
  cycles: number;
  stack: number;
}

export interface SimResult {
  status: number;
  stdout: string;
  stderr: string;
  sections: Map<number, Section>;
}

/** Runs a firmware in simavr (ATmega328P at 16 MHz); stdin goes to its UART. */
export function simulate(
  elf: string,
  options: { input?: string; maxCycles?: number; timeoutMs?: number; mcu?: string } = {},
): SimResult {
  const sim = buildSimulator();
  const reportDir = scratchDir('sim-report');
  const report = join(reportDir, 'sections.txt');
  const r = run(
    sim,
    [
      ...(options.mcu ? ['--mcu', options.mcu] : []),
      ...['--max-cycles', String(options.maxCycles ?? 500_000_000), '--report', report, elf],
    ],
    { input: options.input ?? '', timeoutMs: options.timeoutMs ?? 60_000, allowFailure: true },
  );
  const sections = new Map<number, Section>();
  if (existsSync(report)) {
    for (const line of readFileSync(report, 'utf8').split('\n')) {
      const m = /^section (\d+) cycles (\d+) stack (\d+)$/.exec(line);
      if (m) sections.set(Number(m[1]), { cycles: Number(m[2]), stack: Number(m[3]) });
    }
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, sections };
}

/**
 * The simulator's command line for a firmware that a test talks to while it runs (stdin and
 * stdout are its UART); simulate() is for firmware that reads all its input at once.
 */
export function simulatorCommand(elf: string, options: { maxCycles?: number } = {}): { command: string; args: string[] } {
  return { command: buildSimulator(), args: ['--max-cycles', String(options.maxCycles ?? 20_000_000_000), elf] };
}

export interface AvrSize {
  text: number;
  data: number;
  bss: number;
}

/** avr-size of an ELF (Berkeley format): flash = text + data, static RAM = data + bss. */
export function avrSize(elf: string): AvrSize {
  const out = run('avr-size', ['-B', elf]).stdout.trim().split('\n');
  const fields = (out[1] ?? '').trim().split(/\s+/).slice(0, 3).map(Number);
  const [text, data, bss] = fields;
  if (text === undefined || data === undefined || bss === undefined || fields.some(Number.isNaN)) {
    throw new Error(`avr-size: cannot read ${out.join(' | ')}`);
  }
  return { text, data, bss };
}

/**
 * Every symbol of an ELF that takes flash (code, and initialised data) with its size in bytes
 * (avr-nm). Code labels without a size of their own (the assembly's internal routines) count up to
 * the next symbol in flash.
 */
function symbolSizes(elf: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const flash: { address: number; name: string }[] = [];
  for (const line of run('avr-nm', ['-n', '-S', '--defined-only', elf]).stdout.split('\n')) {
    const sized = /^([0-9a-f]+) ([0-9a-f]+) ([tTdD]) (\S+)$/.exec(line.trim());
    const bare = /^([0-9a-f]+) ([tT]) (\S+)$/.exec(line.trim());
    if (sized?.[1] && sized[2] && sized[4]) {
      sizes.set(sized[4], Number.parseInt(sized[2], 16));
      if (/[tT]/.test(sized[3] ?? '')) flash.push({ address: Number.parseInt(sized[1], 16), name: sized[4] });
    } else if (bare?.[1] && bare[3] && !bare[3].startsWith('.')) {
      flash.push({ address: Number.parseInt(bare[1], 16), name: bare[3] });
    }
  }
  flash.forEach((s, i) => {
    const next = flash[i + 1];
    if (!sizes.has(s.name) && next) sizes.set(s.name, next.address - s.address);
  });
  return sizes;
}

/**
 * Where the bytes a library adds go, symbol by symbol: the size of what withElf has and
 * withoutElf lacks, the growth of what both have (a sketch function the library's inline code
 * grew), and, negative, what only withoutElf has (code the library's build no longer needs).
 */
export function addedSymbols(withElf: string, withoutElf: string): Record<string, number> {
  const before = symbolSizes(withoutElf);
  const after = symbolSizes(withElf);
  const added: Record<string, number> = {};
  for (const name of new Set([...after.keys(), ...before.keys()])) {
    const delta = (after.get(name) ?? 0) - (before.get(name) ?? 0);
    if (delta !== 0) added[name] = delta;
  }
  return added;
}
