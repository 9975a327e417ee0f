import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../errors.ts';
import { PayloadType, SetReq } from '../mysensors/enums.ts';
import { MemoryCounters, MemoryKeyStore } from './stores.ts';
import { BadRequestReason, encodeCommand, Op, Status } from './body.ts';
import { FrameKind } from './frame.ts';
import { sealFrame } from './seal.ts';
import type { ResultBody } from './body.ts';
import { ControllerChannel } from './controller-channel.ts';
import { runOperation } from './operation.ts';
import { Eeprom, PowerCut } from '../../node/eeprom.ts';
import { makePair } from '../../demo/memory-pair.ts';

type Pair = ReturnType<typeof makePair>;

async function op(p: Pair, command: Parameters<typeof runOperation>[3], child = 1, critical = false) {
  return runOperation(p.channel, p.link, child, command, { timeoutMs: 10, critical });
}

function expectStatus<S extends Status>(r: ResultBody, status: S): Extract<ResultBody, { status: S }> {
  assert.equal(Status[r.status], Status[status]);
  return r as Extract<ResultBody, { status: S }>;
}

test('correct PIN unlocks in 4 radio messages, challenge included', async () => {
  const p = makePair();
  assert.equal(p.node.locked, true);
  const out = await op(p, { op: Op.Unlock, pin: '1234' });
  expectStatus(out.result, Status.Unlocked);
  assert.equal(out.messages, 4);
  assert.equal(p.node.locked, false);
});

test('wrong PIN is refused with attempts left; the retry costs 2 messages', async () => {
  const p = makePair();
  const wrong = await op(p, { op: Op.Unlock, pin: '9999' });
  assert.equal(expectStatus(wrong.result, Status.WrongPin).attemptsLeft, 4);
  assert.equal(p.node.locked, true);
  const retry = await op(p, { op: Op.Unlock, pin: '1234' });
  expectStatus(retry.result, Status.Unlocked);
  assert.equal(retry.messages, 2);
});

test('five wrong PINs lock out, the lockout survives a reset and doubles', async () => {
  const p = makePair();
  for (let i = 4; i >= 1; i--) {
    assert.equal(expectStatus((await op(p, { op: Op.Unlock, pin: '0000' })).result, Status.WrongPin).attemptsLeft, i);
  }
  const fifth = expectStatus((await op(p, { op: Op.Unlock, pin: '0000' })).result, Status.LockedOut);
  assert.equal(fifth.secondsLeft, 60);
  // Even the right PIN is refused during the lockout.
  expectStatus((await op(p, { op: Op.Unlock, pin: '1234' })).result, Status.LockedOut);

  // Reset the node: RAM lost, EEPROM kept. The lockout starts over in full.
  p.clock.advance(59_000);
  p.node.restart();
  const status = await runOperation(p.channel, p.link, 1, { op: Op.Status }, { timeoutMs: 10 });
  assert.equal(expectStatus(status.result, Status.LockStatus).lockoutSeconds, 60);

  p.clock.advance(60_000);
  for (let i = 4; i >= 1; i--) await op(p, { op: Op.Unlock, pin: '0000' });
  const second = expectStatus((await op(p, { op: Op.Unlock, pin: '0000' })).result, Status.LockedOut);
  assert.equal(second.secondsLeft, 120, 'the second lockout doubles');
  p.clock.advance(120_000);
  expectStatus((await op(p, { op: Op.Unlock, pin: '1234' })).result, Status.Unlocked);
  assert.equal(p.node.persisted.lockoutLevel, 0, 'a correct PIN resets the doubling');
});

test('a replayed frame is rejected, and answered with a stale-counter result once at most', async () => {
  const p = makePair();
  await op(p, { op: Op.Unlock, pin: '1234' });
  await op(p, { op: Op.Lock });
  const unlockFrame = p.link.recorded.find((f) => f.direction === 'toNode' && f.frame[0] === 0x11)!;
  const first = p.link.inject(unlockFrame.child, unlockFrame.frame);
  assert.equal(first.error, ErrorCode.REPLAYED_COUNTER);
  assert.equal(first.replies.length, 1);
  const second = p.link.inject(unlockFrame.child, unlockFrame.frame);
  assert.equal(second.error, ErrorCode.REPLAYED_COUNTER);
  assert.equal(second.replies.length, 0, 'no second answer: replays cannot wear the EEPROM');
  assert.equal(p.node.locked, true);
});

