/**
 * What MySeal costs a node on the real stack: each example built as the Arduino IDE builds it
 * (bench/arduino-ide.ts: ArduinoCore-avr 1.8.6, MySensors, Servo, a Pro Mini at 16 MHz), against
 * its plain twin (bench/fixtures/Plain<X> for examples/Secure<X>: the same node without MySeal), and MySensors' own
 * security (soft signing, RF24 encryption) added to the same plain lock, in the same run.
 *
 * Flash = text + data and static RAM = data + bss of the linked ELF (avr-size): deterministic for
 * a given toolchain and source, so one build each. Where the bytes go: the symbols of the LTO-linked
 * ELF (avr-nm -S) that the example has and its twin lacks, and the growth of those both have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ARDUINO_AVR_FLAGS, LIBRARY_SRC, addedSymbols, avrSize, librarySources, run, scratchDir } from './avr-toolchain.ts';
import { ideBuild, ideWorkspace, mysealExamples, writeExample, writeSketch } from './arduino-ide.ts';
import type { IdeBuild, IdeTrees, IdeWorkspace, MySealExample } from './arduino-ide.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** An example's plain twin: bench/fixtures/Plain<X> for examples/Secure<X>, when there is one. */
export function plainTwin(example: string): string | undefined {
  const twin = example.replace(/^Secure/, 'Plain');
  return twin !== example && existsSync(fixtureIno(twin)) ? twin : undefined;
}

/** The sketch MySensors' security is added to: the lock without MySeal. */
const PLAIN_LOCK = 'PlainLock';

/** MySensors' own security, added to the plain lock as a user adds it: #defines at the sketch's top. */
export const MYSENSORS_SECURITY: Record<string, { defines: string[]; what: string }> = {
  soft_signing: {
    defines: ['MY_SIGNING_SOFT', 'MY_SIGNING_REQUEST_SIGNATURES'],
    what: 'MY_SIGNING_SOFT with MY_SIGNING_REQUEST_SIGNATURES (HMAC-SHA256 signatures, required of senders: signing that protects a lock)',
  },
  rf24_encryption: {
    defines: ['MY_RF24_ENABLE_ENCRYPTION'],
    what: 'MY_RF24_ENABLE_ENCRYPTION (AES-128 over the nRF24 link, with the key MySensors keeps in EEPROM)',
  },
  signing_and_encryption: {
    defines: ['MY_SIGNING_SOFT', 'MY_SIGNING_REQUEST_SIGNATURES', 'MY_RF24_ENABLE_ENCRYPTION'],
    what: 'both of the above',
  },
};

// Types, not interfaces: the report serialises them as they are (a type has an implicit index signature).
export type Footprint = {
  flash_bytes: number;
  ram_bytes: number;
};

export type ExampleCost = Footprint & {
  sketch: Footprint;
  plain_twin: string;
  plain: Footprint;
  /** Bytes by symbol, largest first: what the example has that its twin lacks, and growth. */
  breakdown: Record<string, number>;
  /** The breakdown's sums: bytes of symbols added or grown, and of symbols gone or shrunk (negative). */
  breakdown_totals: { added: number; removed: number };
};

function fixtureIno(name: string): string {
  return join(FIXTURES, name, `${name}.ino`);
}

function mustBuild(ws: IdeWorkspace, ino: string, label: string): IdeBuild {
  const build = ideBuild(ws, ino, '16MHz');
  if (!build.ok) throw new Error(`${label}: the IDE build failed\n${build.output.split('\n').slice(-40).join('\n')}`);
  return build;
}

/**
 * Names as a reader knows them (avr-c++filt), the numbers LTO gives its clones dropped (a
 * function is "f.constprop.15" in one build and "f.constprop.12" in the other), largest first.
 */
export function readableBreakdown(added: Record<string, number>): Record<string, number> {
  const names = Object.keys(added);
  const demangled = names.length === 0 ? [] : run('avr-c++filt', [], { input: `${names.join('\n')}\n` }).stdout.split('\n');
  const summed = new Map<string, number>();
  names.forEach((name, i) => {
    const readable = (demangled[i] || name)
      .replace(/\.(lto_priv|constprop|part|isra|cold)\.\d+/g, '.$1')
      .replace(/^global constructors keyed to \S+$/, "global constructors keyed to the sketch");
    summed.set(readable, (summed.get(readable) ?? 0) + (added[name] ?? 0));
  });
  const entries = [...summed].filter(([, bytes]) => bytes !== 0);
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries);
}

