import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../core/bytes.ts';
import { FileCounters } from '../../store/counter-store.ts';
import { FileKeyStore, KEY_STORE_FILE } from '../../store/key-store.ts';
import { LOCK_FILE } from '../../store/state-lock.ts';
import { HELP } from './help/keygen.ts';
import { run } from './keygen.ts';
import { tempDir } from '../../../test/support/fixtures.ts';

interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** Every output of every run in a test, to check at the end that no key was ever printed. */
const printed: string[] = [];

async function keygen(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env });
  printed.push(out, err);
  return { code, out, err };
}

function keyOf(stateDir: string, node: number): Uint8Array | undefined {
  return FileKeyStore.open(stateDir).get(node)?.key;
}

function headerKey(path: string): Uint8Array | undefined {
  const m = /^#define MYSEAL_KEY \{ (.*) \}$/m.exec(readFileSync(path, 'utf8'));
  return m?.[1] ? new Uint8Array(m[1].split(', ').map((b) => Number.parseInt(b, 16))) : undefined;
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

function assertNoKeyPrinted(key: Uint8Array): void {
  const hex = toHex(key);
  const all = printed.join('\n').toLowerCase();
  for (let i = 0; i + 8 <= hex.length; i += 1) assert.ok(!all.includes(hex.slice(i, i + 8)), 'a key was printed');
  const cBytes = Array.from(key.subarray(0, 4), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ');
  assert.ok(!all.includes(cBytes), 'a key was printed as C bytes');
}

test('--help prints the usage and exits 0', async () => {
  const r = await keygen(['--help']);
  assert.equal(r.code, 0);
  assert.equal(r.out, HELP);
  assert.match(HELP, /--node N/);
  assert.match(HELP, /--state-dir DIR/);
  assert.match(HELP, /--header PATH/);
  assert.match(HELP, /--force/);
  assert.equal((await keygen(['-h'])).code, 0);
});

test('usage errors exit 2 with a message naming the problem', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  const cases: [string[], RegExp][] = [
    [[], /--node N is required/],
    [['--node'], /--node needs a value/],
    [['--node', '256'], /out of range/],
    [['--node', '255'], /broadcast/],
    [['--node', '300'], /out of range/],
    [['--node', 'abc'], /must be a number/],
    [['--node', '-1'], /--node needs a value|must be a number/],
    [['--node', '1.5'], /must be a number/],
    [['--node', '5', '--bogus'], /unknown option --bogus/],
    [['--node', '5', '--force=yes'], /--force takes no value/],
    [['--node', '5', '--state-dir', ''], /--state-dir needs a directory/],
  ];
  for (const [argv, message] of cases) {
    const r = await keygen(['--state-dir', dir, ...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '');
    // Said the way every command says a usage error: the problem, then where the help is.
    assert.match(r.err, /^myseal keygen: (?!USAGE)[^\n]* \(see myseal keygen --help\)\n$/);
    assert.match(r.err, message, argv.join(' '));
  }
  // A stray argument is not echoed: whatever was pasted there stays out of the output.
  const stray = await keygen(['--node', '5', 'deadbeefcafe', '--state-dir', dir]);
  assert.equal(stray.code, 2);
  assert.ok(!stray.err.includes('deadbeefcafe'));
  assert.equal(existsSync(join(dir, KEY_STORE_FILE)), false, 'a usage error writes nothing');
});

test('keygen stores a key, writes the header 0600 with the same key, and never prints it', async (t) => {
  const dir = join(tempDir(t, 'myseal-keygen-'), 'state');
  const r = await keygen(['--node', '12', '--state-dir', dir]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const header = join(dir, 'arduino', 'myseal_node_12.h');
  assert.ok(r.out.includes(header), 'stdout names the header');
  assert.match(r.out, /flash/);
  assert.match(r.out, /version control/);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'arduino')).mode & 0o777, 0o700);
  assert.equal(statSync(header).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, KEY_STORE_FILE)).mode & 0o777, 0o600);
  const key = keyOf(dir, 12);
  assert.equal(key?.length, 16);
  assert.ok(sameBytes(headerKey(header), key), 'the header holds the stored key');
  assert.equal(await FileCounters.open(dir).nextSend(12), 1);
  if (key) assertNoKeyPrinted(key);
});