test('a replayed result or report is rejected by the controller', async () => {
  const p = makePair();
  await op(p, { op: Op.Status });
  const result = p.link.recorded.find((f) => f.direction === 'toController')!;
  const again = await p.channel.open(result.child, result.frame);
  assert.equal(again.ok ? 'accepted' : again.error.code, ErrorCode.REPLAYED_COUNTER);
});

test('every tampered bit of an unlock frame is rejected', async () => {
  const p = makePair();
  p.link.jamming = true;
  await assert.rejects(op(p, { op: Op.Unlock, pin: '1234' }));
  p.link.jamming = false;
  // The node handed out no challenge (the request was jammed), so give it one first.
  const got = await op(p, { op: Op.GetChallenge });
  expectStatus(got.result, Status.Challenge);
  const sealed = await p.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  for (let bit = 0; bit < sealed.frame.length * 8; bit++) {
    const bad = Uint8Array.from(sealed.frame);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    const outcome = p.link.inject(1, bad);
    assert.ok(outcome.error !== undefined, `bit ${bit} accepted`);
  }
  assert.equal(p.node.locked, true);
  assert.equal(p.link.inject(1, sealed.frame).error, undefined, 'the untouched frame still works');
  assert.equal(p.node.locked, false);
});

test('delayed release: a jammed unlock played later is refused', async () => {
  const p = makePair();
  await op(p, { op: Op.GetChallenge });
  p.link.jamming = true;
  const sealed = await p.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  await p.link.send(1, sealed.frame); // recorded by the attacker, never reaches the node
  p.link.jamming = false;
  p.clock.advance(60_000);
  const late = p.link.inject(1, sealed.frame);
  assert.equal(late.error, ErrorCode.CHALLENGE_EXPIRED);
  assert.equal(p.node.locked, true);

  // If the owner meanwhile got a newer challenge, the old frame does not even authenticate.
  const p2 = makePair();
  await op(p2, { op: Op.GetChallenge });
  const held = await p2.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  await op(p2, { op: Op.GetChallenge });
  assert.equal(p2.link.inject(1, held.frame).error, ErrorCode.AUTH_FAILED);
  assert.equal(p2.node.locked, true);
});

test('a used challenge cannot bind a second command', async () => {
  const p = makePair();
  await op(p, { op: Op.GetChallenge });
  const held = (p.channel as unknown as { challenge: { bytes: Uint8Array } }).challenge.bytes;
  const first = await p.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  assert.equal(p.link.inject(1, first.frame).error, undefined);
  p.link.inject(1, (await p.channel.seal(1, { op: Op.Lock })).frame);
  assert.equal(p.node.locked, true);
  // A second frame bound to the same challenge (a controller bug, or a stolen seal) is refused.
  (p.channel as unknown as { challenge: unknown }).challenge = { bytes: held, child: 1, receivedAt: p.clock.now };
  const second = await p.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  assert.equal(p.link.inject(1, second.frame).error, ErrorCode.CHALLENGE_USED);
  assert.equal(p.node.locked, true);
});

test('unlock, set-PIN and rotate-key need a challenge-bound frame; lock ops only go to the lock child', async () => {
  const p = makePair();
  const commands = [
    { op: Op.Unlock, pin: '1234' },
    { op: Op.SetPin, oldPin: '1234', newPin: '4321' },
    ControllerChannel.rotateKeyCommand(),
  ] as const;
  for (const command of commands) {
    // Sealed as a plain command, as a buggy or hostile controller might.
    const frame = sealFrame(
      { key: p.key, kind: FrameKind.Command, address: { sender: 0, destination: p.nodeId, child: 1 }, counter: await p.counters.nextSend(p.nodeId) },
      encodeCommand(command),
    );
    const outcome = p.link.inject(1, frame);
    assert.equal(outcome.replies.length, 1);
    const answer = await p.channel.open(1, outcome.replies[0]!.frame);
    assert.ok(answer.ok && answer.value.kind === 'result');
    if (answer.ok && answer.value.kind === 'result') {
      assert.equal(expectStatus(answer.value.result, Status.BadRequest).reason, BadRequestReason.ChallengeRequired);
    }
  }
  assert.equal(p.node.locked, true);
  assert.deepEqual(p.node.persisted.key, p.key);
  const wrongChild = await op(p, { op: Op.Lock }, 2);
  assert.equal(expectStatus(wrongChild.result, Status.BadRequest).reason, BadRequestReason.NotSupported);
});

