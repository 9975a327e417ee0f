import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import type { MySealError } from '../../core/errors.ts';
import { Op, Status } from '../../core/protocol/body.ts';
import type { SensorValue } from '../../core/protocol/body.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { NodeSession } from './node-session.ts';
import { settled } from '../../../test/support/until.ts';

function wire(opts: { drop?: boolean } = {}) {
  const p = makePair();
  const reports: [number, SensorValue][] = [];
  const rejected: MySealError[] = [];
  let sent = 0;
  const session: NodeSession = new NodeSession({
    channel: p.channel,
    timeoutMs: 30,
    retries: 1,
    write: async (child, frame) => {
      sent++;
      if (opts.drop) return;
      const out = p.node.receive({ sender: 0, child, frame });
      // The answer comes back later, through the gateway, as in the daemon.
      setImmediate(() => out.replies.forEach((r) => session.deliver(r.child, r.frame)));
    },
    onReport: (c, v) => reports.push([c, v]),
    onRejected: (_c, e) => rejected.push(e),
  });
  return { p, session, reports, rejected, sent: () => sent };
}

test('a command runs through the session and its result updates the node view', async () => {
  const { session } = wire();
  const out = await session.run(1, { op: Op.Unlock, pin: '1234' });
  assert.equal(out.result.status, Status.Unlocked);
  const view = session.view();
  assert.equal(view.locked, false);
  assert.equal(view.counts.commands, 1);
  assert.ok(view.lastSeen !== null);
});

test('commands queue: one in flight at a time, each gets its own result', async () => {
  const { session } = wire();
  const [a, b, c] = await Promise.all([
    session.run(1, { op: Op.Status }),
    session.run(1, { op: Op.Unlock, pin: '0000' }),
    session.run(1, { op: Op.Lock }),
  ]);
  assert.equal(a.result.status, Status.LockStatus);
  assert.equal(b.result.status, Status.WrongPin);
  assert.equal(c.result.status, Status.Locked);
  assert.equal(session.view().attemptsLeft, 4);
  assert.ok(a.commandCounter < b.commandCounter && b.commandCounter < c.commandCounter);
});

test('reports between commands are opened at once; forged and replayed ones are security events', async () => {
  const { p, session, reports, rejected } = wire();
  const report = p.node.setLockedByHand(false);
  session.deliver(report.child, report.frame);
  await settled();
  assert.equal(reports.length, 1);
  assert.equal(session.view().locked, false);
  session.deliver(report.child, report.frame);
  const forged = Uint8Array.from(report.frame);
  forged[8]! ^= 0x40;
  session.deliver(report.child, forged);
  await settled();
  assert.deepEqual(rejected.map((e) => e.codeName), ['REPLAYED_COUNTER', 'AUTH_FAILED']);
  assert.equal(session.view().counts.rejected, 2);
});

test('a prefetched challenge makes the unlock two radio messages', async () => {
  const { session, sent } = wire();
  session.prefetchChallenge(1);
  await session.run(1, { op: Op.Status }); // queued behind the prefetch
  const before = sent();
  const out = await session.run(1, { op: Op.Unlock, pin: '1234' });
  assert.equal(out.messages, 2);
  assert.equal(sent() - before, 1);
});

test('no answer: the command fails with TIMEOUT after its retries, never silently', async () => {
  const { session, sent } = wire({ drop: true });
  await assert.rejects(session.run(1, { op: Op.Status }), (e) => isMySealError(e, ErrorCode.TIMEOUT));
  assert.equal(sent(), 2, 'one try and one retry, each with a new counter');
  assert.equal(session.view().counts.timeouts, 1);
  assert.equal(session.view().pendingCommands, 0);
});
