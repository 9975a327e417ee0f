/**
 * The daemon's side of rules docs/protocol.md settles: which LOCKs go challenge-bound (the lock
 * child configured critical: every LOCK, whichever way it came; a status never), that such a LOCK
 * spends the challenge PIN entry fetched (the unlock fetches another), and what controllers may send
 * node 0 when the gateway's own sketch is a sealed lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, Internal, SetReq } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { Op } from '../../core/protocol/body.ts';
import { messageToFrame } from '../../core/protocol/carriage.ts';
import { Direction, FrameKind } from '../../core/protocol/frame.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { openFrame } from '../../core/protocol/seal.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { until } from '../../../test/support/until.ts';
import { controllerMayReach } from '../routing/controller-allow-list.ts';
import { Daemon } from '../daemon.ts';
import type { ChildOptions } from '../daemon.ts';

function setup(lock: ChildOptions) {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map([[p.nodeId, { children: new Map([[1, lock]]) }]]),
    timeoutMs: 300,
    retries: 1,
    holdMs: 50,
    pinTriesPerMinute: 100,
  });
  daemon.attach({ id: 'ctl', send: () => undefined });
  daemon.start();
  /** Each sealed frame the daemon sent: its kind, and for a COMMAND frame its opcode. */
  const frames = (): { kind: FrameKind; op?: Op }[] =>
    gateway.sent.flatMap((m) => {
      const sealed = messageToFrame(m);
      if (!sealed.ok) return [];
      const kind = sealed.value.frame[0]! & 0x0f;
      if (kind !== FrameKind.Command) return [{ kind }];
      const opened = openFrame(sealed.value.frame, { keys: [p.key], direction: Direction.ToNode, address: { sender: 0, destination: p.nodeId, child: sealed.value.child } });
      return [{ kind, op: opened.ok ? (opened.value.body[0] as Op) : undefined }];
    });
  return { p, gateway, daemon, frames };
}

const CRITICAL_LOCK: ChildOptions = { kind: 'lock', policy: 'seal', pinLength: 4, critical: true };
const msg = (m: Partial<MySensorsMessage>): MySensorsMessage => ({ nodeId: 5, childId: 1, command: Command.C_SET, echo: false, type: SetReq.V_LOCK_STATUS, payload: '1', ...m });

test('a lock child configured critical: every LOCK goes CRITICAL (HTTP, CLI and controllers alike); a status stays a COMMAND', async () => {
  const { daemon, frames } = setup(CRITICAL_LOCK);
  assert.equal((await daemon.lock(5, 'http')).result, 'locked');
  assert.deepEqual(frames(), [{ kind: FrameKind.Command, op: Op.GetChallenge }, { kind: FrameKind.Critical }]);
  assert.equal((await daemon.status(5, 'http')).ok, true);
  assert.deepEqual(frames().at(-1), { kind: FrameKind.Command, op: Op.Status });
  daemon.fromController(msg({}), 'ctl');
  await until(() => frames().length === 5, 'the controller\'s lock');
  assert.deepEqual(frames().slice(3), [{ kind: FrameKind.Command, op: Op.GetChallenge }, { kind: FrameKind.Critical }]);
  daemon.fromController(msg({ command: Command.C_REQ, payload: '' }), 'ctl');
  await until(() => frames().length === 6, 'the controller\'s status request');
  assert.deepEqual(frames().at(-1), { kind: FrameKind.Command, op: Op.Status });
});

test('without critical, a LOCK is a COMMAND', async () => {
  const { daemon, frames } = setup({ kind: 'lock', policy: 'refuse', pinLength: 4 });
  assert.equal((await daemon.lock(5, 'http')).result, 'locked');
  assert.deepEqual(frames(), [{ kind: FrameKind.Command, op: Op.Lock }]);
});

test('a CRITICAL LOCK between the first digit and the last spends the prefetched challenge: the unlock fetches another and succeeds', async () => {
  const { daemon, frames, p } = setup(CRITICAL_LOCK);
  daemon.digit(5, '1', 'http');
  await until(() => frames().length === 1 && daemon.session(5)?.channel.hasFreshChallenge() === true, 'the prefetched challenge');
  assert.equal((await daemon.lock(5, 'http')).result, 'locked');
  assert.deepEqual(frames().map((f) => f.kind), [FrameKind.Command, FrameKind.Critical], 'the LOCK used the prefetched challenge');
  daemon.digit(5, '2', 'http');
  daemon.digit(5, '3', 'http');
  const last = daemon.digit(5, '4', 'http');
  assert.equal(last.state, 'submitted');
  assert.equal(last.state === 'submitted' ? (await last.result).result : '', 'unlocked');
  assert.deepEqual(frames().slice(2), [{ kind: FrameKind.Command, op: Op.GetChallenge }, { kind: FrameKind.Critical }]);
  assert.equal(p.node.locked, false);
});

test('node 0 with a key (a lock in the gateway\'s sketch): the gateway\'s own version question and inclusion mode pass; a reboot does not', () => {
  const internal = (nodeId: number, type: Internal): MySensorsMessage => ({ nodeId, childId: 255, command: Command.C_INTERNAL, echo: false, type, payload: '' });
  assert.equal(controllerMayReach(internal(0, Internal.I_VERSION), false), true);
  assert.equal(controllerMayReach(internal(0, Internal.I_INCLUSION_MODE), false), true);
  assert.equal(controllerMayReach(internal(0, Internal.I_REBOOT), false), false);
  assert.equal(controllerMayReach(internal(0, Internal.I_DEBUG), false), false);
  // Only the gateway answers those itself: a sealed node behind the radio takes neither.
  assert.equal(controllerMayReach(internal(5, Internal.I_VERSION), false), false);
  assert.equal(controllerMayReach(internal(5, Internal.I_INCLUSION_MODE), false), false);
});
