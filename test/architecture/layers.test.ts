/**
 * The layers of src/ and the one direction of their imports (README, "Architecture"): a module
 * imports only from its own layer or the ones below, the layers' folders form no cycle, the core
 * and the service do no I/O of their own, and nothing in the product reaches into test support.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** Lower numbers are lower layers; the first matching prefix names a file's layer. */
const LAYERS: readonly [prefix: string, rank: number][] = [
  ['core/', 0],
  ['store/', 1],
  ['audit/', 1],
  ['gateway/', 1],
  ['node/', 1],
  ['io/', 1],
  ['service/', 2],
  ['config/', 3],
  ['edges/http/', 4],
  ['edges/web/', 4],
  ['edges/proxy/', 4],
  ['app/', 5],
  ['edges/cli/', 6],
  ['demo/', 6],
  ['cli.ts', 7],
];

/** Modules that reach disks, sockets, devices or processes: not for the core or the service. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|dgram|child_process|worker_threads|readline)$|^(serialport|@serialport\/.*|mqtt|pino|yaml)$/;

function productFiles(): string[] {
  return (readdirSync(SRC, { recursive: true }) as string[])
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
}

function layerOf(file: string): { name: string; rank: number } {
  for (const [prefix, rank] of LAYERS) if (file.startsWith(prefix)) return { name: prefix.replace(/\/$/, ''), rank };
  throw new Error(`${file} is in no layer: add its folder to LAYERS`);
}

/** Every module specifier a file imports (static, type-only and dynamic), with the path it resolves to when relative. */
function importsOf(file: string): { spec: string; target?: string }[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.map((spec) => (spec.startsWith('.') ? { spec, target: normalize(join(dirname(file), spec)).split('\\').join('/') } : { spec }));
}

test('every import points down or sideways within its layer, never up', () => {
  const wrong: string[] = [];
  for (const file of productFiles()) {
    const from = layerOf(file);
    for (const { spec, target } of importsOf(file)) {
      if (target === undefined) continue;
      if (target.startsWith('..')) {
        wrong.push(`${file} imports ${spec}, outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (to.rank > from.rank) wrong.push(`${file} (${from.name}) imports ${target} (${to.name})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the folders of one layer do not import each other in a cycle', () => {
  const edges = new Map<string, Set<string>>();
  for (const file of productFiles()) {
    const from = layerOf(file).name;
    for (const { target } of importsOf(file)) {
      if (target === undefined || target.startsWith('..')) continue;
      const to = layerOf(target).name;
      if (to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  const cycles = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    if (path.includes(node)) {
      const loop = path.slice(path.indexOf(node));
      cycles.add([...loop].sort().join(' <-> '));
      return;
    }
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const node of edges.keys()) visit(node, []);
  assert.deepEqual([...cycles], []);
});

test('the service takes storage, the audit log and the gateway as interfaces: type imports only', () => {
  const wrong: string[] = [];
  for (const file of productFiles()) {
    if (layerOf(file).name !== 'service') continue;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
      const target = normalize(join(dirname(file), m[2]!)).split('\\').join('/');
      if (m[1] === undefined && /^(store|audit|gateway|io|node)\//.test(target)) wrong.push(`${file} imports values from ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the core and the service do no I/O of their own', () => {
  const wrong: string[] = [];
  for (const file of productFiles()) {
    const { name } = layerOf(file);
    if (name !== 'core' && name !== 'service') continue;
    for (const { spec, target } of importsOf(file)) if (target === undefined && IO_MODULES.test(spec)) wrong.push(`${file} imports ${spec}`);
  }
  assert.deepEqual(wrong, []);
});

test('the layer rules see the imports they check (a file known to import another)', () => {
  const found = importsOf('cli.ts').some((i) => i.target === 'edges/cli/digit.ts');
  assert.equal(found, true, relative(ROOT, SRC));
});
