import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode, MySealError, isMySealError } from '../core/errors.ts';
import { toHex } from '../core/bytes.ts';
import { FileKeyStore, KEY_STORE_FILE, parseKeyStore, serializeKeyTable } from './key-store.ts';
import { tempDir, throwsCode } from '../../test/support/fixtures.ts';

/** Compares keys without ever putting their bytes into an assertion message. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/**
 * Every way an error could carry text out (message, stack, detail, cause), checked for any 8 hex
 * digits of the key in a row: JSON.parse, for one, quotes just the first 10 characters it chokes on.
 */
function leaks(e: MySealError, key: Uint8Array): boolean {
  const hex = toHex(key);
  const text = [e.message, String(e.stack), JSON.stringify(e.detail), String(e.cause)].join('\n').toLowerCase();
  for (let i = 0; i + 8 <= hex.length; i += 1) if (text.includes(hex.slice(i, i + 8))) return true;
  return false;
}

const VALID = {
  version: 1,
  nodes: {
    '1': { key: '00112233445566778899aabbccddeeff', created: '2024-05-01T10:00:00.000Z' },
    '254': {
      key: 'FFEEDDCCBBAA99887766554433221100',
      pendingKey: '0f0e0d0c0b0a09080706050403020100',
      created: '2024-05-01T10:00:00Z',
    },
  },
};

test('an empty state dir is an empty store, and nothing is written until a change', async (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  assert.deepEqual(store.list(), []);
  assert.equal(store.get(1), undefined);
  assert.equal(store.get(0), undefined, 'ids off the wire with no key are just undefined');
  assert.equal(store.get(255), undefined);
  await store.discardPending(1);
  await store.commitPending(1);
  assert.equal(existsSync(join(dir, KEY_STORE_FILE)), false);
});

test('create stores a random 16-byte key durably, in a 0600 file', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  const key = store.create(12);
  assert.equal(key.length, 16);
  assert.ok(sameBytes(store.get(12)?.key, key));
  assert.equal(statSync(join(dir, KEY_STORE_FILE)).mode & 0o777, 0o600);
  const other = store.create(13);
  assert.ok(!sameBytes(key, other), 'two nodes get different keys');
  const reopened = FileKeyStore.open(dir);
  assert.deepEqual(reopened.list(), [12, 13]);
  assert.ok(sameBytes(reopened.get(12)?.key, key));
  assert.equal(reopened.get(12)?.pendingKey, undefined);
  const doc = JSON.parse(readFileSync(join(dir, KEY_STORE_FILE), 'utf8')) as { version: number; nodes: Record<string, { created: string }> };
  assert.equal(doc.version, 1);
  assert.ok(!Number.isNaN(Date.parse(doc.nodes['12']?.created ?? '')));
});

test('has() says whether a node has a key, as get() does, without handing out the key', (t) => {
  const store = FileKeyStore.open(tempDir(t, 'myseal-keys-'));
  store.create(12);
  for (const node of [0, 11, 12, 13, 255]) assert.equal(store.has(node), store.get(node) !== undefined, `node ${node}`);
  assert.equal(store.has(12), true);
  assert.equal(FileKeyStore.open(store.path.slice(0, -KEY_STORE_FILE.length - 1)).has(12), true, 'after reopening');
});

test('create refuses a node that has a key (KEY_EXISTS) unless forced', async (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  const first = store.create(5);
  await store.setPending(5, new Uint8Array(16).fill(7));
  const e = throwsCode(() => store.create(5), ErrorCode.KEY_EXISTS);
  assert.ok(!leaks(e, first));
  assert.ok(sameBytes(FileKeyStore.open(dir).get(5)?.key, first), 'a refused create changes nothing');
  const second = store.create(5, { force: true });
  assert.ok(!sameBytes(first, second));
  const reopened = FileKeyStore.open(dir).get(5);
  assert.ok(sameBytes(reopened?.key, second));
  assert.equal(reopened?.pendingKey, undefined, 'force drops a pending key too');
});

test('node ids outside 0-254 are USAGE errors for changes; node 0 (a lock in the gateway\'s sketch) has a key', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  assert.equal(store.create(0).length, 16);
  assert.deepEqual(FileKeyStore.open(dir).list(), [0], 'stored as "0" and read back');
  for (const bad of [255, -1, 1.5, Number.NaN, 1000]) {
    throwsCode(() => store.create(bad), ErrorCode.USAGE);
    throwsCode(() => store.setPending(bad, new Uint8Array(16)), ErrorCode.USAGE);
  }
});

