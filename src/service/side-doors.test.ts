/**
 * The plain-text doors around the sealed channel: a plain value from a sealed child never reaches
 * controllers; controllers reach a sealed node only with what it asks for; the node's refusal of a
 * frame MySeal did not send is a security event; a status shows a lockout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, Internal, SetReq, Stream } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { Op, Status } from '../core/protocol/body.ts';
import { frameToMessage, messageToFrame } from '../core/protocol/carriage.ts';
import { makePair } from '../demo/memory-pair.ts';
import { runOperation } from '../core/protocol/operation.ts';
import type { ForeignAnswer } from '../core/protocol/controller-channel.ts';
import type { ResultBody } from '../core/protocol/body.ts';
import { FakeGateway } from '../../test/support/fake-gateway.ts';
import { settled, until } from '../../test/support/until.ts';
import type { AuditInput } from '../audit/schema.ts';
import { Daemon } from './daemon.ts';
import type { ChildOptions, Outbound } from './daemon.ts';
import { controllerText, describeOutcome, lockStatusText, MAX_TEXT_CHARS } from './lock/outcome.ts';

function setup(opts: { children?: [number, ChildOptions][]; allowFirmwareUpdate?: boolean } = {}) {
  const p = makePair({ node: { onSet: () => true } });
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const audit: AuditInput[] = [];
  const children = new Map(opts.children ?? [[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]);
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map([[p.nodeId, { children, allowFirmwareUpdate: opts.allowFirmwareUpdate }]]),
    audit: { append: (e) => audit.push(e) },
    timeoutMs: 300,
    retries: 0,
    holdMs: 50,
    pinTriesPerMinute: 100,
  });
  const seen: Outbound[] = [];
  daemon.attach({ id: 'ctl', send: (o) => seen.push(o) });
  daemon.start();
  return { p, gateway, daemon, audit, seen };
}

const msg = (m: Partial<MySensorsMessage>): MySensorsMessage => ({ nodeId: 5, childId: 1, command: Command.C_SET, echo: false, type: SetReq.V_LOCK_STATUS, payload: '0', ...m });

test('a plain value or request from a sealed child never reaches controllers: dropped, counted, audited', () => {
  const { gateway, daemon, audit, seen } = setup({ children: [[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }], [3, { kind: 'contact', policy: 'pass' }]] });
  // The door "unlocked" and the contact "closed", injected on the gateway link; a child MySeal was
  // not told about is sealed too, and so is a request.
  const forged = [
    msg({}),
    msg({ childId: 3, type: SetReq.V_TRIPPED, payload: '0' }),
    msg({ childId: 9, type: SetReq.V_STATUS, payload: '1' }),
    msg({ command: Command.C_REQ, type: SetReq.V_LOCK_STATUS, payload: '' }),
  ];
  for (const m of forged) gateway.fromNode(m);
  assert.deepEqual(seen, [], 'nothing reached controllers');
  assert.equal(daemon.counters.get('gateway:PLAIN_FROM_SEALED_NODE'), forged.length);
  const events = audit.filter((a) => a.event === 'security' && a.result === 'PLAIN_FROM_SEALED_NODE');
  assert.deepEqual(
    events.map((a) => [a.node, a.child, a.source]),
    forged.map((m) => [5, m.childId, 'gateway']),
  );
  assert.deepEqual(events[1]?.detail, { command: 'C_SET', type: 'V_TRIPPED' });
});

test('presentations and internal messages of a sealed node pass; so do plain values of a child that accepts them and of nodes without a key', () => {
  const { gateway, daemon, seen } = setup({ children: [[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }], [4, { kind: 'sensor', policy: 'pass', acceptPlain: true }]] });
  const passing = [
    msg({ command: Command.C_PRESENTATION, type: 19, payload: 'door' }),
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_SKETCH_NAME, payload: 'MySeal SecureLock' }),
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_BATTERY_LEVEL, payload: '97' }),
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_HEARTBEAT_RESPONSE, payload: '1' }),
    msg({ childId: 4, type: SetReq.V_TEMP, payload: '21.5' }),
    msg({ nodeId: 7, childId: 1, type: SetReq.V_LOCK_STATUS, payload: '0' }),
  ];
  for (const m of passing) gateway.fromNode(m);
  assert.deepEqual(
    seen.map((o) => o.message),
    passing,
  );
  assert.equal(daemon.counters.get('gateway:PLAIN_FROM_SEALED_NODE'), undefined);
});

test('an authentic sealed report still reaches controllers as the plain message', async () => {
  const { gateway, p, seen } = setup();
  const report = p.node.setLockedByHand(false);
  gateway.fromNode(frameToMessage(5, report.child, report.frame));
  await settled();
  assert.deepEqual(seen.at(-1)?.message, msg({ payload: '0' }));
});

test('controllers reach a sealed node only with what it asks for; a reboot and every C_STREAM are refused and reported', () => {
  const { gateway, daemon, audit, seen } = setup();
  const allowed = [Internal.I_TIME, Internal.I_CONFIG, Internal.I_ID_RESPONSE, Internal.I_PRESENTATION, Internal.I_HEARTBEAT_REQUEST].map((type) =>
    msg({ childId: 255, command: Command.C_INTERNAL, type, payload: type === Internal.I_TIME ? '1700000000' : type === Internal.I_CONFIG ? 'M' : '' }),
  );
  for (const m of allowed) daemon.fromController(m, 'ctl');
  assert.deepEqual(gateway.sent, allowed, 'the answers a node asks for, and presentation and heartbeat requests, pass');

  const refused = [
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_REBOOT, payload: '' }),
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_DISCOVER_REQUEST, payload: '' }),
    msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_FIRMWARE_CONFIG_RESPONSE, payload: '0A0B' }),
    msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_FIRMWARE_RESPONSE, payload: '0A0B' }),
    msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_SOUND, payload: '00' }),
    msg({ childId: 1, command: Command.C_PRESENTATION, type: 19, payload: '' }),
  ];
  for (const m of refused) daemon.fromController(m, 'ctl');
  assert.equal(gateway.sent.length, allowed.length, 'none of them reached the gateway');
  assert.equal(daemon.counters.get('undelivered:NOT_ALLOWED'), refused.length);
  const notices = seen.flatMap((o) => (o.notice === undefined ? [] : [o.notice]));
  assert.equal(notices.length, refused.length);
  assert.equal(notices[0], 'MySeal: C_INTERNAL 5/255 I_REBOOT not delivered: not allowed');
  assert.equal(audit.filter((a) => a.event === 'set' && a.result === 'refused: not allowed to a sealed node').length, refused.length);

  // A node without a key is none of MySeal's business.
  daemon.fromController(msg({ nodeId: 7, childId: 255, command: Command.C_INTERNAL, type: Internal.I_REBOOT, payload: '' }), 'ctl');
  assert.equal(gateway.sent.at(-1)?.nodeId, 7);
});

test('allowFirmwareUpdate lets the reboot and the firmware stream through, and nothing more', () => {
  const { gateway, daemon } = setup({ allowFirmwareUpdate: true });
  const firmware = [
    msg({ childId: 255, command: Command.C_INTERNAL, type: Internal.I_REBOOT, payload: '' }),
    msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_FIRMWARE_CONFIG_RESPONSE, payload: '0A0B' }),
    msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_FIRMWARE_RESPONSE, payload: '0A0B' }),
  ];
  for (const m of firmware) daemon.fromController(m, 'ctl');
  assert.deepEqual(gateway.sent, firmware);
  daemon.fromController(msg({ childId: 255, command: Command.C_STREAM, type: Stream.ST_IMAGE, payload: '00' }), 'ctl');
  assert.equal(gateway.sent.length, firmware.length);
  assert.equal(daemon.counters.get('undelivered:NOT_ALLOWED'), 1);
});

test('a recorded unlock frame replayed on the gateway link: the node refuses it, and that is a security event', async () => {
  const { gateway, daemon, audit, p } = setup();
  assert.equal((await daemon.unlock(5, '1234', 'test')).result, 'unlocked');
  const recorded = gateway.sent.filter((m) => m.command === Command.C_STREAM);
  const unlockFrame = recorded.at(-1)!;
  assert.ok(messageToFrame(unlockFrame).ok);
  await daemon.lock(5, 'test');
  // The attacker plays the recorded line to the node: the node answers STALE_COUNTER.
  gateway.send(unlockFrame);
  await until(() => daemon.counters.get('node:UNEXPECTED_RESULT') === 1, 'the replay counted');
  const event = audit.find((a) => a.event === 'security' && a.result === 'UNEXPECTED_RESULT');
  assert.equal(event?.node, 5);
  assert.equal(event?.detail?.nodeAnswer, 'StaleCounter');
  assert.equal(event?.detail?.frame, 'not sent by MySeal');
  assert.equal(p.node.locked, true, 'the door stayed locked');
  // The daemon's own commands are no such event.
  assert.equal(audit.filter((a) => a.result === 'UNEXPECTED_RESULT').length, 1);
  assert.equal((await daemon.status(5, 'test')).result, 'status');
  assert.equal(audit.filter((a) => a.result === 'UNEXPECTED_RESULT').length, 1);
});

test('a jammed unlock released after its challenge expired: the node refuses it, and the controller says it was held back', async () => {
  const p = makePair();
  const foreign: [ResultBody, ForeignAnswer][] = [];
  const onForeignResult = (r: ResultBody, f: ForeignAnswer): void => void foreign.push([r, f]);
  await runOperation(p.channel, p.link, 1, { op: Op.GetChallenge });
  p.link.jamming = true;
  const sealed = await p.channel.seal(1, { op: Op.Unlock, pin: '1234' });
  await p.link.send(1, sealed.frame);
  p.link.jamming = false;
  p.clock.advance(60_000);
  p.link.inject(1, sealed.frame);
  // The next operation reads the node's refusal on its way.
  const out = await runOperation(p.channel, p.link, 1, { op: Op.Status }, { onForeignResult });
  assert.equal(out.result.status, Status.LockStatus);
  assert.equal(foreign.length, 1);
  assert.equal(foreign[0]![0].status, Status.ChallengeExpired);
  assert.equal(foreign[0]![1].why, 'held-back');
  assert.equal(p.node.locked, true);
});

test('a late answer to a command that timed out is no security event', async () => {
  const p = makePair();
  p.link.jammingFromNode = true;
  await assert.rejects(runOperation(p.channel, p.link, 1, { op: Op.Status }, { timeoutMs: 1, retries: 0 }));
  p.link.jammingFromNode = false;
  const answer = p.link.recorded.filter((f) => f.direction === 'toController').at(-1)!;
  const opened = await p.channel.open(answer.child, answer.frame);
  assert.ok(opened.ok && opened.value.kind === 'result');
  assert.equal(opened.ok && opened.value.kind === 'result' ? opened.value.foreign : 'x', undefined);
});

test('a status shows a lockout and its time left, or the attempts left, everywhere, within a V_TEXT', async () => {
  assert.equal(lockStatusText(true, 0, 50), 'locked, locked out for 50 s');
  assert.equal(lockStatusText(true, 3, 0), 'locked, 3 attempts left');
  assert.equal(lockStatusText(false, 1, 0), 'unlocked, 1 attempt left');
  for (const locked of [true, false]) {
    for (const seconds of [0, 1, 59, 60, 119, 120, 3599, 7199, 7200, 86_400, 4_294_967_295]) {
      for (const attempts of [0, 1, 5, 255]) {
        const text = lockStatusText(locked, attempts, seconds, MAX_TEXT_CHARS);
        assert.ok(text.length <= MAX_TEXT_CHARS, text);
        assert.ok(text.startsWith(locked ? 'locked' : 'unlocked'), text);
        assert.match(text, seconds > 0 ? /out/ : new RegExp(`${attempts} (attempts? )?left`));
      }
    }
  }
  const report = describeOutcome(5, { status: Status.LockStatus, commandCounter: 9, locked: true, attemptsLeft: 0, lockoutSeconds: 50 });
  assert.equal(report.text, 'locked, locked out for 50 s');
  assert.equal(controllerText(report), 'locked, locked out 50 s');

  // Through the daemon: five wrong PINs, then a status; controllers get the same text as V_TEXT.
  const { daemon, seen } = setup();
  for (let i = 0; i < 5; i++) await daemon.unlock(5, '0000', 'test');
  const status = await daemon.status(5, 'test');
  assert.match(status.text, /^locked, locked out for \d+ s$/);
  assert.equal(seen.at(-1)?.message?.type, SetReq.V_TEXT);
  assert.match(seen.at(-1)?.message?.payload ?? '', /^locked, locked out \d+ s$/);
});
