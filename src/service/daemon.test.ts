import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { Command, SetReq } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { frameToMessage } from '../core/protocol/carriage.ts';
import { makePair } from '../demo/memory-pair.ts';
import { FakeGateway } from '../../test/support/fake-gateway.ts';
import { pairedDaemon } from '../../test/support/paired-daemon.ts';
import { settled, until } from '../../test/support/until.ts';
import { Daemon } from './daemon.ts';
import { LegacyVirtualNode } from '../node/legacy-virtual-node.ts';
import { legacyUnlockLine } from '../app/legacy-sender.ts';
import type { ChildOptions, Outbound } from './daemon.ts';
import type { AuditInput } from '../audit/schema.ts';
import { httpStatusFor } from '../edges/http/outcome-status.ts';
import { exitCodeFor } from '../edges/cli/exit-code.ts';

function setup(children: [number, ChildOptions][] = [[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]) {
  const world = pairedDaemon({ pair: { node: { onSet: () => true } }, children });
  const seen: Outbound[] = [];
  world.daemon.attach({ id: 'test', send: (o) => seen.push(o) });
  world.daemon.start();
  return { ...world, seen };
}

const plain = (m: Partial<MySensorsMessage>): MySensorsMessage => ({
  nodeId: 5,
  childId: 1,
  command: Command.C_SET,
  echo: false,
  type: SetReq.V_LOCK_STATUS,
  payload: '0',
  ...m,
});

test('digits from any source unlock through the sealed exchange; controllers hear the result', async () => {
  const { daemon, p, seen, audit } = setup();
  for (const d of '123') assert.equal(daemon.digit(5, d, 'test').state, 'buffered');
  const last = daemon.digit(5, '4', 'test');
  assert.equal(last.state, 'submitted');
  const report = last.state === 'submitted' ? await last.result : undefined;
  assert.equal(report?.result, 'unlocked');
  assert.equal(p.node.locked, false);
  const lines = seen.map((o) => o.message).filter((m) => m !== undefined);
  assert.ok(lines.some((m) => m.type === SetReq.V_LOCK_STATUS && m.payload === '0'));
  assert.ok(lines.some((m) => m.type === SetReq.V_TEXT && m.payload === 'unlocked'));
  assert.ok(audit.some((a) => a.event === 'unlock' && a.result === 'unlocked'));
  assert.equal(JSON.stringify(audit).includes('1234'), false, 'no PIN in the audit');
});

test('plain traffic passes both ways unchanged; a plain unlock to the lock is refused', () => {
  const { daemon, gateway, seen, audit, p } = setup();
  gateway.fromNode(plain({ nodeId: 7, childId: 0, type: SetReq.V_TEMP, payload: '21.5' }), '7;0;1;0;0;21.5');
  assert.deepEqual(seen.at(-1), { message: plain({ nodeId: 7, childId: 0, type: SetReq.V_TEMP, payload: '21.5' }), line: '7;0;1;0;0;21.5' });
  daemon.fromController(plain({ nodeId: 7, childId: 3, type: SetReq.V_STATUS, payload: '1' }), 'ctl');
  assert.deepEqual(gateway.sent.at(-1), plain({ nodeId: 7, childId: 3, type: SetReq.V_STATUS, payload: '1' }));
  const before = gateway.sent.length;
  daemon.fromController(plain({}), 'ctl');
  assert.equal(gateway.sent.length, before, 'nothing reached the gateway');
  assert.equal(p.node.locked, true);
  assert.ok(audit.some((a) => a.result === 'refused by policy'));
});

test('a legal gateway line MySeal would not send still reaches controllers; garbage does not', () => {
  const { gateway, seen, daemon } = setup();
  gateway.emit('invalid', new MySealError(ErrorCode.PAYLOAD_FORBIDDEN_CHAR, 'x'), '7;0;1;0;47;a;b');
  gateway.emit('invalid', new MySealError(ErrorCode.LINE_TOO_LONG, 'x'), 'x'.repeat(200));
  assert.deepEqual(seen, [{ line: '7;0;1;0;47;a;b' }]);
  assert.equal(daemon.counters.get('gateway:PAYLOAD_FORBIDDEN_CHAR'), 1);
  assert.equal(daemon.counters.get('gateway:LINE_TOO_LONG'), 1);
});

test('a plain set to a sealed relay is sealed, confirmed to controllers, and audited', async () => {
  const { daemon, gateway, seen } = setup([[2, { kind: 'relay', policy: 'seal' }]]);
  daemon.fromController(plain({ childId: 2, type: SetReq.V_STATUS, payload: '1' }), 'ctl');
  await until(() => seen.some((o) => o.message?.childId === 2 && o.message.payload === '1'), 'the confirmation to controllers');
  assert.ok(gateway.sent.some((m) => m.command === Command.C_STREAM), 'went out sealed');
  assert.equal(gateway.sent.some((m) => m.command === Command.C_SET && m.childId === 2), false, 'never as a plain set');
});

test('authentic reports become plain messages; forged, replayed and raw sealed frames are security events', async () => {
  const { gateway, seen, daemon, p, audit } = setup();
  const report = p.node.setLockedByHand(false);
  const onWire = frameToMessage(5, report.child, report.frame);
  gateway.fromNode(onWire);
  await settled();
  assert.deepEqual(seen.at(-1)?.message, plain({ payload: '0' }));
  gateway.fromNode(onWire);
  const forged = frameToMessage(5, 1, Uint8Array.from(report.frame, (b, i) => (i === 9 ? b ^ 1 : b)));
  gateway.fromNode(forged);
  await settled();
  assert.equal(seen.length, 1, 'only the authentic report reached controllers');
  assert.equal(daemon.counters.get('node:REPLAYED_COUNTER'), 1);
  assert.equal(daemon.counters.get('node:AUTH_FAILED'), 1);
  daemon.fromController(onWire, 'ctl');
  assert.equal(daemon.counters.get('controller:NOT_SEALED'), 1);
  assert.equal(audit.filter((a) => a.event === 'security').length, 3);
});

test('PIN tries are rate limited per node', async () => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), pinTriesPerMinute: 2, timeoutMs: 200 });
  daemon.start();
  assert.equal((await daemon.unlock(5, '0000', 't')).result, 'wrong_pin');
  assert.equal((await daemon.unlock(5, '0000', 't')).result, 'wrong_pin');
  const third = await daemon.unlock(5, '1234', 't');
  assert.equal(third.result, 'rate_limited');
  assert.equal(httpStatusFor(third), 429);
  assert.equal(p.node.locked, true);
});

