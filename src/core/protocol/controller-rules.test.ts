/**
 * The controller's side of rules docs/protocol.md settles: a result counts only on its command's
 * child; after a node reset mid-PIN the lost challenge costs one timeout, then a fresh one is fetched;
 * node ids are 0-254 everywhere (one definition).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../errors.ts';
import { encodeResult, Op, Status } from './body.ts';
import { GATEWAY_NODE_ID } from './constants.ts';
import { FrameKind } from './frame.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { isNodeId, MAX_NODE_ID, MIN_NODE_ID, parseNodeId } from './node-id.ts';
import { runOperation } from './operation.ts';
import { sealFrame } from './seal.ts';

test('a result on another child than its command went to does not answer it', async () => {
  const p = makePair();
  const sealed = await p.channel.seal(1, { op: Op.Status });
  // The node's key seals a result for that counter, but on child 2: the nonce is fine for child 2.
  const body = encodeResult({ status: Status.LockStatus, commandCounter: sealed.counter, locked: true, attemptsLeft: 5, lockoutSeconds: 0 });
  const onChild = (child: number, counter: number): Uint8Array =>
    sealFrame({ key: p.key, kind: FrameKind.Result, address: { sender: p.nodeId, destination: GATEWAY_NODE_ID, child }, counter }, body);
  const elsewhere = await p.channel.open(2, onChild(2, 1));
  assert.ok(elsewhere.ok && elsewhere.value.kind === 'result');
  assert.deepEqual(elsewhere.value.foreign, { why: 'not-sent' });
  const right = await p.channel.open(1, onChild(1, 2));
  assert.ok(right.ok && right.value.kind === 'result');
  assert.equal(right.value.foreign, undefined, 'on its own child the result answers the command');
});

test('a node reset between the challenge and the unlock: the unlock goes unanswered, the controller fetches a new challenge and unlocks', async () => {
  const p = makePair();
  const got = await runOperation(p.channel, p.link, 1, { op: Op.GetChallenge }, { timeoutMs: 20 });
  assert.equal(got.result.status, Status.Challenge);
  assert.ok(p.channel.hasFreshChallenge());
  // Power cut: the node forgets its challenge (fail closed).
  p.node.restart();
  const before = p.link.nodeOutcomes.length;
  const out = await runOperation(p.channel, p.link, 1, { op: Op.Unlock, pin: '1234' }, { timeoutMs: 20, retries: 1 });
  assert.equal(out.result.status, Status.Unlocked);
  const seen = p.link.nodeOutcomes.slice(before).map((o) => (o.error === undefined ? o.command?.op : o.error));
  assert.deepEqual(seen, [ErrorCode.NO_CHALLENGE, Op.GetChallenge, Op.Unlock], 'refused unanswered, then a fresh challenge, then the unlock');
  assert.equal(p.node.locked, false);
});

test('node ids: 0 (a lock in the gateway\'s own sketch) to 254, one definition', () => {
  assert.equal(MIN_NODE_ID, 0);
  assert.equal(MAX_NODE_ID, 254);
  for (const ok of [0, 1, 254]) assert.equal(isNodeId(ok), true, String(ok));
  for (const bad of [-1, 255, 1.5, Number.NaN, '5']) assert.equal(isNodeId(bad), false, String(bad));
  assert.equal(parseNodeId('0'), 0);
  assert.equal(parseNodeId('254'), 254);
  for (const bad of ['255', '', '-1', '1.5', '0x5', '1000', null, undefined]) assert.equal(parseNodeId(bad), null, String(bad));
});
