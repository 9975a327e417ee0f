import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MySealError } from '../errors.ts';
import { Command as MsCommand, PayloadType } from '../mysensors/enums.ts';
import {
  decodeCommand,
  decodeReport,
  decodeResult,
  encodeCommand,
  encodeReport,
  encodeResult,
  MAX_REPORT_VALUE_LENGTH,
  MAX_SET_VALUE_LENGTH,
  Op,
  Status,
} from './body.ts';
import type { Command, ResultBody, SensorValue } from './body.ts';
import { frameToMessage, messageToFrame } from './carriage.ts';
import { Direction, FrameKind, parseFrame } from './frame.ts';
import { decodePin, encodePin } from './pin.ts';
import { checkFrameAtController, checkFrameAtNode } from './receive.ts';
import { openFrame, sealFrame } from './seal.ts';
import { GATEWAY_NODE_ID, MAX_BODY_LENGTH } from './constants.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { Eeprom, EEPROM_BYTES } from '../../node/eeprom.ts';
import { WasmNode } from '../../node/wasm-node.ts';

const bytes = (max = 40) => fc.uint8Array({ maxLength: max });
const pin = fc.stringMatching(/^[0-9]{4,8}$/);
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const challenge = fc.uint8Array({ minLength: 5, maxLength: 5 });

function valueArb(maxData: number): fc.Arbitrary<SensorValue> {
  const fixed: [PayloadType, number][] = [
    [PayloadType.P_BYTE, 1],
    [PayloadType.P_INT16, 2],
    [PayloadType.P_UINT16, 2],
    [PayloadType.P_LONG32, 4],
    [PayloadType.P_ULONG32, 4],
    [PayloadType.P_FLOAT32, 4],
  ];
  const type = fc.integer({ min: 0, max: 255 });
  // fc.record builds null-prototype objects; spread them into plain ones to compare with decoders.
  return fc.oneof(
    fc.record({
      type,
      payloadType: fc.constant(PayloadType.P_STRING),
      data: fc.stringMatching(new RegExp(`^[ -:<-~]{0,${maxData}}$`)).map((s) => new TextEncoder().encode(s)),
    }),
    fc.record({ type, payloadType: fc.constant(PayloadType.P_CUSTOM), data: fc.uint8Array({ maxLength: maxData }) }),
    fc.constantFrom(...fixed).chain(([payloadType, n]) =>
      fc.record({ type, payloadType: fc.constant(payloadType), data: fc.uint8Array({ minLength: n, maxLength: n }) }),
    ),
  ).map((v) => ({ ...v }));
}

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ op: Op.GetChallenge } as Command),
  fc.constant({ op: Op.Status } as Command),
  fc.constant({ op: Op.Lock } as Command),
  pin.map((p) => ({ op: Op.Unlock, pin: p }) as Command),
  fc.tuple(pin, pin).map(([oldPin, newPin]) => ({ op: Op.SetPin, oldPin, newPin }) as Command),
  fc.uint8Array({ minLength: 11, maxLength: 11 }).map((seed) => ({ op: Op.RotateKey, seed }) as Command),
  valueArb(MAX_SET_VALUE_LENGTH).map((value) => ({ op: Op.Set, value }) as Command),
);

const resultArb: fc.Arbitrary<ResultBody> = fc.oneof(
  fc.record({ status: fc.constantFrom(Status.Done, Status.Locked, Status.Unlocked), commandCounter: u32 }),
  fc.record({ status: fc.constantFrom(Status.Challenge, Status.ChallengeExpired), commandCounter: u32, challenge }),
  fc.record({ status: fc.constant(Status.WrongPin), commandCounter: u32, attemptsLeft: fc.integer({ min: 0, max: 255 }), challenge }),
  fc.record({ status: fc.constant(Status.LockedOut), commandCounter: u32, secondsLeft: u32 }),
  fc.record({ status: fc.constant(Status.StaleCounter), commandCounter: u32, lastAccepted: u32 }),
  fc.record({ status: fc.constant(Status.BadRequest), commandCounter: u32, reason: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    status: fc.constant(Status.LockStatus),
    commandCounter: u32,
    locked: fc.boolean(),
    attemptsLeft: fc.integer({ min: 0, max: 255 }),
    lockoutSeconds: u32,
  }),
).map((r) => ({ ...r })) as fc.Arbitrary<ResultBody>;

test('bodies round-trip and always fit one AES block (property)', () => {
  fc.assert(
    fc.property(commandArb, (c) => {
      const body = encodeCommand(c);
      assert.ok(body.length >= 1 && body.length <= 12);
      assert.deepEqual(decodeCommand(body), { ok: true, command: c });
    }),
  );
  fc.assert(
    fc.property(resultArb, (r) => {
      const body = encodeResult(r);
      assert.ok(body.length >= 5 && body.length <= 12);
      const back = decodeResult(body);
      assert.ok(back.ok);
      assert.deepEqual(back.value, r);
    }),
  );
  fc.assert(
    fc.property(valueArb(MAX_REPORT_VALUE_LENGTH), (v) => {
      const back = decodeReport(encodeReport(v));
      assert.ok(back.ok);
      assert.deepEqual(back.value, v);
    }),
  );
});

