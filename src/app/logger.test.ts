import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MySealError, ErrorCode } from '../core/errors.ts';
import { CENSOR, createLogger, defaultLogFormat, redactPaths, scrubSecrets } from './logger.ts';
import type { LogFormat } from './logger.ts';
import { isSecretFieldName } from '../core/secret-fields.ts';

function capture(level: Parameters<typeof createLogger>[0] = 'trace', format: LogFormat = 'json') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (s: string) => void lines.push(s) }, format);
  return { logger, lines, text: () => lines.join('') };
}

// Each value is unique, so a test can say exactly which one leaked.
const SECRETS = ['S1-1234', 'S2-5678', 'S3-key', 'S4-token', 'S5-pass', 'S6-bearer', 'S7-deep', 'S8-array', 'S9-camel', 'S10-bind', 'S11-err'];

test('fields named pin, digits, key, token, password, authorization never reach the output', () => {
  const { logger, text } = capture();
  logger.info(
    {
      node: 5,
      pin: 'S1-1234',
      digits: 'S2-5678',
      request: { key: 'S3-key', headers: { authorization: 'S6-bearer' } },
      token: 'S4-token',
      user: { password: 'S5-pass' },
      a: { b: { c: { d: { e: { f: { g: { pin: 'S7-deep' } } } } } } },
      list: [{ token: 'S8-array' }, { nested: [{ key: 'S8-array' }] }],
      change: { newPin: 'S9-camel', old_pin: 'S9-camel', Authorization: 'S9-camel', apiToken: 'S9-camel' },
    },
    'unlock requested',
  );
  const out = text();
  SECRETS.forEach((s, i) => assert.ok(!out.includes(s), `secret #${i + 1} leaked (output withheld)`));
  const line = JSON.parse(out) as Record<string, unknown>;
  assert.equal(line.pin, CENSOR);
  assert.equal(line.node, 5, 'other fields are kept');
  assert.equal(line.msg, 'unlock requested');
  assert.deepEqual(line.request, { key: CENSOR, headers: { authorization: CENSOR } });
});

test('child bindings and errors are censored too', () => {
  const { logger, text } = capture();
  const child = logger.child({ session: { token: 'S10-bind' }, node: 7 });
  child.warn({ err: Object.assign(new Error('failed'), { pin: 'S11-err' }) }, 'oops');
  child.error(new MySealError(ErrorCode.BAD_PIN, 'wrong', { node: 7 }), 'refused');
  const out = text();
  SECRETS.forEach((s, i) => assert.ok(!out.includes(s), `secret #${i + 1} leaked (output withheld)`));
  assert.match(out, /"node":7/);
  assert.match(out, /BAD_PIN: wrong/);
});

test('levels filter, cycles and bytes do not break a line', () => {
  const { logger, lines } = capture('warn');
  logger.info({ x: 1 }, 'hidden');
  const cyclic: Record<string, unknown> = { name: 'c' };
  cyclic.self = cyclic;
  logger.warn({ cyclic, frame: new Uint8Array([1, 2, 3]) }, 'shown');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0] ?? '') as { cyclic: { self: string }; frame: string };
  assert.equal(line.cyclic.self, '[circular]');
  assert.equal(line.frame, '[3 bytes]');
});

test('secret field names, and names that merely contain the letters', () => {
  for (const n of ['pin', 'PIN', 'digits', 'digit', 'key', 'Key', 'token', 'password', 'authorization', 'newPin', 'old_pin', 'api-token', 'legacyKey', 'x.secret']) {
    assert.equal(isSecretFieldName(n), true, n);
  }
  for (const n of ['node', 'pinLength', 'keyId', 'position', 'monkey', 'spinner', 'tokenFile', 'digitTimeoutMs', 'result']) {
    assert.equal(isSecretFieldName(n), false, n);
  }
  assert.ok(redactPaths().includes('*.*.*.*.*.authorization'));
  assert.deepEqual(scrubSecrets({ a: [{ pin: 1 }] }), { a: [{ pin: CENSOR }] });
});

test('text form: time, level, message and fields on one line, censored exactly as the JSON form', () => {
  const entry = {
    node: 5,
    gateway: 'tcp://10.0.0.5:5003',
    reason: 'connect ECONNREFUSED',
    pin: 'S1-1234',
    change: { newPin: 'S9-camel' },
    request: { headers: { authorization: 'S6-bearer' } },
  };
  const json = capture('info', 'json');
  const text = capture('info', 'text');
  json.logger.warn(entry, 'gateway connection failed');
  text.logger.warn(entry, 'gateway connection failed');
  json.logger.debug({ x: 1 }, 'hidden');
  text.logger.debug({ x: 1 }, 'hidden');
  assert.equal(text.lines.length, 1);
  const line = text.lines[0]!;
  SECRETS.forEach((s, i) => assert.ok(!line.includes(s), `secret #${i + 1} leaked (output withheld)`));
  assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}gateway connection failed /);
  assert.match(line, / node=5 /);
  assert.match(line, / gateway=tcp:\/\/10\.0\.0\.5:5003 /);
  assert.match(line, / reason="connect ECONNREFUSED" /);
  assert.ok(line.includes(` pin=${CENSOR}`) || line.includes(` pin="${CENSOR}"`));
  assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, 'one line');
  assert.doesNotMatch(line, /"time"|"level"|pid=/, 'no JSON envelope and no pid on a terminal');
  // The same censoring as the JSON form: every censored field there is censored here.
  const parsed = JSON.parse(json.text()) as Record<string, unknown>;
  assert.deepEqual(parsed.change, { newPin: CENSOR });
  assert.ok(line.includes(JSON.stringify({ newPin: CENSOR })));
});

test('the form: text on a terminal, JSON elsewhere, unless MYSEAL_LOG_FORMAT says which', () => {
  assert.equal(defaultLogFormat({}, true), 'text');
  assert.equal(defaultLogFormat({}, false), 'json');
  assert.equal(defaultLogFormat({ MYSEAL_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(defaultLogFormat({ MYSEAL_LOG_FORMAT: 'text' }, false), 'text');
  assert.equal(defaultLogFormat({ MYSEAL_LOG_FORMAT: 'fancy' }, false), 'json');
});
