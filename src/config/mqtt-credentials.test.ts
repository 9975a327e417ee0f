import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode } from '../core/errors.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';
import { parseMqttCredentials, readMqttCredentials } from './mqtt-credentials.ts';

const SECRET = 'hunter2-correct-horse';

test('two lines, one line, or YAML with username and password', () => {
  assert.deepEqual(parseMqttCredentials(`myseal\n${SECRET}\n`), { ok: true, value: { username: 'myseal', password: SECRET } });
  assert.deepEqual(parseMqttCredentials(`myseal\r\n${SECRET}`), { ok: true, value: { username: 'myseal', password: SECRET } });
  assert.deepEqual(parseMqttCredentials('myseal\n'), { ok: true, value: { username: 'myseal' } });
  assert.deepEqual(parseMqttCredentials(`myseal\n a password: with spaces # and more \n`), {
    ok: true,
    value: { username: 'myseal', password: ' a password: with spaces # and more ' },
  });
  assert.deepEqual(parseMqttCredentials(`username: myseal\npassword: "${SECRET}"\n`), { ok: true, value: { username: 'myseal', password: SECRET } });
  assert.deepEqual(parseMqttCredentials("password: '0123'\nusername: m\n"), { ok: true, value: { username: 'm', password: '0123' } });
  assert.deepEqual(parseMqttCredentials('username: myseal\n'), { ok: true, value: { username: 'myseal' } });
});

test('refusals say what is wrong and never repeat the file', () => {
  for (const text of [
    '',
    '\n',
    `a\n${SECRET}\nthird line`,
    `\n${SECRET}`,
    `username: x\npassword: ${SECRET}\nport: 1`,
    `password: "${SECRET}"`,
    'username: x\npassword: 1234',
    `username: [${SECRET}]`,
    `username: x\npassword: "${SECRET}`,
    `username: x\nusername: y\npassword: "${SECRET}"`,
    `user\u0001name\n${SECRET}`,
    `name\n${SECRET}\u0007`,
  ]) {
    const r = parseMqttCredentials(text);
    assert.equal(r.ok, false, JSON.stringify(text));
    if (!r.ok) {
      assert.equal(r.error.codeName, 'BAD_CONFIG');
      assert.equal(r.error.message.includes(SECRET), false);
    }
  }
});

test('property: never throws; any printable user name and password on two lines come back as they were', () => {
  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
  fc.assert(
    fc.property(printable.filter((u) => u.length > 0 && !/^\s*(username|password)\s*:/.test(u)), printable, (username, password) => {
      assert.deepEqual(parseMqttCredentials(`${username}\n${password}\n`), { ok: true, value: { username, password } });
    }),
    { numRuns: 500 },
  );
  const piece = fc.constantFrom('username', 'password', ':', ' ', '\n', '"', "'", '#', '[', '{', '&a', '*a', '!!int', '0123', 'x', '\r', '\t', '\u0000', '---');
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(piece, { maxLength: 20 }).map((p) => p.join(''))), (text) => {
      parseMqttCredentials(text);
    }),
    { numRuns: 2000 },
  );
});

test('the file: 0600 and ours, else refused like a key file; missing or oversized is BAD_CONFIG naming the setting', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mqtt-login');
  writeFileSync(file, `myseal\n${SECRET}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  assert.deepEqual(readMqttCredentials(file, 'mqttCredentialsFile'), { username: 'myseal', password: SECRET });
  for (const mode of [0o640, 0o604, 0o644]) {
    chmodSync(file, mode);
    const e = throwsCode(() => readMqttCredentials(file, 'mqttCredentialsFile'), ErrorCode.KEY_STORE_PERMISSIONS);
    assert.equal(e.message.includes(SECRET), false);
  }
  chmodSync(file, 0o600);
  symlinkSync(file, join(dir, 'link'));
  throwsCode(() => readMqttCredentials(join(dir, 'link'), 'mqttCredentialsFile'), ErrorCode.KEY_STORE_PERMISSIONS);
  const missing = throwsCode(() => readMqttCredentials(join(dir, 'none'), 'controllers.mqttCredentialsFile'), ErrorCode.BAD_CONFIG);
  assert.match(missing.message, /^BAD_CONFIG: controllers\.mqttCredentialsFile: .* does not exist/);
  writeFileSync(file, `myseal\n${'x'.repeat(5000)}\n`);
  throwsCode(() => readMqttCredentials(file, 'mqttCredentialsFile'), ErrorCode.BAD_CONFIG);
  writeFileSync(file, `a\n${SECRET}\nb\n`);
  const bad = throwsCode(() => readMqttCredentials(file, 'mqttCredentialsFile'), ErrorCode.BAD_CONFIG);
  assert.match(bad.message, /^BAD_CONFIG: mqttCredentialsFile: the MQTT credentials file is not one or two lines/);
  assert.equal(bad.message.includes(SECRET), false);
});