test('the rate limit counts PIN tries, not digits: typing and clearing costs nothing, each submitted PIN one try', async () => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), pinTriesPerMinute: 2, timeoutMs: 200, clock: () => 0 });
  daemon.start();
  // Thirty key presses with clears in between: no PIN was tried, so none of the two tries is spent.
  for (let i = 0; i < 10; i++) {
    for (const d of '12') assert.equal(daemon.digit(5, d, 't').state, 'buffered');
    assert.equal(daemon.digit(5, '*', 't').state, 'cleared');
  }
  const tries: string[] = [];
  for (const pin of ['0000', '1234', '1234']) {
    let last = daemon.digit(5, pin[0]!, 't');
    for (const d of pin.slice(1)) last = daemon.digit(5, d, 't');
    assert.equal(last.state, 'submitted');
    if (last.state === 'submitted') tries.push((await last.result).result);
  }
  assert.deepEqual(tries, ['wrong_pin', 'unlocked', 'rate_limited'], 'the third PIN within the minute is refused, whatever route it came by');
});

test('gateway down: the operation fails with gateway_down, not silently', async () => {
  const { daemon, gateway } = setup();
  gateway.connected = false;
  const out = await daemon.status(5, 't');
  assert.equal(out.result, 'gateway_down');
  assert.equal(exitCodeFor(out), 13);
});

test('legacy nodes get the original ECB line, which the old sketch accepts, and accepts again when replayed', async () => {
  const key16 = 'sixteen-chars-ok';
  const old = new LegacyVirtualNode({ nodeId: 9, key16, pin: '4321' });
  const gateway = new FakeGateway();
  gateway.plainHandler = (m) => {
    old.receive(m);
    return [];
  };
  const p = makePair();
  const warnings: string[] = [];
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map(),
    legacy: { nodes: new Set([9]), line: (node, pin) => legacyUnlockLine({ node, pin, key16, logger: { warn: (_o, msg) => warnings.push(msg ?? '') } }) },
  });
  daemon.start();
  for (const d of '432') daemon.digit(9, d, 't');
  const last = daemon.digit(9, '1', 't');
  const report = last.state === 'submitted' ? await last.result : undefined;
  assert.equal(report?.result, 'sent_legacy');
  assert.equal(old.unlockCount, 1);
  assert.equal(warnings.length, 1, 'every legacy use warns');
  // The flaw MySeal exists to fix: the recorded line opens the old lock again.
  gateway.send(gateway.sent.at(-1)!);
  assert.equal(old.unlockCount, 2);
  // Insisting on the original format for a node not in legacy mode is refused: nothing is sent.
  const sent = gateway.sent.length;
  const refused = await daemon.unlock(5, '1234', 't', { legacy: true });
  assert.deepEqual([refused.result, httpStatusFor(refused), exitCodeFor(refused)], ['refused_by_policy', 403, 15]);
  assert.equal(gateway.sent.length, sent);
  assert.equal(warnings.length, 1, 'no legacy line was even built');
});

test('an operation is answered only once its audit line is durable (the sink has flushed it)', async () => {
  const p = makePair({ node: { onSet: () => true } });
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const appended: AuditInput[] = [];
  const flushes: { upTo: number; done: () => void }[] = [];
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map([[p.nodeId, { children: new Map([[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]) }]]),
    // A writer whose fsync the test releases: flush() resolves when the test says so.
    audit: { append: (e) => appended.push(e), flush: () => new Promise<void>((done) => flushes.push({ upTo: appended.length, done })) },
    timeoutMs: 200,
    retries: 0,
    holdMs: 50,
  });
  daemon.start();
  let answered = false;
  const unlocking = daemon.unlock(5, '1234', 'test').then((r) => {
    answered = true;
    return r;
  });
  await until(() => flushes.length > 0, 'the operation to wait for its audit line');
  assert.equal(p.node.locked, false, 'the node acted');
  assert.ok(appended.slice(0, flushes[0]!.upTo).some((e) => e.event === 'unlock' && e.result === 'unlocked'), 'the line was written before the wait');
  await settled();
  assert.equal(answered, false, 'no answer while the line is not durable');
  for (const f of flushes) f.done();
  assert.equal((await unlocking).result, 'unlocked');
  await daemon.stop();
});
