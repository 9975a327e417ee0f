#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and arduino/ with Node's own test runner (through tsx).
// Node 20's runner takes no globs, so this finds the files; extra arguments filter by path substring.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'test', 'arduino'];
const filters = process.argv.slice(2);
const files = [];
for (const root of roots) {
  let entries;
  try {
    entries = readdirSync(root, { recursive: true });
  } catch {
    continue;
  }
  for (const entry of entries) {
    const path = join(root, String(entry));
    if (path.includes('node_modules')) continue;
    if (!path.endsWith('.test.ts')) continue;
    if (filters.length > 0 && !filters.some((f) => path.includes(f))) continue;
    files.push(path);
  }
}
files.sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