test('PINs round-trip; 4 to 8 digits only', () => {
  fc.assert(fc.property(pin, (p) => assert.equal(decodePin(encodePin(p)), p)));
  for (const bad of ['', '123', '123456789', '12a4', ' 1234', '1234\n', '１２３４']) {
    assert.throws(() => encodePin(bad), MySealError);
  }
});

test('every parser and opener returns, never throws, on arbitrary input (property)', () => {
  const key = new Uint8Array(16);
  fc.assert(
    fc.property(bytes(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (b, sender, child) => {
      parseFrame(b, Direction.ToNode);
      parseFrame(b, Direction.ToController);
      openFrame(b, { keys: [key], direction: Direction.ToNode, address: { sender, destination: 3, child } });
      checkFrameAtNode({ sender, child, frame: b }, { nodeId: 3, key, lastReceived: 5, challenge: { bytes: b.slice(0, 5).length === 5 ? b.slice(0, 5) : new Uint8Array(5), used: false, expired: false } });
      checkFrameAtController(child, b, { nodeId: sender, keys: [key], lastReceived: 0 });
      decodeCommand(b);
      decodeResult(b);
      decodeReport(b);
      decodePin(b);
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 255 }), (payload, command, type) => {
      messageToFrame({ nodeId: 1, childId: 1, command, echo: false, type, payload });
    }),
  );
});

test('a sealed frame rides a C_STREAM type-83 message and comes back unchanged (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 254 }), fc.integer({ min: 0, max: 254 }), (frame, node, child) => {
      const m = frameToMessage(node, child, frame);
      assert.equal(m.command, MsCommand.C_STREAM);
      assert.equal(m.type, 83);
      assert.ok(m.payload.length <= 50);
      const back = messageToFrame(m);
      assert.ok(back.ok);
      assert.deepEqual(back.value, { nodeId: node, child, frame });
    }),
  );
  const notSealed = messageToFrame({ nodeId: 1, childId: 1, command: MsCommand.C_SET, echo: false, type: 47, payload: 'x' });
  assert.equal(notSealed.ok, false);
});

test('the node never throws on arbitrary frames and answers none it cannot authenticate (property)', () => {
  const { node, eeprom } = makePair();
  const before = Uint8Array.from(eeprom.bytes);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), bytes(30), (sender, child, frame) => {
      const outcome = node.receive({ sender, child, frame });
      assert.ok(outcome.error !== undefined, 'a random frame is refused');
      assert.equal(outcome.replies.length, 0, 'an unauthentic frame gets no answer');
    }),
    { numRuns: 3000 },
  );
  assert.deepEqual(eeprom.bytes, before, 'refused frames change nothing the node stores');
});

test('the node never throws on authentic frames with arbitrary bodies, and its stored state stays loadable (property)', () => {
  const { node, key, nodeId } = makePair();
  let counter = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(FrameKind.Command, FrameKind.Critical),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ minLength: 1, maxLength: MAX_BODY_LENGTH }),
      fc.option(fc.uint8Array({ minLength: 5, maxLength: 5 })),
      (kind, child, body, challenge) => {
        counter += 1;
        const address = { sender: GATEWAY_NODE_ID, destination: nodeId, child };
        const frame = sealFrame({ key, kind, address, counter, challenge: challenge ?? new Uint8Array(5) }, body);
        const outcome = node.receive({ sender: GATEWAY_NODE_ID, child, frame });
        assert.ok(outcome.error !== undefined || outcome.command !== undefined, 'every frame ends acted on or refused');
        assert.ok(outcome.replies.length <= 1, 'at most one answer per frame');
        assert.ok(node.persisted.lastReceived <= counter);
      },
    ),
    { numRuns: 1500 },
  );
  // What it stored boots again: the node never bricks itself.
  const stored = node.persisted.lastReceived;
  node.restart();
  assert.equal(node.persisted.lastReceived, stored, 'a reset keeps the last counter accepted');
});

test('the node boots on an EEPROM of arbitrary contents, never traps, and comes up with the key it was flashed with (property)', () => {
  const key = new Uint8Array(16).fill(7);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: EEPROM_BYTES, maxLength: EEPROM_BYTES }), (image) => {
      const node = new WasmNode({ nodeId: 5, key, pin: '2468', eeprom: new Eeprom(image), clock: () => 0 });
      // Arbitrary bytes never hold this key's fingerprint: the node provisions itself afresh.
      assert.deepEqual(node.persisted.key, key);
      assert.equal(node.persisted.lastReceived, 0);
      assert.equal(node.locked, true, 'a new node starts locked');
      node.restart();
      assert.deepEqual(node.persisted.key, key, 'and boots again from what it wrote');
    }),
    { numRuns: 500 },
  );
});
