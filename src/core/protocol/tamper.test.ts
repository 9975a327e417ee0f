import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PayloadType, SetReq } from '../mysensors/enums.ts';
import { encodeCommand, encodeReport, encodeResult, Op, Status } from './body.ts';
import { GATEWAY_NODE_ID } from './constants.ts';
import { deriveChallenge } from './derive.ts';
import { FrameKind } from './frame.ts';
import { checkFrameAtController, checkFrameAtNode } from './receive.ts';
import { sealFrame } from './seal.ts';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 ^ i);
const NODE = 12;

interface Valid {
  kind: FrameKind;
  child: number;
  frame: Uint8Array;
  challenge?: Uint8Array;
}

/** 100 valid frames of every kind, with varied counters, children and bodies. */
function validFrames(): Valid[] {
  const bodies = [
    { kind: FrameKind.Command, body: encodeCommand({ op: Op.Status }) },
    { kind: FrameKind.Command, body: encodeCommand({ op: Op.Lock }) },
    { kind: FrameKind.Critical, body: encodeCommand({ op: Op.Unlock, pin: '4711' }) },
    { kind: FrameKind.Critical, body: encodeCommand({ op: Op.SetPin, oldPin: '4711', newPin: '12345678' }) },
    {
      kind: FrameKind.Command,
      body: encodeCommand({ op: Op.Set, value: { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) } }),
    },
    { kind: FrameKind.Result, body: encodeResult({ status: Status.Unlocked, commandCounter: 77 }) },
    {
      kind: FrameKind.Result,
      body: encodeResult({ status: Status.LockStatus, commandCounter: 9, locked: true, attemptsLeft: 3, lockoutSeconds: 0 }),
    },
    { kind: FrameKind.Report, body: encodeReport({ type: SetReq.V_TRIPPED, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) }) },
    {
      kind: FrameKind.Report,
      body: encodeReport({ type: SetReq.V_TEXT, payloadType: PayloadType.P_STRING, data: new TextEncoder().encode('0123456789') }),
    },
    { kind: FrameKind.Command, body: encodeCommand({ op: Op.GetChallenge }) },
  ];
  const out: Valid[] = [];
  for (let i = 0; i < 100; i++) {
    const { kind, body } = bodies[i % bodies.length]!;
    const child = 1 + (i % 4);
    const counter = 1000 + i * 7919;
    const toNode = kind === FrameKind.Command || kind === FrameKind.Critical;
    const address = toNode
      ? { sender: GATEWAY_NODE_ID, destination: NODE, child }
      : { sender: NODE, destination: GATEWAY_NODE_ID, child };
    const challenge = kind === FrameKind.Critical ? deriveChallenge(KEY, NODE, child, i + 1) : undefined;
    out.push({ kind, child, challenge, frame: sealFrame({ key: KEY, kind, address, counter, challenge }, body) });
  }
  return out;
}

function accepted(v: Valid, frame: Uint8Array): boolean {
  if (v.kind === FrameKind.Command || v.kind === FrameKind.Critical) {
    return checkFrameAtNode(
      { sender: GATEWAY_NODE_ID, child: v.child, frame },
      { nodeId: NODE, key: KEY, lastReceived: 0, challenge: v.challenge ? { bytes: v.challenge, used: false, expired: false } : null },
    ).ok;
  }
  return checkFrameAtController(v.child, frame, { nodeId: NODE, keys: [KEY], lastReceived: 0 }).ok;
}

test('every single-bit flip of 100 valid frames is rejected', () => {
  const frames = validFrames();
  let flips = 0;
  for (const v of frames) {
    assert.ok(accepted(v, v.frame), 'the untouched frame is accepted');
    for (let bit = 0; bit < v.frame.length * 8; bit++) {
      const bad = Uint8Array.from(v.frame);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(accepted(v, bad), false, `frame ${frames.indexOf(v)} bit ${bit}`);
      flips++;
    }
  }
  assert.ok(flips > 100 * 14 * 8, `${flips} flips`);
});

test('random multi-byte corruption and truncation are rejected (property)', () => {
  const frames = validFrames();
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: frames.length - 1 }),
      fc.uint8Array({ minLength: 1, maxLength: 25 }),
      fc.integer({ min: 0, max: 25 }),
      (i, noise, cut) => {
        const v = frames[i]!;
        const bad = Uint8Array.from(v.frame);
        let changed = false;
        for (let j = 0; j < noise.length && j < bad.length; j++) {
          if (noise[j] !== 0) changed = true;
          bad[j]! ^= noise[j]!;
        }
        const candidate = cut < bad.length ? bad.subarray(0, cut) : bad;
        if (!changed && candidate.length === v.frame.length) return;
        assert.equal(accepted(v, candidate), false);
      },
    ),
    { numRuns: 2000 },
  );
});