test('rotation: setPending, commitPending, discardPending are durable', async (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  const old = store.create(3);
  const next = new Uint8Array(16).map((_, i) => i * 3);

  await store.setPending(3, next);
  let seen = FileKeyStore.open(dir).get(3);
  assert.ok(sameBytes(seen?.key, old));
  assert.ok(sameBytes(seen?.pendingKey, next));

  await store.discardPending(3);
  seen = FileKeyStore.open(dir).get(3);
  assert.ok(sameBytes(seen?.key, old));
  assert.equal(seen?.pendingKey, undefined);

  await store.setPending(3, next);
  await store.commitPending(3);
  seen = FileKeyStore.open(dir).get(3);
  assert.ok(sameBytes(seen?.key, next));
  assert.equal(seen?.pendingKey, undefined);
  assert.ok(sameBytes(store.get(3)?.key, next));

  throwsCode(() => store.setPending(4, next), ErrorCode.NO_KEY);
  throwsCode(() => store.setPending(3, new Uint8Array(15)), ErrorCode.BAD_KEY);
  throwsCode(() => store.setPending(3, new Uint8Array(17)), ErrorCode.BAD_KEY);
});

test('get returns copies: wiping them does not touch the store', async (t) => {
  const store = FileKeyStore.open(tempDir(t, 'myseal-keys-'));
  const key = store.create(9);
  const pending = new Uint8Array(16).fill(1);
  await store.setPending(9, pending);
  const got = store.get(9);
  got?.key.fill(0);
  got?.pendingKey?.fill(0);
  key.fill(0);
  pending.fill(0);
  const again = store.get(9);
  assert.ok(again !== undefined && again.key.some((b) => b !== 0));
  assert.ok(again.pendingKey?.every((b) => b === 1));
});

test('changes apply to the file as it is now, so two processes do not undo each other', async (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const daemon = FileKeyStore.open(dir);
  const keygen = FileKeyStore.open(dir);
  daemon.create(1);
  keygen.create(2); // keygen's copy was opened before node 1 existed
  await daemon.setPending(1, new Uint8Array(16).fill(4));
  assert.deepEqual(FileKeyStore.open(dir).list(), [1, 2]);
  assert.deepEqual(daemon.list(), [1, 2]);
  keygen.reload();
  assert.ok(keygen.get(1)?.pendingKey !== undefined);
});

test('rotation changes wait on the disk off the event loop, one at a time, each applied to the file as it is', async (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  const old = store.create(1);
  store.create(2);
  const next = new Uint8Array(16).fill(9);
  // Started together: nothing is on disk when the calls return (the writes go through the thread
  // pool), and each change reads the file the one before it wrote, so none undoes another.
  const changes = [store.setPending(1, next), store.commitPending(1), store.setPending(2, next), store.discardPending(2)];
  assert.equal(FileKeyStore.open(dir).get(1)?.pendingKey, undefined, 'not written before the event loop turns');
  await Promise.all(changes);
  const seen = FileKeyStore.open(dir);
  assert.ok(sameBytes(seen.get(1)?.key, next), 'node 1: the pending key was committed');
  assert.ok(!sameBytes(seen.get(1)?.key, old));
  assert.equal(seen.get(2)?.pendingKey, undefined, 'node 2: pending, then discarded');
  assert.ok(sameBytes(store.get(1)?.key, next), 'the memory copy follows the file');
});

test('a failed rotation change rejects and changes nothing in memory; the next change still runs', async (t) => {
  const root = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(root);
  const key = store.create(1);
  const file = join(root, KEY_STORE_FILE);
  const saved = readFileSync(file);
  // Take the state dir away from under the store: the change finds no key for the node in the file.
  rmSync(root, { recursive: true });
  await assert.rejects(store.setPending(1, new Uint8Array(16).fill(3)), (e) => isMySealError(e, ErrorCode.NO_KEY));
  assert.equal(store.get(1)?.pendingKey, undefined);
  assert.ok(sameBytes(store.get(1)?.key, key));
  mkdirSync(root, { mode: 0o700 });
  writeFileSync(file, saved, { mode: 0o600 });
  await store.setPending(1, new Uint8Array(16).fill(3));
  assert.ok(FileKeyStore.open(root).get(1)?.pendingKey !== undefined);
});

test('a failed write changes nothing in memory', (t) => {
  const root = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(root);
  const key = store.create(1);
  // Take the state dir away from under the store (a store that cannot be reread is not written).
  rmSync(root, { recursive: true });
  throwsCode(() => store.create(2), ErrorCode.STORAGE_IO);
  assert.deepEqual(store.list(), [1]);
  assert.ok(sameBytes(store.get(1)?.key, key));
});

