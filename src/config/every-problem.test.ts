/**
 * Every problem of a configuration at once, each with its file, line and column and the setting's
 * path: `<file>:<line>:<col>: <path>: <problem>`, in the order they are written; the list is also
 * in the error's detail for programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../core/errors.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';
import { configFromText, loadConfig, problemsOf } from './config.ts';

const ENV = { XDG_STATE_HOME: '/tmp/myseal-test-state' };

test('two typos and a bad value in a file: one error listing all three, with file, line and column, in file order', (t) => {
  const file = join(tempDir(t), 'config.yaml');
  writeFileSync(file, 'gatway: tcp://192.168.1.50\nlisten: 127.0.0.1:5013\nnodes:\n  5:\n    children:\n      1: {kind: lock, polcy: seal}\nlog:\n  level: loud\n');
  const e = throwsCode(() => loadConfig(file, ENV), ErrorCode.BAD_CONFIG);
  assert.equal(
    e.message,
    `BAD_CONFIG: 3 problems in ${file}:\n` +
      `${file}:1:1: gatway: unknown setting (did you mean 'gateway'?)\n` +
      `${file}:6:23: nodes.5.children.1.polcy: unknown setting (did you mean 'policy'?)\n` +
      `${file}:8:3: log.level: "loud" is not one of trace, debug, info, warn, error`,
  );
  assert.equal(e.detail.count, 3);
  assert.equal(e.detail.field, 'gatway', 'the first problem, as before the list');
  assert.equal(e.detail.file, file);
  assert.deepEqual(
    problemsOf(e).map((p) => [p.field, p.line, p.col, p.file]),
    [
      ['gatway', 1, 1, file],
      ['nodes.5.children.1.polcy', 6, 23, file],
      ['log.level', 8, 3, file],
    ],
  );
});

test('problems of values, of rules between settings and of ids come together too', () => {
  const e = throwsCode(
    () =>
      configFromText(
        'listen: nowhere\nnodes:\n  "05": {}\n  7:\n    children:\n      1: {kind: lock, acceptPlain: true}\n      2: {kind: lock}\npinEntry: {submitKey: "*"}\n',
        { env: ENV },
      ),
    ErrorCode.BAD_CONFIG,
  );
  assert.deepEqual(
    problemsOf(e).map((p) => p.field),
    ['listen', 'nodes.05', 'nodes.7.children', 'nodes.7.children.1.acceptPlain', 'pinEntry.clearKey'],
  );
  assert.match(e.message, /^BAD_CONFIG: 5 problems in the configuration:\nlisten: "nowhere" has no port/);
});

test('a YAML syntax error names the file and the line, every one of them, never "(file)"', (t) => {
  const file = join(tempDir(t), 'broken.yaml');
  writeFileSync(file, 'listen: 127.0.0.1:5013\nlisten: 127.0.0.1:5014\nhttp: {listen: "127.0.0.1:7325"\n');
  const e = throwsCode(() => loadConfig(file, ENV), ErrorCode.BAD_CONFIG);
  assert.doesNotMatch(e.message, /\(file\)/);
  // The unclosed `{` is found where the text ends; the parser says where.
  assert.match(e.message, new RegExp(`^BAD_CONFIG: 2 problems in ${file}:\\n${file}:2:1: is not valid YAML: DUPLICATE_KEY\\n${file}:\\d+:\\d+: is not valid YAML: [A-Z_]+$`));
  assert.equal(e.detail.file, file);

  writeFileSync(file, Buffer.from([0x6c, 0x3a, 0x20, 0xff, 0x0a]));
  assert.equal(throwsCode(() => loadConfig(file, ENV), ErrorCode.BAD_CONFIG).message, `BAD_CONFIG: ${file}: is not UTF-8 text`);
});

test('every override problem at once, naming the variable or flag; then every broken rule', () => {
  const e = throwsCode(
    () => configFromText('', { env: { ...ENV, MYSEAL_LOG_LEVEL: 'loud' }, flags: { listen: 'nowhere', gateway: 'http://h' } }),
    ErrorCode.BAD_CONFIG,
  );
  assert.deepEqual(
    problemsOf(e).map((p) => [p.field, p.override]),
    [
      ['log.level', 'MYSEAL_LOG_LEVEL'],
      ['gateway', '--gateway'],
      ['listen', '--listen'],
    ],
  );
  const rules = throwsCode(() => configFromText('listen: 127.0.0.1:7325\nhttp: {listen: "127.0.0.1:7325"}\nmqttProxy: {inPrefix: a, outPrefix: a}\n', { env: ENV }), ErrorCode.BAD_CONFIG);
  assert.deepEqual(problemsOf(rules).map((p) => p.field).sort(), ['http.listen', 'mqttProxy.outPrefix']);
});

test('values are shown only when safe: never for an unknown setting, nor for a setting named like a secret', () => {
  const e = throwsCode(
    () => configFromText('password: hunter2-horse\nhttp:\n  token: s3cr3t-t0ken\n  tls: {cert: c.pem, key: 98765432}\n', { env: ENV }),
    ErrorCode.BAD_CONFIG,
  );
  assert.deepEqual(problemsOf(e).map((p) => p.field), ['password', 'http.token', 'http.tls.key']);
  for (const secret of ['hunter2', 's3cr3t', '98765432']) {
    assert.doesNotMatch(e.message, new RegExp(secret));
    assert.doesNotMatch(JSON.stringify(e.detail), new RegExp(secret));
  }
  assert.match(e.message, /http\.tls\.key: the value is not a string/);
});
