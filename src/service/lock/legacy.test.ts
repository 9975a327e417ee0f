import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import { Command, SetReq } from '../../core/mysensors/index.ts';
import { legacyKeyPath, loadLegacyKey, removeLegacyKey, writeLegacyKey } from '../../store/legacy-key-file.ts';
import { legacyUnlockLine, legacyUnlockLineFromStore } from '../../app/legacy-sender.ts';
import { LEGACY_REPLAY_WARNING } from '../../core/legacy/replay-warning.ts';
import { LegacyVirtualNode } from '../../node/legacy-virtual-node.ts';

const KEY = 'ABCDEFGHIJKLMNOP';

function recordingLogger() {
  const warnings: { obj: object; msg: string | undefined }[] = [];
  return { warnings, logger: { warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }) } };
}

function stateDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-legacy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the flaw, on purpose: a recorded legacy line opens the door again when replayed', () => {
  const { logger } = recordingLogger();
  const node = new LegacyVirtualNode({ nodeId: 1, key16: KEY, pin: '1234' });
  const recorded = legacyUnlockLine({ node: 1, pin: '1234', key16: KEY, logger });

  assert.equal(node.receiveLine(recorded), 'match', 'the owner unlocks');
  // An eavesdropper on the LAN or the radio kept a copy of the line and sends it again, later.
  assert.equal(node.receiveLine(recorded), 'match', 'the replay unlocks too: no counter, no challenge');
  assert.equal(node.receiveLine(recorded), 'match', 'and again, for as long as the key and PIN stay the same');
  assert.equal(node.unlockCount, 3);
  assert.deepEqual(node.outcomes, ['match', 'match', 'match']);
});

test('the virtual node compares the PIN, ignores other messages, and never answers', () => {
  const { logger } = recordingLogger();
  const node = new LegacyVirtualNode({ nodeId: 3, key16: KEY, pin: '2468' });
  assert.equal(node.receiveLine(legacyUnlockLine({ node: 3, pin: '1357', key16: KEY, logger })), 'no-match');
  assert.equal(node.receiveLine(legacyUnlockLine({ node: 3, pin: '2468', key16: 'ABCDEFGHIJKLMNOQ', logger })), 'no-match');
  assert.equal(node.receiveLine(legacyUnlockLine({ node: 4, pin: '2468', key16: KEY, logger })), 'ignored', 'another node');
  const payload = legacyUnlockLine({ node: 3, pin: '2468', key16: KEY, logger }).split(';')[5]?.trim() ?? '';
  const base = { nodeId: 3, childId: 1, command: Command.C_SET, echo: false, type: SetReq.V_TEXT, payload };
  assert.equal(node.receive({ ...base, childId: 2 }), 'ignored');
  assert.equal(node.receive({ ...base, type: SetReq.V_LOCK_STATUS }), 'ignored');
  assert.equal(node.receive({ ...base, command: Command.C_REQ }), 'ignored');
  assert.equal(node.receive({ ...base, payload: 'not base64' }), 'no-match');
  assert.equal(node.receiveLine('garbage'), 'ignored');
  // receive returns the outcome for the test; the node itself sends nothing back (no method to).
  assert.equal(node.receive(base), 'match');
  assert.deepEqual(node.outcomes, ['no-match', 'no-match', 'no-match', 'match']);
});

test('every legacy send logs the replay warning, and never the PIN, the key or the line', () => {
  const { logger, warnings } = recordingLogger();
  const line = legacyUnlockLine({ node: 7, pin: '8642', key16: KEY, logger });
  legacyUnlockLine({ node: 7, pin: '8642', key16: KEY, logger });
  assert.equal(warnings.length, 2);
  assert.equal(warnings[0]?.msg, LEGACY_REPLAY_WARNING);
  assert.match(LEGACY_REPLAY_WARNING, /replay/);
  assert.deepEqual(warnings[0]?.obj, { node: 7, mode: 'legacy-ecb', replayable: true });
  const logged = JSON.stringify(warnings);
  ['8642', KEY, line.split(';')[5]?.trim() ?? 'x'].forEach((secret, i) => assert.ok(!logged.includes(secret), `secret #${i} logged`));
  // A refused PIN still counts as a use of legacy mode: warned before anything else.
  assert.throws(() => legacyUnlockLine({ node: 7, pin: '12', key16: KEY, logger }), (e) => isMySealError(e, ErrorCode.LEGACY_BAD_PIN));
  assert.equal(warnings.length, 3);
});