test('loading refuses a key store with any group or other permission bit', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const key = FileKeyStore.open(dir).create(1);
  const file = join(dir, KEY_STORE_FILE);
  for (const bad of [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o601]) {
    chmodSync(file, bad);
    const e = throwsCode(() => FileKeyStore.open(dir), ErrorCode.KEY_STORE_PERMISSIONS);
    assert.match(e.message, /chmod 600/);
    assert.ok(!leaks(e, key));
  }
  chmodSync(file, 0o600);
  assert.ok(sameBytes(FileKeyStore.open(dir).get(1)?.key, key));
  chmodSync(file, 0o400);
  assert.ok(sameBytes(FileKeyStore.open(dir).get(1)?.key, key), 'read-only for the owner is fine');
});

test('loading refuses a symlinked key store', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const elsewhere = join(dir, 'elsewhere.json');
  writeFileSync(elsewhere, JSON.stringify(VALID), { mode: 0o600 });
  symlinkSync(elsewhere, join(dir, KEY_STORE_FILE));
  throwsCode(() => FileKeyStore.open(dir), ErrorCode.KEY_STORE_PERMISSIONS);
});

test('a valid file with upper and lower case hex loads', () => {
  const table = parseKeyStore(JSON.stringify(VALID));
  assert.deepEqual([...table.keys()], [1, 254]);
  assert.equal(table.get(254)?.pendingKey?.length, 16);
  assert.equal(table.get(254)?.key[0], 0xff);
});

test('corrupt or unexpected contents are KEY_STORE_CORRUPT, never an empty store', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const file = join(dir, KEY_STORE_FILE);
  const node = (entry: Record<string, unknown>): string => JSON.stringify({ version: 1, nodes: { '1': entry } });
  const key = '00112233445566778899aabbccddeeff';
  const created = '2024-05-01T10:00:00Z';
  const cases: [string, string | Uint8Array][] = [
    ['empty file', ''],
    ['truncated JSON', JSON.stringify(VALID).slice(0, 40)],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '1'],
    ['no version', JSON.stringify({ nodes: {} })],
    ['version 2', JSON.stringify({ version: 2, nodes: {} })],
    ['version "1"', JSON.stringify({ version: '1', nodes: {} })],
    ['no nodes', JSON.stringify({ version: 1 })],
    ['nodes is an array', JSON.stringify({ version: 1, nodes: [] })],
    ['unknown top-level field', JSON.stringify({ version: 1, nodes: {}, extra: 1 })],
    ['node 255', JSON.stringify({ version: 1, nodes: { '255': { key, created } } })],
    ['node 00', JSON.stringify({ version: 1, nodes: { '00': { key, created } } })],
    ['node 255', JSON.stringify({ version: 1, nodes: { '255': { key, created } } })],
    ['node 07', JSON.stringify({ version: 1, nodes: { '07': { key, created } } })],
    ['node -1', JSON.stringify({ version: 1, nodes: { '-1': { key, created } } })],
    ['node __proto__', `{"version":1,"nodes":{"__proto__":{"key":"${key}","created":"${created}"}}}`],
    ['entry not an object', JSON.stringify({ version: 1, nodes: { '1': key } })],
    ['key 15 bytes', node({ key: key.slice(2), created })],
    ['key 17 bytes', node({ key: `${key}00`, created })],
    ['key odd length', node({ key: `${key}0`, created })],
    ['key not hex', node({ key: `${key.slice(2)}zz`, created })],
    ['key with spaces', node({ key: ` ${key.slice(1)}`, created })],
    ['key a number', node({ key: 1234, created })],
    ['key missing', node({ created })],
    ['pendingKey bad', node({ key, pendingKey: 'abcd', created })],
    ['pendingKey null', node({ key, pendingKey: null, created })],
    ['created missing', node({ key })],
    ['created not a time', node({ key, created: 'yesterday' })],
    ['created impossible', node({ key, created: '2024-13-45T99:00:00Z' })],
    ['unknown entry field', node({ key, created, note: 'x' })],
  ];
  for (const [name, contents] of cases) {
    assert.throws(() => parseKeyStore(contents), (e) => isMySealError(e, ErrorCode.KEY_STORE_CORRUPT), name);
    writeFileSync(file, contents, { mode: 0o600 });
    assert.throws(() => FileKeyStore.open(dir), (e) => isMySealError(e, ErrorCode.KEY_STORE_CORRUPT), name);
  }
  writeFileSync(file, ' '.repeat(300 * 1024), { mode: 0o600 });
  throwsCode(() => FileKeyStore.open(dir), ErrorCode.KEY_STORE_CORRUPT);
});