function totals(breakdown: Record<string, number>): ExampleCost['breakdown_totals'] {
  const bytes = Object.values(breakdown);
  return {
    added: bytes.filter((b) => b > 0).reduce((a, b) => a + b, 0),
    removed: bytes.filter((b) => b < 0).reduce((a, b) => a + b, 0),
  };
}

function footprint(build: IdeBuild): Footprint {
  return { flash_bytes: build.flash, ram_bytes: build.ram };
}

/**
 * Every example against its plain twin, on one MySensors tree; an example without a twin (yet) is
 * built and listed with its own size only, in `untwinned`.
 */
export function exampleCosts(trees: IdeTrees, label: string): { costs: Record<string, ExampleCost>; untwinned: Record<string, Footprint> } {
  const ws = ideWorkspace(trees, `bench-${label}`);
  const sketches = scratchDir(`bench-sketches-${label}`);
  const costs: Record<string, ExampleCost> = {};
  const untwinned: Record<string, Footprint> = {};
  for (const example of mysealExamples()) {
    const twin = plainTwin(example.name);
    if (twin) costs[example.name] = exampleCost(ws, example, twin, sketches);
    else untwinned[example.name] = footprint(mustBuild(ws, writeExample(example, sketches), example.name));
  }
  return { costs, untwinned };
}

function exampleCost(ws: IdeWorkspace, example: MySealExample, twin: string, sketches: string): ExampleCost {
  const sealed = mustBuild(ws, writeExample(example, sketches), example.name);
  const plain = mustBuild(ws, fixtureIno(twin), twin);
  const breakdown = readableBreakdown(addedSymbols(sealed.elf, plain.elf));
  return {
    flash_bytes: sealed.flash - plain.flash,
    ram_bytes: sealed.ram - plain.ram,
    sketch: footprint(sealed),
    plain_twin: twin,
    plain: footprint(plain),
    breakdown,
    breakdown_totals: totals(breakdown),
  };
}

/** MySensors' signing and encryption, each added to the plain lock: what each adds over it. */
export function mysensorsSecurityCosts(trees: IdeTrees): Record<string, Footprint & { what: string }> {
  const ws = ideWorkspace(trees, 'bench-security');
  const sketches = scratchDir('bench-security-sketches');
  const plainIno = fixtureIno(PLAIN_LOCK);
  const lock = readFileSync(plainIno, 'utf8');
  const plain = mustBuild(ws, plainIno, PLAIN_LOCK);
  const costs: Record<string, Footprint & { what: string }> = {};
  for (const [name, { defines, what }] of Object.entries(MYSENSORS_SECURITY)) {
    const sketch = `${PLAIN_LOCK}_${name}`;
    const ino = writeSketch(sketches, sketch, `${defines.map((d) => `#define ${d}`).join('\n')}\n${lock}`);
    const build = mustBuild(ws, ino, sketch);
    costs[name] = { flash_bytes: build.flash - plain.flash, ram_bytes: build.ram - plain.ram, what };
  }
  return costs;
}

/**
 * Each source file of the library compiled alone without LTO (the flags of bench/avr-toolchain.ts,
 * the IDE's less -flto), its flash (text + data) by avr-size: where the bytes are before the
 * linker inlines and drops, file by file; with LTO they end up inside a few functions.
 */
export function libraryObjectSizes(): Record<string, number> {
  const out = scratchDir('library-objects');
  const sizes: Record<string, number> = {};
  for (const source of librarySources()) {
    const object = join(out, `${basename(source)}.o`);
    run('avr-g++', [...ARDUINO_AVR_FLAGS, '-I', LIBRARY_SRC, '-c', source, '-o', object]);
    const size = avrSize(object);
    sizes[basename(source)] = size.text + size.data;
  }
  return sizes;
}
