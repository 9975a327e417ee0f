/**
 * The library's examples run, on the host (ASan, UBSan) and on the simulated ATmega328P, with what
 * holds their input pins scripted from power-on (test/common/sketch_run.cpp): the sealed reports
 * they send, opened by the TypeScript controller, and the pins they drive.
 *
 * - SecureLock: a button held down from power-on (or a shorted pin, or a pin MySensors on Linux
 *   does not know, which reads LOW) turns nothing and reports nothing beyond the start-up state;
 *   released and pressed (bouncing, then held), it turns the lock exactly once.
 * - SecureDoorContact: a contact closed from power-on is reported closed once; rattling open for
 *   less than the sketch's settling time is no change; opening is reported once.
 *
 * Each run is deterministic: the host's clock is a fake one, simavr counts cycles.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import { parseLine } from '../../src/core/mysensors/line.ts';
import { Command, SetReq } from '../../src/core/mysensors/enums.ts';
import { DEFAULT_LOCK_CHILD, SEALED_STREAM_TYPE } from '../../src/core/protocol/constants.ts';
import { isSealedMessage, messageToFrame } from '../../src/core/protocol/carriage.ts';
import { ControllerChannel } from '../../src/core/protocol/controller-channel.ts';
import { MemoryCounters, MemoryKeyStore } from '../../src/core/protocol/stores.ts';
import {
  HOST_SANITIZER_FLAGS,
  LIBRARY_SRC,
  TEST_DIR,
  WARNINGS,
  buildFirmware,
  buildSimulator,
  hostStubSources,
  librarySources,
  requireSimavrDev,
  run,
  scratchDir,
  stubIncludes,
} from '../../bench/avr-toolchain.ts';
import { exampleKey, exampleNode, exampleSetting, writeExampleSketch } from './example-sketches.ts';
import type { ExampleName } from './example-sketches.ts';

const STUBS = join(TEST_DIR, 'stubs');
const SKETCH_RUN = join(TEST_DIR, 'common', 'sketch_run.cpp');
const CPU_HZ = 16_000_000;

type Where = 'host' | 'chip';
/** From atMs of the node's time on, the pin is held LOW or HIGH, or let go ('z': its pull-up decides). */
type PinEvent = { pin: number; level: '0' | '1' | 'z'; atMs: number };

interface Report {
  ms: number;
  child: number;
  type: number;
  data: number[];
}
interface Write {
  ms: number;
  pin: number;
  level: number;
}
interface Run {
  reports: Report[];
  writes: Write[];
}

function buildOnHost(name: ExampleName): string {
  const dir = scratchDir(`run-${name}`);
  const exe = join(dir, 'sketch_run');
  run('g++', [
    ...HOST_SANITIZER_FLAGS,
    ...WARNINGS,
    `-DMYSEAL_RUN_NODE=${exampleNode(name)}`,
    '-I',
    dir,
    '-I',
    LIBRARY_SRC,
    ...stubIncludes(true),
    writeExampleSketch(name, dir),
    ...librarySources().filter((f) => f.endsWith('.cpp')),
    ...hostStubSources(),
    SKETCH_RUN,
    '-o',
    exe,
  ]);
  return exe;
}

function buildForChip(name: ExampleName): string {
  const dir = scratchDir(`run-${name}-avr`);
  return buildFirmware({
    name: `run-${name}`,
    sources: [
      writeExampleSketch(name, dir),
      join(STUBS, 'Arduino.cpp'),
      join(STUBS, 'MySensorsCore.cpp'),
      join(STUBS, 'core', 'MyMessage.cpp'),
      join(TEST_DIR, 'avr', 'avr_io.cpp'),
      SKETCH_RUN,
    ],
    defines: [`MYSEAL_RUN_NODE=${exampleNode(name)}`],
    includes: [dir, STUBS, join(TEST_DIR, 'avr')],
    lto: true,
    outDir: dir,
  });
}

/** The ATmega328P's port and bit for an Arduino pin (Uno / Pro Mini numbering, as the stand-in). */
function chipPin(pin: number): string {
  return pin < 8 ? `D${pin}` : `B${pin - 8}`;
}

/** Runs the example for runMs of its own time with its pins held as the events say. */
async function runExample(t: TestContext, where: Where, name: ExampleName, runMs: number, events: readonly PinEvent[]): Promise<Run | null> {
  let stdout: string;
  if (where === 'host') {
    if (!requireTool(t, 'g++')) return null;
    const r = run(buildOnHost(name), [String(runMs), ...events.map((e) => `${e.pin}=${e.level}@${e.atMs}`)], { allowFailure: true });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '', 'no sanitizer report');
    stdout = r.stdout;
  } else {
    if (!requireTool(t, 'avr-g++', 'gcc', 'simavr') || !requireSimavrDev(t)) return null;
    const elf = buildForChip(name);
    const pins = events.flatMap((e) => ['--pin', `${chipPin(e.pin)}=${e.level}@${e.atMs}`]);
    const r = run(buildSimulator(), ['--max-cycles', String((runMs * CPU_HZ) / 1000), ...pins, elf], {
      allowFailure: true,
      timeoutMs: 100_000,
    });
    // The sketch loops for ever: the run ends at the cycle limit (124), not earlier.
    assert.equal(r.status, 124, r.stdout + r.stderr);
    stdout = r.stdout;
  }
  return parseRun(name, stdout);
}

