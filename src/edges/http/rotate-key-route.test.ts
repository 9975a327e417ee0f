/**
 * POST /api/nodes/N/rotate-key on `myseal serve` (its real key store, counters and audit log) in
 * front of a simulated gateway with a virtual lock: authorized like every operation (the token, or
 * the page's session with its CSRF header), and afterwards the daemon's key file and the node's
 * EEPROM hold the same new key, the lock opens under it, and the old key is refused both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../core/errors.ts';
import { PayloadType, SetReq } from '../../core/mysensors/enums.ts';
import { encodeReport, Op } from '../../core/protocol/body.ts';
import { ControllerChannel } from '../../core/protocol/controller-channel.ts';
import { FrameKind } from '../../core/protocol/frame.ts';
import { sealFrame } from '../../core/protocol/seal.ts';
import { MemoryCounters, MemoryKeyStore } from '../../core/protocol/stores.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { fromLock, PIN, startWorld } from '../../../test/support/web-world.ts';
import { sleep } from '../../../test/support/until.ts';

const TOKEN = 'rotate-key-test-token-0123456789';
const bearer = { authorization: `Bearer ${TOKEN}` };

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

test('POST /api/nodes/5/rotate-key: token or session with CSRF header; both ends take the new key, the old one is refused', async (t) => {
  const w = await startWorld(t, { token: TOKEN });
  const url = `${w.base}/api/nodes/5/rotate-key`;
  const oldKey = FileKeyStore.open(w.dir).get(5)!.key;
  assert.ok(same(w.site.lock.node.persisted.key, oldKey), 'the node starts with the key the daemon holds');

  // Who may not: no credential, a wrong token, another site, a session without the page's header.
  assert.equal((await fetch(url, { method: 'POST' })).status, 401);
  assert.equal((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong-token-value' } })).status, 401);
  assert.equal((await fetch(url, { method: 'POST', headers: { ...bearer, origin: 'http://evil.example' } })).status, 403);
  const login = await fetch(`${w.base}/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-myseal': '1' }, body: JSON.stringify({ token: TOKEN }) });
  assert.equal(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const noCsrf = await fetch(url, { method: 'POST', headers: { cookie } });
  assert.equal(noCsrf.status, 403);
  assert.equal(((await noCsrf.json()) as { error: string }).error, 'CSRF');
  assert.ok(same(FileKeyStore.open(w.dir).get(5)?.key, oldKey), 'nothing refused reached the node');
  assert.ok(same(w.site.lock.node.persisted.key, oldKey));

  // The token: rotated.
  const r = await fetch(url, { method: 'POST', headers: bearer });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { node: 5, result: 'rotated', ok: true, text: 'key rotated' });
  const held = FileKeyStore.open(w.dir).get(5)!;
  assert.equal(held.pendingKey, undefined);
  assert.ok(!same(held.key, oldKey), 'the key file holds a new key');
  assert.ok(same(w.site.lock.node.persisted.key, held.key), "and it is the node's");

  // The page's session, with its header, rotates again.
  const again = await fetch(url, { method: 'POST', headers: { cookie, 'x-myseal': '1' } });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { result: string }).result, 'rotated');
  const newKey = FileKeyStore.open(w.dir).get(5)!.key;
  assert.ok(!same(newKey, held.key) && same(w.site.lock.node.persisted.key, newKey));

  // The lock opens under the new key.
  const unlock = await fetch(`${w.base}/api/nodes/5/unlock`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ pin: PIN }) });
  assert.equal(((await unlock.json()) as { result: string }).result, 'unlocked');

  // The old keys are refused by the node (however fresh the counter) and by the daemon.
  for (const old of [oldKey, held.key]) {
    const channel = new ControllerChannel({ nodeId: 5, keys: new MemoryKeyStore([[5, old]]), counters: new MemoryCounters() });
    await channel.resync(1_000_000);
    const frame = (await channel.seal(1, { op: Op.Lock })).frame;
    assert.equal(w.site.lock.node.receive({ sender: 0, child: 1, frame }).error, ErrorCode.AUTH_FAILED);
  }
  const body = encodeReport({ type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([0]) });
  fromLock(w.site, sealFrame({ key: oldKey, kind: FrameKind.Report, address: { sender: 5, destination: 0, child: 1 }, counter: 1_000_000 }, body));
  const authFailed = async (): Promise<number> =>
    ((await (await fetch(`${w.base}/api/health`, { headers: bearer })).json()) as { counters: Record<string, number> }).counters['node:AUTH_FAILED'] ?? 0;
  let failures = await authFailed();
  for (let i = 0; i < 250 && failures === 0; i++) {
    await sleep(20);
    failures = await authFailed();
  }
  assert.equal(failures, 1, 'the daemon refused the report sealed under the old key');

  // Two audit lines, one per rotation, with who asked; no key anywhere in the log.
  const audit = readFileSync(join(w.dir, 'audit.log'), 'utf8');
  const rotations = audit.split('\n').filter((l) => l.includes('"event":"rotate_key"'));
  assert.equal(rotations.length, 2);
  for (const line of rotations) assert.match(line, /"node":5,"child":1,"source":"http:[^"]+","result":"rotated"/);
  for (const key of [oldKey, held.key, newKey]) assert.equal(audit.includes(Buffer.from(key).toString('hex')), false, 'no key in the audit log');
});
