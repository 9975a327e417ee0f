/**
 * The recipes name what the shipped sketches present: read from the sketches' present() and
 * sendSketchInfo() calls, so that renaming a child in a sketch (or an entity in a recipe) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Command, Internal, Sensor } from '../../src/core/mysensors/enums.ts';
import { LOCK_CHILD, lockPresentation, recipeFile, RECIPES_DIR } from './harness.ts';
import { exampleSketches, sketchPresenting } from './sketches.ts';

/** Home Assistant's slugify for entity ids: lower case, runs of anything else become one '_'. */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** The entity domains each presentation type gets (MySensors integration; MQTT discovery for locks). */
const DOMAINS: Record<string, string[]> = { S_LOCK: ['switch', 'lock'], S_BINARY: ['switch'], S_DOOR: ['binary_sensor'] };

const RECIPE_FILES = readdirSync(RECIPES_DIR).filter((f) => f.endsWith('.md') || f.endsWith('.json'));

test('sketches: every example presents named children; the simulated lock presents what SecureLock does', () => {
  const sketches = exampleSketches();
  assert.deepEqual(sketches.map((s) => s.example), ['SecureDoorContact', 'SecureLock', 'SecureRelay']);
  for (const s of sketches) for (const c of s.children) assert.notEqual(c.description, '', `${s.example}: ${c.childMacro}`);
  const lock = sketchPresenting('S_LOCK');
  const presented = lockPresentation();
  const sketchName = presented.find((m) => m.command === Command.C_INTERNAL && m.type === Internal.I_SKETCH_NAME)?.payload;
  const child = presented.find((m) => m.command === Command.C_PRESENTATION && m.childId === LOCK_CHILD);
  assert.equal(sketchName, lock.sketchName);
  assert.deepEqual([child?.type, child?.payload], [Sensor.S_LOCK, lock.child.description]);
});

test('recipes: the lock in every MySeal config block is named as SecureLock presents it', () => {
  const lockName = sketchPresenting('S_LOCK').child.description;
  for (const file of RECIPE_FILES.filter((f) => f.endsWith('.md'))) {
    const text = recipeFile(file);
    const configs = [...text.matchAll(/^\s*name: (.+)\n\s*children:\n\s*\d+: \{kind: lock/gm)];
    assert.ok(configs.length > 0, `${file}: a MySeal config with a lock node`);
    for (const m of configs) assert.equal(m[1]!.trim(), lockName, `${file}: the lock node's name`);
  }
});

test('recipes: every entity id they name is one a shipped sketch leads to', () => {
  const allowed = new Map<string, Set<string>>();
  for (const s of exampleSketches()) {
    for (const c of s.children) {
      for (const domain of DOMAINS[c.type] ?? []) {
        const names = allowed.get(domain) ?? new Set<string>();
        names.add(slug(c.description));
        // A child without a description would be named "<sketch name> <node> <child>".
        names.add(`${slug(s.sketchName)}_N_N`);
        allowed.set(domain, names);
      }
    }
  }
  let seen = 0;
  for (const file of RECIPE_FILES) {
    for (const m of recipeFile(file).matchAll(/\b(switch|lock|binary_sensor)\.([a-z0-9_]+)\b/g)) {
      const [domain, id] = [m[1]!, m[2]!];
      const names = [...(allowed.get(domain) ?? [])];
      assert.ok(names.includes(id.replace(/_\d+_\d+$/, '_N_N')), `${file}: ${domain}.${id} is not named after a sketch's child (${names.join(', ')})`);
      seen++;
    }
  }
  assert.ok(seen > 0, 'the recipes name entities');
});