test('node 0 (a lock in the gateway\'s own sketch) gets a key; --lock-child names the lock\'s child in the header and says what to configure', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  const r = await keygen(['--node', '0', '--state-dir', dir]);
  assert.equal(r.code, 0, r.err);
  const header = readFileSync(join(dir, 'arduino', 'myseal_node_0.h'), 'utf8');
  assert.ok(/^#define MYSEAL_NODE_ID 0$/m.test(header) && /^#define MYSEAL_LOCK_CHILD 1$/m.test(header));
  assert.ok(sameBytes(headerKey(join(dir, 'arduino', 'myseal_node_0.h')), keyOf(dir, 0)));
  assert.equal(await FileCounters.open(dir).nextSend(0), 1);
  assert.doesNotMatch(r.out, /kind: lock/, 'the default child needs no configuration');

  const other = await keygen(['--node', '9', '--lock-child', '3', '--state-dir', dir]);
  assert.equal(other.code, 0, other.err);
  assert.ok(/^#define MYSEAL_LOCK_CHILD 3$/m.test(readFileSync(join(dir, 'arduino', 'myseal_node_9.h'), 'utf8')));
  assert.match(other.out, /configure nodes\.9\.children\.3 with kind: lock/);
  for (const bad of ['255', 'x', '-1']) {
    const refused = await keygen(['--node', '10', '--lock-child', bad, '--state-dir', dir]);
    assert.equal(refused.code, 2, bad);
    assert.match(refused.err, /--lock-child must be a number 0-254|--lock-child needs a value/);
  }
  for (const node of [0, 9]) {
    const key = keyOf(dir, node);
    if (key) assertNoKeyPrinted(key);
  }
});

test('an existing key is not replaced without --force (exit 1, nothing changed)', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  assert.equal((await keygen(['--node', '4', '--state-dir', dir])).code, 0);
  const key = keyOf(dir, 4);
  const header = join(dir, 'arduino', 'myseal_node_4.h');
  const headerText = readFileSync(header, 'utf8');

  const again = await keygen(['--node', '4', '--state-dir', dir]);
  assert.equal(again.code, 1);
  assert.match(again.err, /^myseal keygen: KEY_EXISTS: node 4 already has a key/);
  assert.match(again.err, /--force/);
  assert.ok(sameBytes(keyOf(dir, 4), key));
  assert.ok(readFileSync(header, 'utf8') === headerText, 'the header is untouched');
  if (key) assertNoKeyPrinted(key);
});

test('an existing header is not overwritten without --force, and then no key is made', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  const header = join(dir, 'node6.h');
  writeFileSync(header, '/* someone else\'s */\n', { mode: 0o600 });
  const r = await keygen(['--node', '6', '--state-dir', dir, '--header', header]);
  assert.equal(r.code, 1);
  assert.match(r.err, /FILE_EXISTS: .*node6\.h already exists; use --force/);
  assert.equal(keyOf(dir, 6), undefined, 'no key without its header');
  assert.equal(readFileSync(header, 'utf8'), '/* someone else\'s */\n');
});

test('--force replaces the key and the header and starts the node\'s counters afresh', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  const header = join(dir, 'custom.h');
  assert.equal((await keygen(['--node', '8', '--state-dir', dir, '--header', header])).code, 0);
  const first = keyOf(dir, 8);
  const counters = FileCounters.open(dir);
  for (let i = 0; i < 3; i += 1) await counters.nextSend(8);
  await counters.recordReceived(8, 99);

  const r = await keygen(['--node', '8', '--state-dir', dir, '--header', header, '--force']);
  assert.equal(r.code, 0, r.err);
  const second = keyOf(dir, 8);
  assert.ok(second !== undefined && !sameBytes(first, second), 'a new key');
  assert.ok(sameBytes(headerKey(header), second));
  assert.equal(statSync(header).mode & 0o777, 0o600);
  const fresh = FileCounters.open(dir);
  assert.equal(fresh.lastReceived(8), 0);
  assert.equal(await fresh.nextSend(8), 1);
  if (first) assertNoKeyPrinted(first);
  if (second) assertNoKeyPrinted(second);
});

test('the state dir comes from MYSEAL_STATE_DIR when --state-dir is absent', async (t) => {
  const dir = join(tempDir(t, 'myseal-keygen-'), 'from-env');
  const r = await keygen(['--node', '20'], { MYSEAL_STATE_DIR: dir });
  assert.equal(r.code, 0, r.err);
  assert.ok(keyOf(dir, 20) !== undefined);
  assert.ok(existsSync(join(dir, 'arduino', 'myseal_node_20.h')));
});

test('a key store others can read is refused (exit 1), and the message says how to fix it', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  assert.equal((await keygen(['--node', '1', '--state-dir', dir])).code, 0);
  chmodSync(join(dir, KEY_STORE_FILE), 0o644);
  const r = await keygen(['--node', '2', '--state-dir', dir]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^myseal keygen: KEY_STORE_PERMISSIONS: .*chmod 600/);
  const key = (() => {
    chmodSync(join(dir, KEY_STORE_FILE), 0o600);
    return keyOf(dir, 1);
  })();
  if (key) assertNoKeyPrinted(key);
});

test('keygen refuses while another process (a running daemon) holds the state dir, and changes nothing', async (t) => {
  const dir = tempDir(t, 'myseal-keygen-');
  assert.equal((await keygen(['--node', '3', '--state-dir', dir])).code, 0);
  const before = readFileSync(join(dir, KEY_STORE_FILE));
  const counters = readFileSync(join(dir, 'counters', '3.json'));
  // The parent of this test process is alive and not us: it stands for `myseal serve`.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, purpose: 'serve' }));
  for (const argv of [['--node', '4'], ['--node', '3', '--force']]) {
    const r = await keygen([...argv, '--state-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^myseal keygen: STATE_LOCKED: the state dir is in use by process ${process.ppid} \\(serve\\)`));
  }
  assert.deepEqual(readFileSync(join(dir, KEY_STORE_FILE)), before, 'the key store is unchanged');
  assert.deepEqual(readFileSync(join(dir, 'counters', '3.json')), counters, 'the counters are unchanged');
  assert.equal(existsSync(join(dir, 'counters', '4.json')), false);
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.ppid, "the daemon's lock is left alone");
});