test('set-PIN changes the PIN; the old one stops working', async () => {
  const p = makePair();
  expectStatus((await op(p, { op: Op.SetPin, oldPin: '1234', newPin: '86420731' })).result, Status.Done);
  expectStatus((await op(p, { op: Op.Unlock, pin: '1234' })).result, Status.WrongPin);
  expectStatus((await op(p, { op: Op.Unlock, pin: '86420731' })).result, Status.Unlocked);
  expectStatus((await op(p, { op: Op.SetPin, oldPin: '1234', newPin: '5555' })).result, Status.WrongPin);
});

test('rotate-key: the node commits, answers under the new key, the controller commits on that answer', async () => {
  const p = makePair();
  const oldKey = p.keys.get(p.nodeId)!.key;
  const out = await op(p, ControllerChannel.rotateKeyCommand());
  expectStatus(out.result, Status.Done);
  const keys = p.keys.get(p.nodeId)!;
  assert.equal(keys.pendingKey, undefined);
  assert.notDeepEqual(keys.key, oldKey);
  assert.deepEqual(keys.key, p.node.persisted.key);
  expectStatus((await op(p, { op: Op.Unlock, pin: '1234' })).result, Status.Unlocked);
  // A frame under the old key is now refused.
  const stale = new ControllerChannel({
    nodeId: p.nodeId,
    keys: new MemoryKeyStore([[p.nodeId, oldKey]]),
    counters: new MemoryCounters(),
    clock: p.clock.read,
  });
  await stale.resync(1000);
  const forged = await stale.seal(1, { op: Op.Lock });
  assert.equal(p.link.inject(1, forged.frame).error, ErrorCode.AUTH_FAILED);
});

test('a controller that lost its counters resyncs once, by itself', async () => {
  const p = makePair();
  for (let i = 0; i < 3; i++) await op(p, { op: Op.Status });
  const fresh = new ControllerChannel({ nodeId: p.nodeId, keys: p.keys, counters: new MemoryCounters(), clock: p.clock.read });
  // A restored backup: the controller's counters start over below what the node has accepted.
  const out = await runOperation(fresh, p.link, 1, { op: Op.Status }, { timeoutMs: 10 });
  expectStatus(out.result, Status.LockStatus);
  assert.equal(out.messages, 4, 'one refused try, answered with the node counter, then the real one');
  assert.ok(p.link.nodeOutcomes.some((o) => o.error === ErrorCode.REPLAYED_COUNTER));
});

test('sealed reports: the lock turned by hand reaches the controller once, authentic and fresh', async () => {
  const p = makePair();
  const report = p.node.setLockedByHand(false);
  const opened = await p.channel.open(report.child, report.frame);
  assert.ok(opened.ok);
  assert.equal(opened.value.kind, 'report');
  if (opened.value.kind === 'report') {
    assert.equal(opened.value.value.type, SetReq.V_LOCK_STATUS);
    assert.deepEqual(opened.value.value.data, new Uint8Array([0]));
  }
  const replay = await p.channel.open(report.child, report.frame);
  assert.equal(replay.ok ? 0 : replay.error.code, ErrorCode.REPLAYED_COUNTER);
});

test('sealed set reaches the sketch; a guarded child needs a challenge-bound set', async () => {
  const seen: string[] = [];
  const p = makePair({
    node: {
      criticalChildren: [3],
      onSet: (child, v) => {
        seen.push(`${child}:${v.type}:${v.data[0]}`);
        return true;
      },
    },
  });
  const value = { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) };
  const plain = await runOperation(p.channel, p.link, 2, { op: Op.Set, value }, { timeoutMs: 10 });
  expectStatus(plain.result, Status.Done);
  assert.equal(plain.messages, 2);
  const refused = await runOperation(p.channel, p.link, 3, { op: Op.Set, value }, { timeoutMs: 10 });
  assert.equal(expectStatus(refused.result, Status.BadRequest).reason, BadRequestReason.ChallengeRequired);
  const guarded = await runOperation(p.channel, p.link, 3, { op: Op.Set, value }, { timeoutMs: 10, critical: true });
  expectStatus(guarded.result, Status.Done);
  assert.equal(guarded.messages, 4);
  assert.deepEqual(seen, ['2:2:1', '3:2:1']);
});

