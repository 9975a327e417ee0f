/**
 * Whatever a config file holds, loading it ends in a Config or a MySealError: never a TypeError
 * from a validator that assumed a shape, never a parser exception carrying the file's text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { MySealError, isMySealError } from '../core/errors.ts';
import { configFromDocument, configFromText, loadConfig, problemsOf } from './config.ts';
import { editDistance } from './did-you-mean.ts';
import { keysAt } from './issues.ts';
import { configSchema } from './schema.ts';

const env = { XDG_STATE_HOME: '/tmp/myseal-prop-state' };

function onlyMySealError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof MySealError)) throw new Error(`threw ${e instanceof Error ? e.name : typeof e}, not MySealError`);
  }
}

/** Keys that occur in a real config, so random documents get past the first unknown-key check. */
const KEYS = [
  'gateway', 'listen', 'mqttProxy', 'http', 'stateDir', 'pinEntry', 'nodes', 'log', 'inPrefix', 'outPrefix',
  'tokenFile', 'rateLimitPerMinute', 'digitTimeoutMs', 'submitKey', 'clearKey', 'name', 'children', 'legacyEcb',
  'kind', 'policy', 'pinLength', 'critical', 'acceptPlain', 'allowFirmwareUpdate', 'level', 'auditMaxBytes', 'auditKeep', '1', '5', '0', '255', '__proto__',
  'controllers', 'allow', 'mqtt', 'mqttCredentialsFile', 'mqttCaFile',
  'constructor', 'toString',
];
const VALUES = [
  'lock', 'relay', 'seal', 'refuse', 'pass', 'info', '#', '*', 'tcp://h:5003', 'mqtt://b?in=x&out=y',
  'serial:///dev/tty', '127.0.0.1:5003', '[::1]:1', '0.0.0.0:8080', 'mqtts://b', '10.0.0.0/8', '::1', 'fe80::1%eth0',
];

const configLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...VALUES),
    fc.jsonValue(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
  ),
})).value;

test('arbitrary text never throws anything but MySealError', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => onlyMySealError(() => configFromText(text, { env }))),
    { numRuns: 500 },
  );
});

test('arbitrary YAML-ish text (YAML punctuation and known words) never throws anything else', () => {
  const token = fc.constantFrom(
    ...KEYS, ...VALUES, ': ', '\n', '  ', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '!!binary ', '? ',
    '|', '>', '"', "'", '#', '---', '...', '%YAML 1.2', '<<: ', '~', 'null', 'true', '0x1F', '1e999', '.nan', '\t',
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 40 }), (parts) => onlyMySealError(() => configFromText(parts.join(''), { env }))),
    { numRuns: 1000 },
  );
});

test('arbitrary JSON values, as documents and as text, never throw anything else', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (doc) => {
      onlyMySealError(() => configFromDocument(doc, { env }));
      onlyMySealError(() => configFromText(JSON.stringify(doc) ?? '', { env }));
    }),
    { numRuns: 500 },
  );
});

test('config-shaped documents, as objects and as YAML, never throw anything else', () => {
  fc.assert(
    fc.property(configLike, (doc) => {
      onlyMySealError(() => configFromDocument(doc, { env }));
      onlyMySealError(() => configFromText(stringify(doc), { env }));
    }),
    { numRuns: 1000 },
  );
});

test('arbitrary overrides never throw anything else', () => {
  const override = fc.option(fc.oneof(fc.string(), fc.constantFrom(...VALUES)), { nil: undefined });
  fc.assert(
    fc.property(
      fc.record({ gateway: override, listen: override, http: override, stateDir: override, httpTokenFile: override, logLevel: override }),
      (flags) => onlyMySealError(() => configFromText('', { env, flags: Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) })),
    ),
    { numRuns: 300 },
  );
});

test('through a real file too', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-config-prop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.yaml');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      writeFileSync(file, bytes);
      onlyMySealError(() => loadConfig(file, env));
    }),
    { numRuns: 100 },
  );
  assert.ok(true);
});

/** Each map of settings, by its path, with a document that reaches it (a child needs its kind). */
const SECTIONS: [string[], (inner: Record<string, unknown>) => unknown][] = [
  [[], (inner) => inner],
  [['http'], (inner) => ({ http: inner })],
  [['http', 'tls'], (inner) => ({ http: { tls: { cert: 'c.pem', key: 'k.pem', ...inner } } })],
  [['log'], (inner) => ({ log: inner })],
  [['pinEntry'], (inner) => ({ pinEntry: inner })],
  [['mqttProxy'], (inner) => ({ mqttProxy: inner })],
  [['controllers'], (inner) => ({ controllers: inner })],
  [['homeAssistant'], (inner) => ({ homeAssistant: inner })],
  [['nodes', '5'], (inner) => ({ nodes: { 5: inner } })],
  [['nodes', '5', 'children', '1'], (inner) => ({ nodes: { 5: { children: { 1: { kind: 'sensor', ...inner } } } } })],
];

test('a random slip in any known setting name gets "did you mean" with that name', () => {
  const sections = SECTIONS.map(([path, wrap]) => ({ path, wrap, keys: keysAt(configSchema(), path) }));
  // The premise: names of one map are at least 3 edits apart, so one slip is nearer its own name than any other.
  for (const { path, keys } of sections) {
    assert.ok(keys.length > 1, path.join('.'));
    for (const a of keys) for (const b of keys) if (a !== b) assert.ok(editDistance(a.toLowerCase(), b.toLowerCase()) >= 3, `${a} ${b}`);
  }
  const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const slip = fc.record({
    section: fc.nat(sections.length - 1),
    key: fc.nat(),
    op: fc.constantFrom('delete', 'insert', 'replace', 'swap', 'case'),
    at: fc.nat(),
    letter,
  });
  fc.assert(
    fc.property(slip, ({ section, key: k, op, at, letter: c }) => {
      const { path, wrap, keys } = sections[section]!;
      const key = keys[k % keys.length]!;
      const i = at % key.length;
      const typo =
        op === 'delete' ? key.slice(0, i) + key.slice(i + 1)
        : op === 'insert' ? key.slice(0, i) + c + key.slice(i)
        : op === 'replace' ? key.slice(0, i) + c + key.slice(i + 1)
        : op === 'swap' ? key.slice(0, i) + key.slice(i + 1, i + 2) + key.slice(i, i + 1) + key.slice(i + 2)
        : key.slice(0, i) + (key[i] === key[i]!.toUpperCase() ? key[i]!.toLowerCase() : key[i]!.toUpperCase()) + key.slice(i + 1);
      fc.pre(typo !== key && typo !== '' && !keys.includes(typo));
      const field = [...path, typo].join('.');
      try {
        configFromDocument(wrap({ [typo]: true }), { env });
      } catch (e) {
        assert.ok(isMySealError(e));
        const problem = problemsOf(e).find((p) => p.field === field);
        assert.equal(problem?.problem, `unknown setting (did you mean '${key}'?)`, field);
        return;
      }
      assert.fail(`${field} was accepted`);
    }),
    { numRuns: 1000 },
  );
});
