/**
 * The recipes in docs/integrations/ as documents: every `<!-- recipe: NAME -->` marker is followed by
 * exactly the code block a test reads, every relative link points at a file that exists, and the
 * addresses they use are the ones the rest of MySeal's documentation uses (proxy 5013, API 7325).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { recipeBlock, recipeFile, RECIPES_DIR } from './harness.ts';

const RECIPES = ['domoticz.md', 'home-assistant.md', 'openhab.md', 'node-red.md'];

test('recipes: one per controller; markers, links and addresses hold together', () => {
  const present = readdirSync(RECIPES_DIR).filter((f) => f.endsWith('.md'));
  for (const r of RECIPES) assert.ok(present.includes(r), `docs/integrations/${r}`);
  for (const file of RECIPES) {
    const text = recipeFile(file);
    const markers = [...text.matchAll(/<!-- recipe: ([a-z0-9-]+) -->/g)].map((m) => m[1]!);
    assert.ok(markers.length > 0, `${file} has recipe blocks`);
    for (const name of markers) assert.notEqual(recipeBlock(file, name).trim(), '', `${file}: ${name}`);
    for (const m of text.matchAll(/\]\(((?!https?:)[^)#\s]+)\)/g)) {
      const target = resolve(dirname(join(RECIPES_DIR, file)), m[1]!);
      assert.ok(existsSync(target), `${file}: link to ${m[1]} (${target})`);
    }
    // The addresses of the examples: MySeal's proxy port and HTTP API on loopback.
    assert.match(text, /127\.0\.0\.1:7325/, `${file}: the HTTP API`);
    assert.ok(/127\.0\.0\.1:5013|tcpPort=5013|tcp_port: 5013|\b5013\b/.test(text), `${file}: the proxy port`);
    assert.equal(/\b5003\b/.test(text.replace(/192\.168\.1\.50:5003|usually 5003/g, '')), false, `${file}: 5003 only as the gateway's port`);
  }
});
