/**
 * A command loads only what it uses (README, bench:cli): what `myseal digit` (run by a controller
 * for every key press), a one-shot operation through the daemon, and every command's --help import
 * at start, followed through their static imports. The gateway transports, the brokers' client,
 * the logger, the service and the stores come later, by dynamic import, and only when used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Packages too heavy for a key press: each costs tens of milliseconds to load. */
const HEAVY_PACKAGES = /^(mqtt|serialport|@serialport\/.*|pino|yaml|zod|playwright-core)$/;

/** Files and packages a module loads at start: static value imports, followed; type and dynamic imports are not loaded then. */
function loadedAtStart(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)) {
      if (m[1] !== undefined) continue;
      const spec = m[2]!;
      if (spec.startsWith('.')) queue.push(normalize(join(dirname(file), spec)).split('\\').join('/'));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  }
  return { files, packages };
}

/**
 * What runs the service in this process: the composition root, the service's machinery, the gateway
 * link and its transports, the stores and the audit log. (Configuration, with its small parsers of
 * URLs and node ids, is read by every command and may load.)
 */
const IN_PROCESS = /^(app\/|service\/(daemon|routing|sessions|health|lock\/lock-operations)|gateway\/(link|tcp|serial|mqtt|create-gateway|frame-link)|store\/(counter-store|key-store|received-journal|group-commit)|audit\/|node\/|demo\/)/;

function assertLight(entry: string, forbiddenFolders: RegExp): void {
  const { files, packages } = loadedAtStart(entry);
  assert.deepEqual([...packages].filter((p) => HEAVY_PACKAGES.test(p)), [], `${entry} loads heavy packages at start`);
  assert.deepEqual([...files].filter((f) => forbiddenFolders.test(f)), [], `${entry} loads these at start`);
}

test('the CLI itself loads no command at start', () => {
  const { files } = loadedAtStart('cli.ts');
  assert.deepEqual([...files].sort(), ['cli.ts', 'core/errors.ts']);
});

test('every --help loads its text only: no service, store, gateway or heavy package', () => {
  const helps = readdirSync(join(SRC, 'edges/cli/help')).filter((f) => f.endsWith('.ts'));
  assert.ok(helps.length >= 8, 'the help modules were found');
  for (const help of helps) assertLight(`edges/cli/help/${help}`, new RegExp(`^(${IN_PROCESS.source}|service/|edges/(http|web|proxy)/)`));
});

/**
 * The full configuration loader: the file's parser and schema, the rules on gateways and brokers.
 * `myseal digit` reads its few settings through config/client-config.ts, which loads these only when
 * there is a config file to read.
 */
const FULL_CONFIG = /^config\/(config|validate|schema|yaml-source|issues|rules|gateway-url|document-rules|types)\.ts$/;

test('myseal digit loads the daemon client only: no service, store, gateway, audit, config loader or heavy package', () => {
  assertLight('edges/cli/digit.ts', new RegExp(`^(${IN_PROCESS.source}|service/|gateway/|edges/(web|proxy)/)|${FULL_CONFIG.source}`));
  const { files } = loadedAtStart('config/config.ts');
  assert.ok(files.has('config/schema.ts') && files.has('config/rules.ts'), 'the rule sees what the full loader loads');
});

test('myseal login-link loads the daemon client only: no service machinery, store, gateway, audit, web routes or heavy package', () => {
  assertLight('edges/cli/login-link.ts', new RegExp(`^(${IN_PROCESS.source}|service/lock|edges/(web|proxy)/)`));
});

test('a one-shot operation loads the in-process service only when no daemon answers', () => {
  assertLight('edges/cli/operate.ts', IN_PROCESS);
  const { files } = loadedAtStart('app/one-shot.ts');
  assert.ok(files.has('service/daemon.ts') && files.has('gateway/create-gateway.ts'), 'the rule sees what the in-process path loads');
});
