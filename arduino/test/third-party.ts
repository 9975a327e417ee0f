/**
 * Where the unmodified third-party trees are that tests and benchmarks build MySeal against: the
 * real MySensors stack (2.3.2 and its development branch), the Arduino AVR core and Servo.
 *
 * Each tree is named by an environment variable (a developer's own checkout, anywhere); without
 * it, the default is `<repository>/../shared/third_party/<folder>`, where CI lays them beside the
 * clone. A test that needs a tree calls requireThirdParty(): without the tree it is skipped, and
 * with MYSEAL_REQUIRE_TOOLS=1 (CI) it fails, as for a missing tool. A variable that names
 * something other than the tree is an error either way: whoever set it meant that tree to be used.
 *
 * The trees are read-only (CI lays them without write bits): a build that writes into its tree
 * (MySensors' `configure`) works on a copy (copyThirdPartyTree()). Nothing may be copied from
 * them into the repository.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import { skipOrFail } from '../../test/support/require-tool.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the trees are when no variable names them: shared/ beside the repository. */
export const DEFAULT_THIRD_PARTY_DIR = resolve(REPO_ROOT, '..', 'shared', 'third_party');

interface TreeSpec {
  /** The environment variable that names the tree's directory. */
  variable: string;
  /** Its folder under DEFAULT_THIRD_PARTY_DIR. */
  folder: string;
  /** Files a directory must hold to be this tree (so a wrong path is caught, not built). */
  markers: readonly string[];
  /** What it is, for messages. */
  title: string;
}

export const THIRD_PARTY_TREES = {
  mysensors: {
    variable: 'MYSEAL_MYSENSORS_DIR',
    folder: 'MySensors-2.3.2',
    markers: ['MySensors.h', 'core/MySensorsCore.h', 'hal/architecture/MyHwHAL.h'],
    title: 'MySensors 2.3.2',
  },
  mysensorsDev: {
    variable: 'MYSEAL_MYSENSORS_DEV_DIR',
    folder: 'MySensors-development',
    markers: ['MySensors.h', 'core/MySensorsCore.h', 'hal/architecture/MyHwHAL.h'],
    title: "MySensors' development branch",
  },
  arduinoAvrCore: {
    variable: 'MYSEAL_ARDUINO_AVR_CORE_DIR',
    folder: 'ArduinoCore-avr-1.8.6',
    markers: ['platform.txt', 'boards.txt', 'cores/arduino/Arduino.h'],
    title: 'ArduinoCore-avr 1.8.6',
  },
  servo: {
    variable: 'MYSEAL_SERVO_DIR',
    folder: 'Servo-1.3.0',
    markers: ['library.properties', 'src/Servo.h'],
    title: 'Servo 1.3.0',
  },
} as const satisfies Record<string, TreeSpec>;

export type ThirdPartyTree = keyof typeof THIRD_PARTY_TREES;

export interface TreeLookup {
  /** The directory looked at. */
  dir: string;
  /** Named by its variable (else the default under shared/). */
  fromVariable: boolean;
  /** Why it cannot be used; undefined when it can. */
  problem?: string;
}

/** Where a tree is looked for, and whether it is there. */
export function lookUpThirdParty(tree: ThirdPartyTree, env: NodeJS.ProcessEnv = process.env): TreeLookup {
  const spec: TreeSpec = THIRD_PARTY_TREES[tree];
  const named = env[spec.variable];
  const fromVariable = named !== undefined && named !== '';
  const dir = fromVariable ? resolve(named) : join(DEFAULT_THIRD_PARTY_DIR, spec.folder);
  const where = fromVariable ? `${spec.variable}=${dir}` : `${dir} (set ${spec.variable} to use another)`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { dir, fromVariable, problem: `no ${spec.title} tree at ${where}` };
  const lacking = spec.markers.filter((m) => !existsSync(join(dir, m)));
  if (lacking.length > 0) {
    return { dir, fromVariable, problem: `${where} is not a ${spec.title} tree (no ${lacking.join(', ')})` };
  }
  return { dir, fromVariable };
}

/**
 * The directories of the trees, or undefined when one is missing (after skipping the test, or
 * throwing under MYSEAL_REQUIRE_TOOLS=1). A variable that names a wrong directory always throws.
 */
export function requireThirdParty<T extends ThirdPartyTree>(t: TestContext, ...trees: T[]): Record<T, string> | undefined {
  const found = {} as Record<T, string>;
  const missing: string[] = [];
  for (const tree of trees) {
    const lookup = lookUpThirdParty(tree);
    if (lookup.problem === undefined) found[tree] = lookup.dir;
    else if (lookup.fromVariable) throw new Error(lookup.problem);
    else missing.push(lookup.problem);
  }
  if (missing.length === 0) return found;
  skipOrFail(t, missing.join('; '), `shared/third_party must be beside the clone, or the variables set`);
  return undefined;
}

/**
 * The trees for a program that is not a test (a benchmark): their directories, or an error that
 * names every missing one.
 */
export function thirdPartyDirs<T extends ThirdPartyTree>(...trees: T[]): Record<T, string> {
  const found = {} as Record<T, string>;
  const problems: string[] = [];
  for (const tree of trees) {
    const lookup = lookUpThirdParty(tree);
    if (lookup.problem === undefined) found[tree] = lookup.dir;
    else problems.push(lookup.problem);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return found;
}

/**
 * A writable copy of a tree (its folder name kept) under `parent`, for builds that write into
 * their tree; returns its directory. CI lays the trees without write bits: the copy gets them back.
 */
export function copyThirdPartyTree(dir: string, parent: string): string {
  const copy = join(parent, basename(resolve(dir)));
  cpSync(dir, copy, { recursive: true, dereference: true });
  const r = spawnSync('chmod', ['-R', 'u+w', copy], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chmod -R u+w ${copy}: ${r.stderr}`);
  return copy;
}
