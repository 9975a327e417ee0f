/**
 * The library's example sketches (arduino/MySeal/examples) as tests build them: the .ino as C++
 * with Arduino.h included first (what the Arduino IDE does), next to the key header `myseal
 * keygen` writes (src/store/arduino-header.ts), against the MySensors, Arduino and Servo
 * stand-ins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { renderArduinoHeader } from '../../src/store/arduino-header.ts';
import { ARDUINO_DIR } from '../../bench/avr-toolchain.ts';

export const EXAMPLES = [
  { name: 'SecureLock', node: 5 },
  { name: 'SecureRelay', node: 6 },
  { name: 'SecureDoorContact', node: 7 },
] as const;

export type ExampleName = (typeof EXAMPLES)[number]['name'];

export function exampleNode(name: ExampleName): number {
  const example = EXAMPLES.find((e) => e.name === name);
  if (!example) throw new Error(`no example ${name}`);
  return example.node;
}

/** The test key of an example's node (each node its own). */
export function exampleKey(name: ExampleName): Uint8Array {
  const node = exampleNode(name);
  return Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + node) & 0xff);
}

function inoPath(name: ExampleName): string {
  return join(ARDUINO_DIR, 'MySeal', 'examples', name, `${name}.ino`);
}

/**
 * Writes the example's key header and the translation unit the IDE makes of the sketch into dir;
 * returns the unit's path (compile it with dir on the include path).
 */
export function writeExampleSketch(name: ExampleName, dir: string): string {
  writeFileSync(join(dir, `myseal_node_${exampleNode(name)}.h`), renderArduinoHeader(exampleNode(name), exampleKey(name)));
  const sketch = join(dir, `${name}.ino.cpp`);
  writeFileSync(sketch, `#include <Arduino.h>\n#include "${inoPath(name)}"\n`);
  return sketch;
}

/** A number the sketch #defines (a pin, a time), so a test follows the sketch's own settings. */
export function exampleSetting(name: ExampleName, define: string): number {
  const m = new RegExp(`^#define ${define} (\\d+)\\b`, 'm').exec(readFileSync(inoPath(name), 'utf8'));
  if (!m) throw new Error(`${name}.ino has no #define ${define} <number>`);
  return Number(m[1]);
}
