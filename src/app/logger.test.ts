import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MySealError, ErrorCode } from '../core/errors.ts';
import { CENSOR, createLogger, redactPaths, scrubSecrets } from './logger.ts';
import { isSecretFieldName } from '../core/secret-fields.ts';

function capture(level: Parameters<typeof createLogger>[0] = 'trace') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (s: string) => void lines.push(s) });
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
