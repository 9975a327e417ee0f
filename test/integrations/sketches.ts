/**
 * What the shipped example sketches (arduino/MySeal/examples/) present, read from their source:
 * the sketch name of sendSketchInfo() and each present(CHILD, S_TYPE, "description"). The recipes
 * and the simulated lock take their names from here, so a renamed child in a sketch shows up as a
 * failing recipe test instead of a recipe naming an entity no controller creates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'arduino', 'MySeal', 'examples');

export interface PresentedChild {
  /** The child id's macro as written in present(), e.g. LOCK_CHILD. */
  childMacro: string;
  /** S_LOCK, S_BINARY, S_DOOR, ... */
  type: string;
  description: string;
}

export interface ExampleSketch {
  /** The example's folder name, e.g. SecureLock. */
  example: string;
  /** sendSketchInfo()'s name: what controllers show for the node. */
  sketchName: string;
  sketchVersion: string;
  children: PresentedChild[];
}

export function exampleSketches(): ExampleSketch[] {
  return readdirSync(EXAMPLES_DIR)
    .sort()
    .map((example) => {
      const source = readFileSync(join(EXAMPLES_DIR, example, `${example}.ino`), 'utf8');
      const info = /sendSketchInfo\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)/.exec(source);
      if (!info) throw new Error(`${example}.ino: no sendSketchInfo("name", "version")`);
      const children = [...source.matchAll(/\bpresent\(\s*(\w+)\s*,\s*(S_\w+)\s*,\s*"([^"]*)"\s*\)/g)].map((m) => ({
        childMacro: m[1]!,
        type: m[2]!,
        description: m[3]!,
      }));
      if (children.length === 0) throw new Error(`${example}.ino: no present(CHILD, S_TYPE, "description")`);
      return { example, sketchName: info[1]!, sketchVersion: info[2]!, children };
    });
}

/** The one example sketch that presents a child of this type (S_LOCK: SecureLock). */
export function sketchPresenting(type: string): ExampleSketch & { child: PresentedChild } {
  const found = exampleSketches().flatMap((s) => s.children.filter((c) => c.type === type).map((child) => ({ ...s, child })));
  if (found.length !== 1) throw new Error(`${found.length} example sketches present an ${type} child`);
  return found[0]!;
}
