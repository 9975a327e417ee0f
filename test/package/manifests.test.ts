/**
 * The three manifests a user meets first: package.json (npm), library.properties (Arduino Library
 * Manager) and library.json (PlatformIO). Each is checked against its own published rules, and the
 * three against each other: one version, one repository, one library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '../support/run-node.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIBRARY = join(ROOT, 'arduino', 'MySeal');

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  types?: string;
  exports?: Record<string, string | Record<string, string>>;
  repository?: { type: string; url: string };
  bugs?: { url: string };
  homepage?: string;
}

interface LibraryJson {
  name: string;
  version: string;
  description: string;
  keywords: string[];
  repository?: { type: string; url: string };
  authors?: { name: string; maintainer?: boolean }[];
  frameworks: string;
  platforms: string;
  headers?: string;
  dependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const libraryJson = JSON.parse(readFileSync(join(LIBRARY, 'library.json'), 'utf8')) as LibraryJson;

/** library.properties as the Arduino tools read it: one key=value a line, # comments, blank lines. */
function readProperties(file: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `every line of library.properties is key=value or a comment: ${line}`);
    const key = line.slice(0, eq).trim();
    assert.equal(properties.has(key), false, `${key} is set once`);
    properties.set(key, line.slice(eq + 1).trim());
  }
  return properties;
}
const properties = readProperties(join(LIBRARY, 'library.properties'));

/** npm writes "git+https://….git"; a browser and the Arduino index want "https://…". */
function repositoryPage(url: string): string {
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The Arduino library specification's fields, each required (1.5 format, rev. 2.2). */
const ARDUINO_REQUIRED = ['name', 'version', 'author', 'maintainer', 'sentence', 'paragraph', 'category', 'url', 'architectures'];
/** The categories the specification allows; any other value is listed as "Uncategorized". */
const ARDUINO_CATEGORIES = ['Display', 'Communication', 'Signal Input/Output', 'Sensors', 'Device Control', 'Timing', 'Data Storage', 'Data Processing', 'Other'];
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

test('library.properties has every field the Arduino library specification requires, each valid', () => {
  for (const key of ARDUINO_REQUIRED) assert.ok((properties.get(key) ?? '') !== '', `${key} is set`);
  const known = [...ARDUINO_REQUIRED, 'depends', 'includes', 'dot_a_linkage', 'precompiled', 'ldflags'];
  assert.deepEqual([...properties.keys()].filter((k) => !known.includes(k)), [], 'no field outside the specification');
  assert.match(properties.get('name')!, /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/);
  assert.ok(!properties.get('name')!.startsWith('Arduino'), 'names starting with Arduino are reserved');
  assert.match(properties.get('version')!, SEMVER);
  assert.ok(ARDUINO_CATEGORIES.includes(properties.get('category')!), `category ${properties.get('category')} is one of the specification's`);
  assert.match(properties.get('url')!, /^https:\/\/\S+$/);
  assert.ok(!properties.get('paragraph')!.startsWith(properties.get('sentence')!), 'the paragraph follows the sentence rather than repeating it');
  assert.deepEqual(properties.get('depends')?.split(',').map((d) => d.trim()), ['MySensors']);
  for (const header of properties.get('includes')!.split(',')) assert.ok(existsSync(join(LIBRARY, 'src', header.trim())), `${header} is in src/`);
});

test('library.json parses and has what PlatformIO requires, with repository, authors and MySensors', () => {
  assert.equal(libraryJson.name, properties.get('name'));
  assert.match(libraryJson.version, SEMVER);
  assert.ok(libraryJson.description.length > 0 && libraryJson.description.length <= 255, 'description: required, at most 255 characters');
  assert.ok(libraryJson.keywords.length > 0, 'keywords: required');
  for (const k of libraryJson.keywords) assert.match(k, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, `keyword ${k}: lowercase a-z, digits, inner dashes`);
  assert.ok(['git', 'hg', 'svn'].includes(libraryJson.repository?.type ?? ''), 'repository.type is git, hg or svn');
  assert.ok((libraryJson.authors ?? []).length > 0, 'authors are listed');
  for (const a of libraryJson.authors!) assert.ok(a.name.length > 0, 'every author has a name');
  assert.ok(libraryJson.authors!.some((a) => a.maintainer === true), 'one author maintains it');
  assert.equal(libraryJson.frameworks, 'arduino');
  assert.equal(libraryJson.headers, properties.get('includes'));
  assert.deepEqual(Object.keys(libraryJson.dependencies ?? {}), ['mysensors/MySensors']);
});

test('package.json: exports, types, repository, bugs and homepage, each pointing where it should', () => {
  assert.ok(pkg.exports !== undefined, 'exports is set');
  assert.equal(pkg.exports['./package.json'], './package.json');
  const main = pkg.exports['.'];
  assert.ok(typeof main === 'object', 'the main entry names its types and its code');
  assert.equal(main.types, pkg.types, 'the top-level types are the main entry types');
  assert.equal(main.default, `./${pkg.bin.myseal}`, 'the main entry is the CLI');
  // Every target is built from a source file (the build test checks the built files themselves).
  for (const target of [main.types!, main.default!]) {
    const source = target.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$|\.js$/, '.ts');
    assert.ok(existsSync(join(ROOT, source)), `${target} is built from ${source}`);
  }
  assert.equal(pkg.repository?.type, 'git');
  const page = repositoryPage(pkg.repository!.url);
  assert.match(page, /^https:\/\/github\.com\/[^/]+\/[^/]+$/);
  assert.equal(pkg.bugs?.url, `${page}/issues`);
  assert.ok(pkg.homepage?.startsWith(page), 'the homepage is the repository page');
});

test('the three manifests agree: one version, one repository', () => {
  assert.equal(properties.get('version'), pkg.version);
  assert.equal(libraryJson.version, pkg.version);
  const page = repositoryPage(pkg.repository!.url);
  assert.equal(properties.get('url'), page);
  assert.equal(repositoryPage(libraryJson.repository!.url), page);
});

test('myseal --version and -V print the package version alone and exit 0', { timeout: 60_000 }, async () => {
  for (const flag of ['--version', '-V']) {
    const r = await runNode(['--import', 'tsx', 'src/cli.ts', flag], { cwd: ROOT });
    assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: '' }, flag);
  }
});