/** sketch_run's lines; every sealed report is opened as the controller opens it. */
async function parseRun(name: ExampleName, stdout: string): Promise<Run> {
  const node = exampleNode(name);
  const channel = new ControllerChannel({ nodeId: node, keys: new MemoryKeyStore([[node, exampleKey(name)]]), counters: new MemoryCounters() });
  const out: Run = { reports: [], writes: [] };
  for (const line of stdout.trim().split('\n')) {
    const m = /^(\d+) (.*)$/.exec(line);
    assert.ok(m?.[2], `unexpected line ${JSON.stringify(line)}`);
    const ms = Number(m[1]);
    const write = /^W (\d+) ([01])$/.exec(m[2]);
    if (write) {
      out.writes.push({ ms, pin: Number(write[1]), level: Number(write[2]) });
      continue;
    }
    // Every payload in hex: only a sealed frame's must fit a gateway line (a sketch name need not).
    const header = /^\d+;\d+;(\d+);0;(\d+);[0-9A-F]*$/.exec(m[2]);
    assert.ok(header, `unexpected line ${JSON.stringify(line)}`);
    if (Number(header[1]) !== Command.C_STREAM || Number(header[2]) !== SEALED_STREAM_TYPE) continue;
    const message = parseLine(m[2]);
    assert.ok(message.ok && isSealedMessage(message.value), `${line}: ${JSON.stringify(message)}`);
    const frame = messageToFrame(message.value);
    assert.ok(frame.ok && frame.value.nodeId === node, line);
    const opened = await channel.open(frame.value.child, frame.value.frame);
    assert.ok(opened.ok && opened.value.kind === 'report', `${line}: ${JSON.stringify(opened)}`);
    out.reports.push({ ms, child: frame.value.child, type: opened.value.value.type, data: [...opened.value.value.data] });
  }
  return out;
}

const between = <T extends { ms: number }>(items: readonly T[], fromMs: number, toMs: number): T[] =>
  items.filter((i) => i.ms >= fromMs && i.ms < toMs);
const values = (reports: readonly Report[]): { child: number; type: number; data: number[] }[] =>
  reports.map(({ child, type, data }) => ({ child, type, data }));

for (const where of ['host', 'chip'] as const) {
  test(`SecureLock (${where}): a button held down from power-on turns nothing; released, then pressed, it turns the lock once`, async (t) => {
    const button = exampleSetting('SecureLock', 'BUTTON_PIN');
    const led = exampleSetting('SecureLock', 'LED_PIN');
    const child = DEFAULT_LOCK_CHILD; // the key header's MYSEAL_LOCK_CHILD, written without --lock-child
    const debounce = exampleSetting('SecureLock', 'DEBOUNCE_MS');
    const releaseMs = 1000;
    const pressMs = 1300;
    const endMs = 2000; // before the auto-relock
    const r = await runExample(t, where, 'SecureLock', endMs, [
      { pin: button, level: '0', atMs: 0 }, // held down from power-on
      { pin: button, level: 'z', atMs: releaseMs },
      { pin: button, level: '0', atMs: pressMs }, // a press that bounces, then holds
      { pin: button, level: 'z', atMs: pressMs + 2 },
      { pin: button, level: '0', atMs: pressMs + 5 },
    ]);
    if (!r) return;
    const locked = { child, type: SetReq.V_LOCK_STATUS, data: [1] };
    const unlocked = { child, type: SetReq.V_LOCK_STATUS, data: [0] };
    const ledOn = (writes: readonly Write[]): Write[] => writes.filter((w) => w.pin === led && w.level === 1);

    assert.deepEqual(values(between(r.reports, 0, releaseMs)), [locked], 'held from power-on: only the start-up state');
    assert.deepEqual(ledOn(between(r.writes, 0, releaseMs)), [], 'held from power-on: the bolt did not move');
    assert.ok(between(r.writes, 0, releaseMs).some((w) => w.pin === led && w.level === 0), 'the bolt was set locked at start');

    assert.deepEqual(values(between(r.reports, releaseMs, endMs)), [unlocked], 'the press after the release: one turn');
    const turned = ledOn(between(r.writes, releaseMs, endMs));
    assert.equal(turned.length, 1, JSON.stringify(turned));
    assert.ok(turned[0]!.ms >= pressMs + debounce, `turned at ${turned[0]!.ms} ms, once the press held ${debounce} ms`);
  });
}

for (const where of ['host', 'chip'] as const) {
  test(`SecureDoorContact (${where}): closed from power-on is reported closed once; a rattle is no change; opening is reported once`, async (t) => {
    const contact = exampleSetting('SecureDoorContact', 'CONTACT_PIN');
    const child = exampleSetting('SecureDoorContact', 'CONTACT_CHILD');
    const settle = exampleSetting('SecureDoorContact', 'SETTLE_MS');
    const openMs = 1000;
    const endMs = 1400;
    // Rattling: open for a quarter of the settling time, closed for the settling time, four times.
    const rattle: PinEvent[] = [0, 1, 2, 3].flatMap((i) => {
      const at = 500 + i * (settle + settle / 4);
      return [
        { pin: contact, level: 'z', atMs: at },
        { pin: contact, level: '0', atMs: at + settle / 4 },
      ];
    });
    const r = await runExample(t, where, 'SecureDoorContact', endMs, [
      { pin: contact, level: '0', atMs: 0 }, // closed from power-on
      ...rattle,
      { pin: contact, level: 'z', atMs: openMs }, // opened: the pull-up pulls it high
    ]);
    if (!r) return;
    const closed = { child, type: SetReq.V_TRIPPED, data: [0] };
    const open = { child, type: SetReq.V_TRIPPED, data: [1] };
    assert.deepEqual(values(between(r.reports, 0, openMs)), [closed], 'its real state at start, and no change for the rattle');
    assert.deepEqual(values(between(r.reports, openMs, endMs)), [open]);
  });
}
