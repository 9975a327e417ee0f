/**
 * A power cut after every byte of every EEPROM write of a lock's life, against the WebAssembly node
 * (the node library as `myseal node` and the demo run it), driven by the TypeScript controller: the
 * host build's power-cut test (node.test.ts) cuts the C harness's own life; this one cuts a life of
 * controller operations (status, unlock, lock, five wrong PINs and the lockout, a correct PIN,
 * set-PIN, a turn by hand, rotate-key, an unlock under the new key and PIN).
 *
 * After each cut the node boots again from the EEPROM as the cut left it, and then:
 *   - the controller gets an answer again (a status, with the controller's own recovery rules);
 *   - no frame the controller ever sent works twice (each is replayed: the lock never moves);
 *   - no counter of the node's is ever reused (every frame it sent, across the cut, counts up);
 *   - a wrong PIN the node had counted is still counted, and a lockout it had started still runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Op, Status } from '../../src/core/protocol/body.ts';
import type { Command } from '../../src/core/protocol/body.ts';
import { ControllerChannel } from '../../src/core/protocol/controller-channel.ts';
import { Direction, parseFrame } from '../../src/core/protocol/frame.ts';
import { runOperation } from '../../src/core/protocol/operation.ts';
import { makePair } from '../../src/demo/memory-pair.ts';
import { Eeprom, PowerCut } from '../../src/node/eeprom.ts';

type Pair = ReturnType<typeof makePair>;
type Step = { command: Command; wait?: number } | { hand: boolean };

const LIFE: readonly Step[] = [
  { command: { op: Op.Status } },
  { command: { op: Op.Unlock, pin: '1234' } },
  { command: { op: Op.Lock } },
  ...Array.from({ length: 5 }, () => ({ command: { op: Op.Unlock, pin: '0000' } }) as const),
  { command: { op: Op.Unlock, pin: '1234' }, wait: 61_000 },
  { command: { op: Op.SetPin, oldPin: '1234', newPin: '5678' } },
  { hand: true },
  { command: ControllerChannel.rotateKeyCommand() },
  { command: { op: Op.Unlock, pin: '5678' } },
  { command: { op: Op.Lock } },
];

async function step(p: Pair, s: Step): Promise<void> {
  if ('hand' in s) {
    const report = p.node.setLockedByHand(s.hand);
    p.link.fromNode(report.child, report.frame);
    return;
  }
  if (s.wait) p.clock.advance(s.wait);
  await runOperation(p.channel, p.link, 1, s.command, { timeoutMs: 5, retries: 2 });
}

function nodeCounters(p: Pair): number[] {
  return p.link.recorded
    .filter((r) => r.direction === 'toController')
    .map((r) => {
      const parsed = parseFrame(r.frame, Direction.ToController);
      assert.ok(parsed.ok);
      return parsed.value.counter;
    });
}

/** Lives the life with the power cut after `cut` bytes; false when the life wrote fewer bytes. */
async function liveWithCut(cut: number): Promise<boolean> {
  const eeprom = new Eeprom();
  const p = makePair({ eeprom });
  const moves: boolean[] = [];
  p.nodeOptions.onLockChange = (locked) => moves.push(locked);
  p.node.restart();
  eeprom.cutAfter(cut);
  let before = p.node.persisted;
  let cutAt: Step | undefined;
  for (const s of LIFE) {
    before = p.node.persisted;
    try {
      await step(p, s);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      cutAt = s;
      break;
    }
  }
  if (!cutAt) return false;
  eeprom.cutAfter(null);
  p.node.restart();
  const after = p.node.persisted;
  const where = `cut after ${cut} bytes, in ${JSON.stringify('hand' in cutAt ? cutAt : cutAt.command.op)}`;
  const correctPin = 'command' in cutAt && cutAt.command.op === Op.Unlock && cutAt.command.pin !== '0000';
  if (!correctPin) {
    assert.ok(after.attemptsLeft <= before.attemptsLeft, `${where}: an attempt came back`);
    assert.ok(after.lockoutLevel >= before.lockoutLevel, `${where}: a lockout was forgotten`);
    assert.ok(!before.inLockout || after.inLockout, `${where}: the lockout was cut short`);
  }

  const status = await runOperation(p.channel, p.link, 1, { op: Op.Status }, { timeoutMs: 5, retries: 3 });
  assert.equal(status.result.status, Status.LockStatus, `${where}: the controller gets an answer again`);

  const counters = nodeCounters(p);
  counters.forEach((c, i) => assert.ok(i === 0 || c > counters[i - 1]!, `${where}: node counter ${c} after ${counters[i - 1]}`));

  const moved = moves.length;
  for (const r of p.link.recorded.filter((x) => x.direction === 'toNode')) {
    const outcome = p.link.inject(r.child, r.frame);
    assert.notEqual(outcome.error, undefined, `${where}: a recorded frame worked again`);
  }
  assert.equal(moves.length, moved, `${where}: a replayed frame moved the lock`);
  return true;
}

test('a power cut after any byte of a lock\'s life: the node boots, answers, takes no frame twice, reuses no counter, keeps every attempt and lockout', async () => {
  let cuts = 0;
  while (await liveWithCut(cuts)) cuts++;
  assert.ok(cuts > 200, `${cuts} cuts: the life writes every kind of record`);
});
