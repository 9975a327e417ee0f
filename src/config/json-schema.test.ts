/**
 * docs/config.schema.json is what the schema generates, and every config MySeal ships (the example,
 * the recipes' configs) passes both the validator and the JSON Schema; what one refuses, so does
 * the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ErrorCode } from '../core/errors.ts';
import { throwsCode } from '../../test/support/fixtures.ts';
import { configFromText } from './config.ts';
import { configJsonSchema, configJsonSchemaText } from './json-schema.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENV = { XDG_STATE_HOME: '/tmp/myseal-test-state' };

function jsonSchemaCheck(): (doc: unknown) => boolean {
  const validate = new Ajv({ allErrors: true }).compile(configJsonSchema());
  return (doc) => validate(doc);
}

/** The configs the docs ship: the example file, and each ```yaml block of a Markdown file whose first line names a config.yaml. */
function shippedConfigs(): [string, string][] {
  const out: [string, string][] = [['docs/config.example.yaml', readFileSync(join(ROOT, 'docs/config.example.yaml'), 'utf8')]];
  const markdown = ['README.md', ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).map((f) => join('docs', f))].filter((f) =>
    f.endsWith('.md'),
  );
  for (const file of markdown) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [, block] of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      if (/^#.*config\.yaml/.test(block!)) out.push([file, block!]);
    }
  }
  return out;
}

test('docs/config.schema.json is what the schema generates (npm run config-schema)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/config.schema.json'), 'utf8'), configJsonSchemaText());
});

test('the example config names the JSON Schema on its first line, for editors', () => {
  const first = readFileSync(join(ROOT, 'docs/config.example.yaml'), 'utf8').split('\n')[0];
  assert.equal(first, '# yaml-language-server: $schema=./config.schema.json');
});

test('every shipped config passes the validator and the JSON Schema', () => {
  const check = jsonSchemaCheck();
  const configs = shippedConfigs();
  assert.ok(configs.length >= 6, `found the recipes' configs too (${configs.length})`);
  for (const [file, text] of configs) {
    assert.doesNotThrow(() => configFromText(text, { env: ENV }), file);
    assert.equal(check(parse(text) ?? {}), true, `${file} against the JSON Schema`);
  }
});

test('what the validator refuses for its shape, the JSON Schema refuses too', () => {
  const check = jsonSchemaCheck();
  for (const text of [
    'gatway: tcp://h:5003',
    'log: {level: loud}',
    'http: {rateLimitPerMinute: 0}',
    'http: {tls: {cert: c.pem}}',
    'nodes: {5: {children: {1: {kind: door}}}}',
    'nodes: {5: {children: {1: {policy: seal}}}}',
    'nodes: {"05": {}}',
    'pinEntry: {submitKey: "5"}',
    'controllers: {allow: []}',
    'homeAssistant: {discovery: "yes"}',
    'stateDir: ""',
  ]) {
    throwsCode(() => configFromText(text, { env: ENV }), ErrorCode.BAD_CONFIG);
    assert.equal(check(parse(text)), false, text);
  }
});