test('a key never shows in an error: message, stack, detail or cause', (t) => {
  const dir = tempDir(t, 'myseal-keys-');
  const store = FileKeyStore.open(dir);
  const key = store.create(1);
  const file = join(dir, KEY_STORE_FILE);
  const good = readFileSync(file, 'utf8');
  const hex = toHex(key);
  assert.ok(good.includes(hex), 'the store holds the key as hex (or this test proves nothing)');

  const provoke: [string, () => void][] = [
    // JSON.parse's own message quotes the text where it chokes ("x00112233"... is not valid JSON).
    ['key after a bad token', () => writeFileSync(file, `x${hex}`, { mode: 0o600 })],
    ['JSON cut after the key', () => writeFileSync(file, good.slice(0, good.indexOf(hex) + hex.length + 1), { mode: 0o600 })],
    ['garbage inside the key', () => writeFileSync(file, good.replace(hex, `${hex.slice(0, 16)}"x"${hex.slice(16)}`), { mode: 0o600 })],
    ['key one digit short', () => writeFileSync(file, good.replace(hex, hex.slice(1)), { mode: 0o600 })],
    ['key as a field name', () => writeFileSync(file, good.replace('"created"', `"${hex}": 1, "created"`), { mode: 0o600 })],
    ['key as a node id', () => writeFileSync(file, good.replace('"1"', `"${hex}"`), { mode: 0o600 })],
    ['key as the version', () => writeFileSync(file, good.replace('"version": 1', `"version": "${hex}"`), { mode: 0o600 })],
    ['key in a mode-0644 file', () => (writeFileSync(file, good), chmodSync(file, 0o644))],
  ];
  for (const [name, damage] of provoke) {
    damage();
    try {
      FileKeyStore.open(dir);
      assert.fail(`${name}: expected an error`);
    } catch (e) {
      assert.ok(e instanceof MySealError, `${name}: not a MySealError`);
      assert.ok(!leaks(e, key), `${name}: the error carries the key`);
    }
  }
  chmodSync(file, 0o600);
  writeFileSync(file, good);
  try {
    store.create(1);
    assert.fail('expected KEY_EXISTS');
  } catch (e) {
    assert.ok(e instanceof MySealError && !leaks(e, key), 'KEY_EXISTS carries the key');
  }
});

test('property: loading arbitrary contents returns a table or throws KEY_STORE_CORRUPT, nothing else', (t) => {
  const hexKey = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => toHex(b));
  const nearKey = fc.oneof(hexKey, fc.string(), fc.integer(), fc.constant(null), hexKey.map((h) => h.slice(1)));
  const entry = fc.record(
    {
      key: nearKey,
      pendingKey: nearKey,
      created: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const nodeId = fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.string());
  const nearValid = fc.record(
    { version: fc.oneof(fc.constant(1), fc.anything()), nodes: fc.dictionary(nodeId, fc.oneof(entry, fc.anything())) },
    { requiredKeys: [] },
  );
  const contents = fc.oneof(
    fc.string(),
    fc.uint8Array({ maxLength: 300 }),
    fc.json(),
    nearValid.map((doc) => JSON.stringify(doc)),
    nearValid.map((doc) => JSON.stringify(doc).slice(0, -3)),
  );
  const check = (run: () => unknown): void => {
    try {
      run();
    } catch (e) {
      assert.ok(isMySealError(e, ErrorCode.KEY_STORE_CORRUPT), `threw ${e instanceof Error ? e.name : typeof e}`);
    }
  };
  fc.assert(fc.property(contents, (c) => check(() => parseKeyStore(c))), { numRuns: 2000 });
  // And through the file, fewer times (each run writes a file).
  const dir = tempDir(t, 'myseal-keys-');
  const file = join(dir, KEY_STORE_FILE);
  fc.assert(
    fc.property(contents, (c) => {
      writeFileSync(file, c, { mode: 0o600 });
      check(() => FileKeyStore.open(dir));
    }),
    { numRuns: 200 },
  );
});

test('the file\'s text, byte for byte, as docs/protocol.md section 14.2 gives it: ids ascending, node 0 included', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const created = '2025-01-02T03:04:05.000Z';
  const table = new Map([
    [5, { key: new Uint8Array(16).fill(0xab), pendingKey: key, created }],
    [0, { key, created }],
  ]);
  const text = serializeKeyTable(table);
  const expected =
    '{\n  "version": 1,\n  "nodes": {\n' +
    '    "0": {\n      "key": "000102030405060708090a0b0c0d0e0f",\n      "created": "2025-01-02T03:04:05.000Z"\n    },\n' +
    '    "5": {\n      "key": "abababababababababababababababab",\n      "pendingKey": "000102030405060708090a0b0c0d0e0f",\n' +
    '      "created": "2025-01-02T03:04:05.000Z"\n    }\n  }\n}\n';
  assert.ok(text === expected, 'the serialized store differs from the specified layout');
  assert.deepEqual([...parseKeyStore(text).keys()], [0, 5]);
});
