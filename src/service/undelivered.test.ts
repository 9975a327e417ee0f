/**
 * Every controller command MySeal does not deliver is reported to the controller that sent it (a
 * gateway log message), counted and audited: held briefly while the gateway reconnects, reported
 * when the hold runs out or the link drops right under it, refused by policy, not sealable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { makePair } from '../demo/memory-pair.ts';
import { FakeGateway } from '../../test/support/fake-gateway.ts';
import { until } from '../../test/support/until.ts';
import type { AuditInput } from '../audit/schema.ts';
import { Daemon } from './daemon.ts';
import type { ChildOptions, Outbound } from './daemon.ts';
import { HeldCommands } from './routing/held-commands.ts';
import { MAX_NOTICE_CHARS, noticeLine, refusedLineNotice, undeliveredNotice } from './routing/notice.ts';
import { RecentSends } from './routing/recent-sends.ts';

const set = (m: Partial<MySensorsMessage> = {}): MySensorsMessage => ({
  nodeId: 7,
  childId: 3,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_STATUS,
  payload: '1',
  ...m,
});

function setup(opts: { children?: [number, ChildOptions][]; holdMs?: number; withKey?: boolean } = {}) {
  const p = makePair({ node: { onSet: () => true } });
  const gateway = new FakeGateway();
  if (opts.withKey !== false) gateway.addSealedNode(p.node);
  const audit: AuditInput[] = [];
  const nodes = new Map([[p.nodeId, { children: new Map(opts.children ?? [[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]) }]]);
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes,
    audit: { append: (e) => audit.push(e) },
    timeoutMs: 100,
    retries: 0,
    holdMs: opts.holdMs ?? 200,
  });
  const toA: Outbound[] = [];
  const toB: Outbound[] = [];
  daemon.attach({ id: 'ctl-a', send: (o) => toA.push(o) });
  daemon.attach({ id: 'ctl-b', send: (o) => toB.push(o) });
  daemon.start();
  const notices = (to: Outbound[]): string[] => to.flatMap((o) => (o.notice === undefined ? [] : [o.notice]));
  const down = (): void => {
    gateway.connected = false;
    gateway.emit('disconnected', 'test');
  };
  const up = (): void => {
    gateway.connected = true;
    gateway.emit('connected');
  };
  return { p, gateway, daemon, audit, toA, toB, notices, down, up };
}

test('the notice: the gateway log message form, the command named, no ";", at most 88 characters, payloads only where harmless', () => {
  assert.equal(noticeLine('hello'), '0;255;3;0;9;hello');
  assert.equal(undeliveredNotice(set(), 'GATEWAY_DOWN', true), 'MySeal: C_SET 7/3 V_STATUS=1 not delivered: gateway down');
  assert.equal(undeliveredNotice(set({ nodeId: 5, childId: 1, type: 36, payload: '0' }), 'REFUSED_BY_POLICY', false), 'MySeal: C_SET 5/1 V_LOCK_STATUS not delivered: refused by policy');
  assert.equal(undeliveredNotice(set({ command: Command.C_REQ, payload: '' }), 'TIMEOUT', true), 'MySeal: C_REQ 7/3 V_STATUS not confirmed: no answer from the node');
  const long = undeliveredNotice(set({ type: SetReq.V_TEXT, payload: 'x'.repeat(25) }), 'LINK_LOST', true);
  assert.ok(long.length <= 88, long);
  assert.match(long, /^MySeal: C_SET 7\/3 V_TEXT=x{20,}\.\.\. may not have arrived: gateway link lost$/);
  const longer = undeliveredNotice(set({ nodeId: 254, childId: 254, command: Command.C_INTERNAL, type: 255, payload: 'y'.repeat(25) }), 'NOT_SEALED', true);
  assert.ok(longer.length <= 88, longer);
  assert.match(longer, /not delivered: raw sealed frames are refused$/);
  assert.equal(refusedLineNotice('LINE_TOO_LONG'), 'MySeal: a line was refused: LINE_TOO_LONG');
  assert.ok(noticeLine(long).length <= 100 && MAX_NOTICE_CHARS === 88);
});

test('held while the gateway is down: delivered in order once it is back within the hold, nothing reported', () => {
  const { daemon, gateway, notices, toA, down, up } = setup({ holdMs: 10_000 });
  down();
  for (const v of ['1', '2', '3']) daemon.fromController(set({ payload: v }), 'ctl-a');
  assert.equal(gateway.sent.length, 0);
  up();
  assert.deepEqual(gateway.sent.map((m) => m.payload), ['1', '2', '3']);
  daemon.fromController(set({ payload: '4' }), 'ctl-a');
  assert.deepEqual(gateway.sent.map((m) => m.payload), ['1', '2', '3', '4']);
  assert.deepEqual(notices(toA), []);
  assert.equal(daemon.counters.size, 0);
});

test('not back within the hold: each held command reported to its own sender, counted and audited; never sent late', async () => {
  const { daemon, gateway, notices, toA, toB, audit, down, up } = setup({ holdMs: 100 });
  down();
  daemon.fromController(set({ payload: '1' }), 'ctl-a');
  daemon.fromController(set({ payload: '2' }), 'ctl-b');
  await until(() => notices(toA).length === 1 && notices(toB).length === 1, 'the notices');
  assert.deepEqual(notices(toA), ['MySeal: C_SET 7/3 V_STATUS=1 not delivered: gateway down']);
  assert.deepEqual(notices(toB), ['MySeal: C_SET 7/3 V_STATUS=2 not delivered: gateway down']);
  assert.equal(daemon.counters.get('undelivered:GATEWAY_DOWN'), 2);
  assert.deepEqual(
    audit.filter((a) => a.event === 'set').map((a) => [a.source, a.result]),
    [['ctl-a', 'not delivered: GATEWAY_DOWN'], ['ctl-b', 'not delivered: GATEWAY_DOWN']],
  );
  assert.equal(JSON.stringify(audit).includes('V_STATUS=1'), false, 'no payload in the audit');
  up();
  assert.equal(gateway.sent.length, 0, 'a reported command is not sent afterwards');
});

test('the link drops right after a send: what was not confirmed since is reported as possibly lost, what was confirmed is not', () => {
  const { daemon, gateway, notices, toA, down } = setup();
  daemon.fromController(set({ payload: '1' }), 'ctl-a');
  daemon.fromController(set({ payload: '2', echo: true }), 'ctl-a');
  daemon.fromController(set({ payload: '3' }), 'ctl-a');
  assert.equal(gateway.sent.length, 3);
  gateway.fromNode(set({ payload: '1' })); // the node reports the value it was sent
  gateway.fromNode(set({ payload: '2', echo: true })); // the echo the controller asked for
  down();
  assert.deepEqual(notices(toA), ['MySeal: C_SET 7/3 V_STATUS=3 may not have arrived: gateway link lost']);
  assert.equal(daemon.counters.get('undelivered:LINK_LOST'), 1);
});

test('sealed and refused commands: policy, PIN needed, no key, no answer; each reported to its sender alone', async () => {
  const { daemon, notices, toA, toB, audit } = setup({
    children: [
      [1, { kind: 'lock', policy: 'refuse', pinLength: 4 }],
      [2, { kind: 'relay', policy: 'seal' }],
    ],
  });
  daemon.fromController(set({ nodeId: 5, childId: 1, type: SetReq.V_LOCK_STATUS, payload: '0' }), 'ctl-a');
  assert.deepEqual(notices(toA), ['MySeal: C_SET 5/1 V_LOCK_STATUS not delivered: refused by policy']);
  assert.ok(audit.some((a) => a.result === 'refused by policy'));
  // A lock under policy seal locks on a plain command, but opens only with the PIN.
  const sealedLock = setup({ children: [[1, { kind: 'lock', policy: 'seal', pinLength: 4 }]] });
  sealedLock.daemon.fromController(set({ nodeId: 5, childId: 1, type: SetReq.V_LOCK_STATUS, payload: '0' }), 'ctl-a');
  await until(() => sealedLock.notices(sealedLock.toA).length === 1, 'the PIN notice');
  assert.deepEqual(sealedLock.notices(sealedLock.toA), ['MySeal: C_SET 5/1 V_LOCK_STATUS not delivered: unlocking needs the PIN']);
  assert.equal(sealedLock.p.node.locked, true);
  daemon.fromController(set({ nodeId: 5, childId: 2, payload: '1' }), 'ctl-b');
  await until(() => toB.some((o) => o.message?.childId === 2), 'the sealed set confirmed');
  assert.deepEqual(notices(toB), [], 'a delivered sealed set is confirmed, not reported');

  // A sealed child of a node without a key (node 9: the pair's key store holds node 5 only).
  const noKey = setup({ withKey: false, children: [[2, { kind: 'relay', policy: 'seal' }]] });
  const nodes = new Map([[9, { children: new Map<number, ChildOptions>([[2, { kind: 'relay', policy: 'seal' }]]) }]]);
  const d2 = new Daemon({ gateway: noKey.gateway, keys: noKey.p.keys, counters: noKey.p.counters, nodes, holdMs: 100 });
  const to: Outbound[] = [];
  d2.attach({ id: 'ctl', send: (o) => to.push(o) });
  d2.fromController(set({ nodeId: 9, childId: 2 }), 'ctl');
  await until(() => to.length === 1, 'the no-key notice');
  assert.equal(to[0]?.notice, 'MySeal: C_SET 9/2 V_STATUS=1 not delivered: no key for this node');
  assert.equal(d2.counters.get('undelivered:NO_KEY'), 1);

  // A node that does not answer (not behind the gateway): TIMEOUT after the retries, reported.
  const lost = new Daemon({
    gateway: noKey.gateway,
    keys: noKey.p.keys,
    counters: noKey.p.counters,
    nodes: new Map([[5, { children: new Map<number, ChildOptions>([[2, { kind: 'relay', policy: 'seal' }]]) }]]),
    timeoutMs: 50,
    retries: 0,
  });
  const toLost: Outbound[] = [];
  lost.attach({ id: 'ctl', send: (o) => toLost.push(o) });
  lost.fromController(set({ nodeId: 5, childId: 2 }), 'ctl');
  await until(() => toLost.some((o) => o.notice !== undefined), 'the timeout notice');
  assert.equal(toLost.find((o) => o.notice)?.notice, 'MySeal: C_SET 5/2 V_STATUS=1 not confirmed: no answer from the node');
  assert.equal(lost.counters.get('undelivered:TIMEOUT'), 1);
});

test('HeldCommands: bounded in count; the rest of the queue keeps its deadlines when the link drops again mid-flush', async () => {
  const expired: string[] = [];
  const held = new HeldCommands({ holdMs: 60, maxHeld: 2, expired: (c) => expired.push(c.message.payload) });
  assert.equal(held.hold(set({ payload: 'a' }), 's'), true);
  assert.equal(held.hold(set({ payload: 'b' }), 's'), true);
  assert.equal(held.hold(set({ payload: 'c' }), 's'), false, 'full');
  const sent: string[] = [];
  held.flush((c) => (sent.push(c.message.payload), false));
  assert.deepEqual(sent, ['a']);
  assert.equal(held.size, 2, 'nothing left the queue: the link is down again');
  await until(() => expired.length === 2, 'the hold to run out');
  assert.deepEqual(expired, ['a', 'b']);
  assert.equal(held.size, 0);
});

test('RecentSends: only sends within the window count as in flight; a confirmation must match node, child, type and value', () => {
  let now = 0;
  const recent = new RecentSends(() => now, 1000);
  recent.record(set({ payload: '1' }), 'a');
  now = 1500;
  recent.record(set({ payload: '2' }), 'a');
  recent.record(set({ payload: '3' }), 'a');
  recent.heard(set({ payload: '9' }));
  recent.heard(set({ childId: 4, payload: '3' }));
  recent.heard(set({ payload: '3', command: Command.C_REQ }));
  recent.heard(set({ payload: '2' }));
  now = 2000;
  assert.deepEqual(recent.lost().map((r) => r.message.payload), ['3']);
  assert.deepEqual(recent.lost(), [], 'forgotten once handed back');
});