test('key file: 0600 under <stateDir>/legacy, refused when others can read it, never overwritten by accident', (t) => {
  const dir = stateDir(t);
  const path = writeLegacyKey(dir, 5, KEY);
  assert.equal(path, join(dir, 'legacy', 'node-5.key'));
  assert.equal(legacyKeyPath(dir, 5), path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'legacy')).mode & 0o777, 0o700);
  assert.equal(loadLegacyKey(dir, 5, {}), KEY);

  assert.throws(() => writeLegacyKey(dir, 5, 'PONMLKJIHGFEDCBA'), (e) => isMySealError(e, ErrorCode.FILE_EXISTS));
  writeLegacyKey(dir, 5, 'PONMLKJIHGFEDCBA', { force: true });
  assert.equal(loadLegacyKey(dir, 5, {}), 'PONMLKJIHGFEDCBA');

  chmodSync(path, 0o640);
  assert.throws(
    () => loadLegacyKey(dir, 5, { MYSEAL_LEGACY_KEY: KEY }),
    (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS),
    'an unsafe file is an error, not a reason to use the environment instead',
  );
  chmodSync(path, 0o600);

  assert.equal(removeLegacyKey(dir, 5), true);
  assert.equal(removeLegacyKey(dir, 5), false);
  assert.throws(() => writeLegacyKey(dir, 5, 'too short'), (e) => isMySealError(e, ErrorCode.LEGACY_BAD_KEY) && !e.message.includes('too short'));
});

test('key lookup: the node file, else $MYSEAL_LEGACY_KEY, else LEGACY_NO_KEY', (t) => {
  const dir = stateDir(t);
  assert.equal(loadLegacyKey(dir, 6, { MYSEAL_LEGACY_KEY: KEY }), KEY);
  assert.throws(() => loadLegacyKey(dir, 6, {}), (e) => isMySealError(e, ErrorCode.LEGACY_NO_KEY) && /set-key --node 6/.test(e.message));
  assert.throws(() => loadLegacyKey(dir, 6, { MYSEAL_LEGACY_KEY: 'short' }), (e) => isMySealError(e, ErrorCode.LEGACY_BAD_KEY));

  mkdirSync(join(dir, 'legacy'), { mode: 0o700 });
  writeFileSync(join(dir, 'legacy', 'node-6.key'), 'ZYXWVUTSRQPONMLK\r\n', { mode: 0o600 });
  assert.equal(loadLegacyKey(dir, 6, { MYSEAL_LEGACY_KEY: KEY }), 'ZYXWVUTSRQPONMLK', 'the node file is more specific');
  writeFileSync(join(dir, 'legacy', 'node-6.key'), 'secret-but-too-long-for-a-key\n', { mode: 0o600 });
  assert.throws(
    () => loadLegacyKey(dir, 6, {}),
    (e) => isMySealError(e, ErrorCode.LEGACY_BAD_KEY) && !e.message.includes('secret'),
  );
  symlinkSync(join(dir, 'legacy', 'node-6.key'), join(dir, 'legacy', 'node-8.key'));
  assert.throws(() => loadLegacyKey(dir, 8, {}), (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));
  assert.throws(() => loadLegacyKey(dir, 255, {}), (e) => isMySealError(e, ErrorCode.USAGE));
});

test('a line from the stored key reaches a node flashed with the same key', (t) => {
  const dir = stateDir(t);
  writeLegacyKey(dir, 2, KEY);
  const { logger, warnings } = recordingLogger();
  const node = new LegacyVirtualNode({ nodeId: 2, key16: KEY, pin: '0420' });
  assert.equal(node.receiveLine(legacyUnlockLineFromStore({ stateDir: dir, node: 2, pin: '0420', logger, env: {} })), 'match');
  assert.equal(warnings.length, 1);
});
