/**
 * The WebAssembly node (arduino/wasm/myseal-node.wasm) is committed so the demo needs no C
 * toolchain; here it is rebuilt from the library's sources and must come out byte for byte the
 * same, so the committed file can never drift from the C++ it claims to be. It must also stay
 * freestanding: nothing imported but the board's six functions.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { requireTool } from '../../test/support/require-tool.ts';
import { NODE_WASM_URL } from '../../src/node/wasm-node.ts';

const BUILD = fileURLToPath(new URL('../../scripts/build-node-wasm.mjs', import.meta.url));

test('the committed WebAssembly node is what the library sources build to', (t) => {
  if (!requireTool(t, 'clang++', 'wasm-ld')) return;
  const dir = mkdtempSync(join(tmpdir(), 'myseal-wasm-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rebuilt = join(dir, 'node.wasm');
  execFileSync(process.execPath, [BUILD, '--out', rebuilt], { stdio: ['ignore', 'ignore', 'pipe'] });
  const committed = readFileSync(NODE_WASM_URL);
  assert.ok(
    Buffer.compare(readFileSync(rebuilt), committed) === 0,
    'arduino/wasm/myseal-node.wasm differs from a build of the sources: run `npm run build:wasm` and commit it',
  );
});

test('the WebAssembly node imports only the board it is given', () => {
  const module = new WebAssembly.Module(readFileSync(NODE_WASM_URL));
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`).sort();
  assert.deepEqual(imports, [
    'env.eeprom_read:function',
    'env.eeprom_write:function',
    'env.lock_changed:function',
    'env.millis:function',
    'env.send:function',
    'env.set:function',
  ]);
});