test('rotate-key whose confirmation is lost: the next command finds the node under the new key and commits it', async () => {
  const p = makePair();
  await op(p, { op: Op.GetChallenge });
  p.link.jammingFromNode = true;
  await assert.rejects(runOperation(p.channel, p.link, 1, ControllerChannel.rotateKeyCommand(), { timeoutMs: 10, retries: 0 }));
  p.link.jammingFromNode = false;
  assert.ok(p.keys.get(p.nodeId)!.pendingKey, 'still pending: the node has not been heard under it');
  expectStatus((await op(p, { op: Op.Status })).result, Status.LockStatus);
  assert.equal(p.keys.get(p.nodeId)!.pendingKey, undefined);
  assert.deepEqual(p.keys.get(p.nodeId)!.key, p.node.persisted.key);
});

test('rotate-key that never reached the node: the old key answers and the rotation is abandoned', async () => {
  const p = makePair();
  const oldKey = Uint8Array.from(p.keys.get(p.nodeId)!.key);
  await op(p, { op: Op.GetChallenge });
  p.link.jamming = true;
  await assert.rejects(runOperation(p.channel, p.link, 1, ControllerChannel.rotateKeyCommand(), { timeoutMs: 10, retries: 0 }));
  p.link.jamming = false;
  const out = await runOperation(p.channel, p.link, 1, { op: Op.Status }, { timeoutMs: 10, retries: 2 });
  expectStatus(out.result, Status.LockStatus);
  assert.equal(p.keys.get(p.nodeId)!.pendingKey, undefined, 'pending key dropped');
  assert.deepEqual(p.keys.get(p.nodeId)!.key, oldKey);
  assert.deepEqual(p.node.persisted.key, oldKey);
});

test('a power cut at any byte of a wrong last PIN never wins a try: after the reset the attempt is counted or the frame never was', async () => {
  // How many bytes the node writes for the fifth wrong PIN, uncut.
  const probe = makePair();
  for (let i = 0; i < 4; i++) await op(probe, { op: Op.Unlock, pin: '0000' });
  await op(probe, { op: Op.GetChallenge });
  const written = probe.eeprom.written;
  probe.link.inject(1, (await probe.channel.seal(1, { op: Op.Unlock, pin: '0000' })).frame);
  const bytes = probe.eeprom.written - written;
  assert.ok(bytes > 0, 'the wrong PIN is stored');

  let counted = 0;
  for (let cut = 0; cut <= bytes; cut++) {
    const eeprom = new Eeprom();
    const p = makePair({ eeprom });
    for (let i = 0; i < 4; i++) await op(p, { op: Op.Unlock, pin: '0000' });
    await op(p, { op: Op.GetChallenge });
    const fifth = await p.channel.seal(1, { op: Op.Unlock, pin: '0000' });
    eeprom.cutAfter(cut);
    try {
      p.link.inject(1, fifth.frame);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
    }
    eeprom.cutAfter(null);
    p.node.restart();
    const after = p.node.persisted;
    if (after.lastReceived === fifth.counter) {
      counted++;
      assert.equal(after.attemptsLeft, 0, `cut after ${cut} bytes`);
      assert.equal(after.inLockout, true, `cut after ${cut} bytes: no extra try after the reset`);
      const out = await runOperation(p.channel, p.link, 1, { op: Op.Status }, { timeoutMs: 10 });
      assert.equal(expectStatus(out.result, Status.LockStatus).lockoutSeconds, 60, `cut after ${cut} bytes`);
    } else {
      // The frame never counted: then the node never compared its PIN either, and it can still be refused.
      assert.equal(after.attemptsLeft, 1, `cut after ${cut} bytes`);
      assert.equal(after.inLockout, false, `cut after ${cut} bytes`);
    }
  }
  assert.ok(counted > 0, 'some cut falls after the record that counts the attempt');
});
