/**
 * Builds the golden vectors of sealed frames v1 (test/vectors/seal-v1.json), the bytes every
 * implementation is held to. Deterministic: fixed keys, counters, challenges and seeds, so the file
 * regenerates byte for byte (`npx tsx scripts/generate-vectors.ts`) and a test checks that it does.
 *
 * Each entry says how the frame was sealed (key, nonce, aad, plaintext, and the fields they came
 * from), how it arrives (the MySensors header), the receiver's state, and the verdict the receive
 * rules (receive.ts, docs/protocol.md) give: "ok" or an error code name.
 */
import { errorCodeName } from '../../src/core/errors.ts';
import { PayloadType, SetReq } from '../../src/core/mysensors/enums.ts';
import { formatLine } from '../../src/core/mysensors/line.ts';
import { toHex } from '../../src/core/bytes.ts';
import { encodeCommand, encodeReport, encodeResult, Op, Status, BadRequestReason } from '../../src/core/protocol/body.ts';
import type { Command, ResultBody, SensorValue } from '../../src/core/protocol/body.ts';
import { frameToMessage } from '../../src/core/protocol/carriage.ts';
import { GATEWAY_NODE_ID } from '../../src/core/protocol/constants.ts';
import { deriveChallenge, deriveRotatedKey } from '../../src/core/protocol/derive.ts';
import { buildNonce, FrameKind } from '../../src/core/protocol/frame.ts';
import { encodePin } from '../../src/core/protocol/pin.ts';
import { buildExchanges } from './exchange-vectors.ts';
import { checkFrameAtController, checkFrameAtNode } from '../../src/core/protocol/receive.ts';
import { sealFrame } from '../../src/core/protocol/seal.ts';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

export const VECTOR_KEYS = {
  node5: h('6d7973656131c0ffee5eed0123456789'),
  node6: h('f00dfacecafebabe0011223344556677'),
  other: h('000102030405060708090a0b0c0d0e0f'),
  /** A lock in the gateway's own sketch. */
  node0: h('6761746577617930c0ffee0123456789'),
};
const NODE = 5;
const LOCK = 1;
const CHALLENGE = deriveChallenge(VECTOR_KEYS.node5, NODE, LOCK, 7);
const NEWER_CHALLENGE = deriveChallenge(VECTOR_KEYS.node5, NODE, LOCK, 9);
const SEED = h('5eed5eed0102030405060a');
/** The challenge node 0 hands out in its result with counter 1. */
const CHALLENGE_NODE0 = deriveChallenge(VECTOR_KEYS.node0, 0, LOCK, 1);
/** Node 0's key for both ends: the receiver of a node-0 vector holds it. */
const AT_NODE0: Partial<Spec> = { node: 0, key: VECTOR_KEYS.node0, receiver: { keys: [VECTOR_KEYS.node0] } };
const ROTATED = deriveRotatedKey(VECTOR_KEYS.node5, NODE, SEED);

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface SealVector {
  name: string;
  verdict: string;
  direction: 'to_node' | 'to_controller';
  kind: 'command' | 'critical' | 'result' | 'report';
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  frame: string;
  /** Nonce inputs the sender used. */
  sealed_as: { sender: number; destination: number; child: number; counter: number; challenge: string };
  /** The MySensors header the frame arrives with. */
  arrival: { sender: number; destination: number; child: number };
  receiver: {
    node_id: number;
    keys: string[];
    last_counter: number;
    challenge: string;
    challenge_used: boolean;
    challenge_expired: boolean;
  };
  body: { [k: string]: Json };
  /** The gateway line that carries the frame. */
  line: string;
  note?: string;
}

interface Spec {
  name: string;
  kind: FrameKind;
  key?: Uint8Array;
  node?: number;
  child?: number;
  counter: number;
  challenge?: Uint8Array;
  plaintext: Uint8Array;
  body: { [k: string]: Json };
  /** Alters the sealed frame (a tamper, a cut). */
  mutate?: (frame: Uint8Array) => Uint8Array;
  arrival?: Partial<SealVector['arrival']>;
  receiver?: Partial<{
    node_id: number;
    keys: Uint8Array[];
    last_counter: number;
    challenge: Uint8Array | null;
    challenge_used: boolean;
    challenge_expired: boolean;
  }>;
  note?: string;
  /** Who receives it, when not the one the kind is meant for (a reflected frame). */
  receivedBy?: 'node' | 'controller';
}

const isToNode = (k: FrameKind): boolean => k === FrameKind.Command || k === FrameKind.Critical;
const KIND_NAME = { [FrameKind.Command]: 'command', [FrameKind.Critical]: 'critical', [FrameKind.Result]: 'result', [FrameKind.Report]: 'report' } as const;

function build(s: Spec): SealVector {
  const node = s.node ?? NODE;
  const child = s.child ?? LOCK;
  const toNode = isToNode(s.kind);
  const key = s.key ?? VECTOR_KEYS.node5;
  const address = toNode
    ? { sender: GATEWAY_NODE_ID, destination: node, child }
    : { sender: node, destination: GATEWAY_NODE_ID, child };
  const challenge = s.kind === FrameKind.Critical ? (s.challenge ?? CHALLENGE) : undefined;
  const nonce = buildNonce(s.kind, address, s.counter, challenge);
  const honest = sealFrame({ key, kind: s.kind, address, counter: s.counter, challenge }, s.plaintext);
  const frame = s.mutate ? s.mutate(Uint8Array.from(honest)) : honest;
  const arrival = { ...address, ...s.arrival };
  const r = s.receiver ?? {};
  const receiverNode = r.node_id ?? (toNode ? arrival.destination : arrival.sender);
  const receiverKeys = r.keys ?? [VECTOR_KEYS.node5];
  const held = r.challenge === undefined ? (s.kind === FrameKind.Critical ? CHALLENGE : null) : r.challenge;
  const lastCounter = r.last_counter ?? Math.max(0, s.counter - 1);
  const atNode = s.receivedBy ? s.receivedBy === 'node' : toNode;
  const verdict = atNode
    ? checkFrameAtNode(
        { sender: arrival.sender, child: arrival.child, frame },
        {
          nodeId: receiverNode,
          key: receiverKeys[0]!,
          lastReceived: lastCounter,
          challenge: held && { bytes: held, used: r.challenge_used ?? false, expired: r.challenge_expired ?? false },
        },
      )
    : checkFrameAtController(arrival.child, frame, { nodeId: receiverNode, keys: receiverKeys, lastReceived: lastCounter });
  let line = '';
  try {
    const onWire = frameToMessage(atNode ? arrival.destination : arrival.sender, arrival.child, frame);
    line = formatLine(onWire).trimEnd();
  } catch {
    line = ''; // a frame no gateway line can carry (empty, or over 25 bytes)
  }
  return {
    name: s.name,
    verdict: verdict.ok ? 'ok' : errorCodeName(verdict.error.code),
    direction: atNode ? 'to_node' : 'to_controller',
    kind: KIND_NAME[s.kind as keyof typeof KIND_NAME],
    key: toHex(key),
    nonce: toHex(nonce),
    aad: '',
    plaintext: toHex(s.plaintext),
    frame: toHex(frame),
    sealed_as: { ...address, counter: s.counter, challenge: challenge ? toHex(challenge) : '' },
    arrival,
    receiver: {
      node_id: receiverNode,
      keys: receiverKeys.map((k) => toHex(k)),
      last_counter: lastCounter,
      challenge: held ? toHex(held) : '',
      challenge_used: r.challenge_used ?? false,
      challenge_expired: r.challenge_expired ?? false,
    },
    body: s.body,
    line,
    ...(s.note ? { note: s.note } : {}),
  };
}

function cmd(name: string, c: Command, counter: number, body: { [k: string]: Json }, extra: Partial<Spec> = {}): Spec {
  const critical = c.op === Op.Unlock || c.op === Op.SetPin || c.op === Op.RotateKey;
  return { name, kind: critical ? FrameKind.Critical : FrameKind.Command, counter, plaintext: encodeCommand(c), body, ...extra };
}

function res(name: string, r: ResultBody, counter: number, body: { [k: string]: Json }, extra: Partial<Spec> = {}): Spec {
  return { name, kind: FrameKind.Result, counter, plaintext: encodeResult(r), body, ...extra };
}

function rep(name: string, v: SensorValue, counter: number, extra: Partial<Spec> = {}): Spec {
  return {
    name,
    kind: FrameKind.Report,
    counter,
    plaintext: encodeReport(v),
    body: { type: SetReq[v.type] ?? v.type, payload_type: PayloadType[v.payloadType], data: toHex(v.data) },
    ...extra,
  };
}

const flip = (index: number, mask = 0x01) => (f: Uint8Array): Uint8Array => {
  const i = index < 0 ? f.length + index : index;
  f[i]! ^= mask;
  return f;
};

const UNLOCK: Command = { op: Op.Unlock, pin: '1234' };
const UNLOCK_BODY = { op: 'unlock', pin: '1234', pin_encoded: toHex(encodePin('1234')) };

export function buildSealV1Vectors(): { [k: string]: Json } {
  const specs: Spec[] = [
    // ---- valid commands --------------------------------------------------------------------
    cmd('command get-challenge', { op: Op.GetChallenge }, 1, { op: 'get_challenge' }),
    cmd('command status', { op: Op.Status }, 2, { op: 'status' }),
    cmd('command lock', { op: Op.Lock }, 3, { op: 'lock' }),
    cmd('critical unlock, 4-digit PIN', UNLOCK, 8, UNLOCK_BODY),
    cmd('critical unlock, 8-digit PIN', { op: Op.Unlock, pin: '20261125' }, 8, { op: 'unlock', pin: '20261125' }),
    cmd('critical unlock, wrong PIN (the frame is fine; the node answers wrong_pin)', { op: Op.Unlock, pin: '0000' }, 8, { op: 'unlock', pin: '0000' }),
    cmd('critical set-pin', { op: Op.SetPin, oldPin: '1234', newPin: '908172' }, 8, { op: 'set_pin', old_pin: '1234', new_pin: '908172' }),
    cmd('critical rotate-key', { op: Op.RotateKey, seed: SEED }, 8, { op: 'rotate_key', seed: toHex(SEED), new_key: toHex(ROTATED) }),
    cmd('command set V_STATUS=1 (P_BYTE) to a relay', { op: Op.Set, value: { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') } }, 4, { op: 'set', type: 'V_STATUS', payload_type: 'P_BYTE', data: '01' }, { child: 2 }),
    cmd('command set V_TEXT (P_STRING, 9 chars: the largest set)', { op: Op.Set, value: { type: SetReq.V_TEXT, payloadType: PayloadType.P_STRING, data: new TextEncoder().encode('HELLO-123') } }, 5, { op: 'set', type: 'V_TEXT', payload_type: 'P_STRING', text: 'HELLO-123' }, { child: 2, note: 'a 25-byte frame: the largest that fits' }),
    cmd('command set V_PERCENTAGE=-300 (P_INT16, little-endian)', { op: Op.Set, value: { type: SetReq.V_PERCENTAGE, payloadType: PayloadType.P_INT16, data: h('d4fe') } }, 6, { op: 'set', type: 'V_PERCENTAGE', payload_type: 'P_INT16', value: -300 }, { child: 3 }),
    { ...cmd('critical set V_STATUS=1 to a guarded relay', { op: Op.Set, value: { type: SetReq.V_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') } }, 8, { op: 'set', type: 'V_STATUS', payload_type: 'P_BYTE', data: '01' }, { child: 3 }), kind: FrameKind.Critical, challenge: deriveChallenge(VECTOR_KEYS.node5, NODE, 3, 7), receiver: { challenge: deriveChallenge(VECTOR_KEYS.node5, NODE, 3, 7) } },
    cmd('command status with the largest counter', { op: Op.Status }, 0xffffffff, { op: 'status' }),
    cmd('command status to node 6 under its own key', { op: Op.Status }, 1, { op: 'status' }, { node: 6, key: VECTOR_KEYS.node6, receiver: { keys: [VECTOR_KEYS.node6] } }),

    // ---- valid results and reports ----------------------------------------------------------
    res('result challenge (answers counter 1)', { status: Status.Challenge, commandCounter: 1, challenge: CHALLENGE }, 7, { status: 'challenge', command_counter: 1, challenge: toHex(CHALLENGE), note: 'challenge = AES(key, C3|05|01|00|00000007|00*8)[0..4]' }),
    res('result lock status', { status: Status.LockStatus, commandCounter: 2, locked: true, attemptsLeft: 5, lockoutSeconds: 0 }, 10, { status: 'lock_status', command_counter: 2, locked: true, attempts_left: 5, lockout_seconds: 0 }),
    res('result locked', { status: Status.Locked, commandCounter: 3, }, 11, { status: 'locked', command_counter: 3 }),
    res('result unlocked', { status: Status.Unlocked, commandCounter: 8 }, 12, { status: 'unlocked', command_counter: 8 }),
    res('result wrong PIN, 4 attempts left, next challenge', { status: Status.WrongPin, commandCounter: 8, attemptsLeft: 4, challenge: NEWER_CHALLENGE }, 9, { status: 'wrong_pin', command_counter: 8, attempts_left: 4, challenge: toHex(NEWER_CHALLENGE) }),
    res('result locked out, 60 s left', { status: Status.LockedOut, commandCounter: 8, secondsLeft: 60 }, 13, { status: 'locked_out', command_counter: 8, seconds_left: 60 }, { note: 'the answer to a wrong PIN on the last attempt: LOCKED_OUT, never WRONG_PIN with 0 left' }),
    res('result stale counter, node accepted up to 8', { status: Status.StaleCounter, commandCounter: 5, lastAccepted: 8 }, 14, { status: 'stale_counter', command_counter: 5, last_accepted: 8 }),
    res('result bad request: challenge required', { status: Status.BadRequest, commandCounter: 9, reason: BadRequestReason.ChallengeRequired }, 15, { status: 'bad_request', command_counter: 9, reason: 'challenge_required' }),
    res('result challenge expired, with a new one', { status: Status.ChallengeExpired, commandCounter: 10, challenge: NEWER_CHALLENGE }, 9, { status: 'challenge_expired', command_counter: 10, challenge: toHex(NEWER_CHALLENGE) }),
    res('result done, under the rotated key (confirms the rotation)', { status: Status.Done, commandCounter: 8 }, 16, { status: 'done', command_counter: 8 }, { key: ROTATED, receiver: { keys: [ROTATED, VECTOR_KEYS.node5] } }),
    rep('report V_LOCK_STATUS=0 (unlocked by hand)', { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: h('00') }, 17),
    rep('report V_TRIPPED=1 (door contact)', { type: SetReq.V_TRIPPED, payloadType: PayloadType.P_BYTE, data: h('01') }, 18, { child: 4 }),
    rep('report V_TEMP=21.5 (P_FLOAT32, little-endian)', { type: SetReq.V_TEMP, payloadType: PayloadType.P_FLOAT32, data: h('0000ac41') }, 19, { child: 5 }),
    rep('report V_TEXT, 10 chars (the largest report)', { type: SetReq.V_TEXT, payloadType: PayloadType.P_STRING, data: new TextEncoder().encode('door:ajar!') }, 20, { child: 6 }),

    // ---- node 0: a lock in the gateway's own sketch (sender 0 and destination 0 both ways) ----
    cmd('node 0: command get-challenge (sender 0, destination 0)', { op: Op.GetChallenge }, 1, { op: 'get_challenge' }, AT_NODE0),
    res('node 0: result challenge (sender 0, destination 0, direction bit 1)', { status: Status.Challenge, commandCounter: 1, challenge: CHALLENGE_NODE0 }, 1, { status: 'challenge', command_counter: 1, challenge: toHex(CHALLENGE_NODE0) }, { ...AT_NODE0, note: 'the same counter as the command it answers: only the header byte (direction, kind) tells their nonces apart' }),
    cmd('node 0: critical unlock, PIN 1234', UNLOCK, 2, UNLOCK_BODY, { ...AT_NODE0, challenge: CHALLENGE_NODE0, receiver: { keys: [VECTOR_KEYS.node0], challenge: CHALLENGE_NODE0 } }),
    res('node 0: result unlocked', { status: Status.Unlocked, commandCounter: 2 }, 2, { status: 'unlocked', command_counter: 2 }, AT_NODE0),
    rep('node 0: report V_LOCK_STATUS=1 (relocked)', { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') }, 3, AT_NODE0),

    // ---- refused: wrong key, tampering --------------------------------------------------------
    cmd('wrong key', UNLOCK, 8, UNLOCK_BODY, { key: VECTOR_KEYS.other }),
    cmd('header tampered: version 2', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(0, 0x30) }),
    cmd('header tampered: critical turned into command', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(0, 0x01) }),
    cmd('header tampered: command turned into critical', { op: Op.Lock }, 3, { op: 'lock' }, { mutate: flip(0, 0x01), receiver: { challenge: CHALLENGE } }),
    cmd('header tampered: kind 2 (a result kind) on the way to a node', { op: Op.Lock }, 3, { op: 'lock' }, { mutate: flip(0, 0x02) }),
    cmd('header tampered: kind 15', { op: Op.Lock }, 3, { op: 'lock' }, { mutate: flip(0, 0x0f) }),
    cmd('header tampered: direction bit', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(0, 0x80) }),
    cmd('counter tampered: raised by one', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(4, 0x03) }),
    cmd('counter tampered: high byte', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(1, 0x80) }),
    cmd('counter tampered to 0', { op: Op.Status }, 8, { op: 'status' }, { mutate: flip(4, 0x08) }),
    cmd('ciphertext tampered: first byte (the opcode)', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(5) }),
    cmd('ciphertext tampered: PIN byte', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(7, 0x10) }),
    cmd('tag tampered: first byte', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(-8) }),
    cmd('tag tampered: last byte', UNLOCK, 8, UNLOCK_BODY, { mutate: flip(-1, 0x80) }),
    cmd('sender tampered: frame arrives from node 7, not the gateway', UNLOCK, 8, UNLOCK_BODY, { arrival: { sender: 7 } }),

    // ---- refused: freshness and challenges --------------------------------------------------
    cmd('replayed counter: equal to the last accepted', UNLOCK, 8, UNLOCK_BODY, { receiver: { last_counter: 8 } }),
    cmd('replayed counter: below the last accepted', { op: Op.Lock }, 3, { op: 'lock' }, { receiver: { last_counter: 40 } }),
    cmd('used challenge', UNLOCK, 8, UNLOCK_BODY, { receiver: { challenge_used: true } }),
    cmd('stale challenge: the node has issued a newer one', UNLOCK, 8, UNLOCK_BODY, { receiver: { challenge: NEWER_CHALLENGE } }),
    cmd('expired challenge (delayed release)', UNLOCK, 8, UNLOCK_BODY, { receiver: { challenge_expired: true } }),
    cmd('no challenge held (the node was reset)', UNLOCK, 8, UNLOCK_BODY, { receiver: { challenge: null } }),

    // ---- refused: wrong node, child, direction ----------------------------------------------
    cmd('wrong node: sealed for node 5, delivered to node 6 holding the same key', UNLOCK, 8, UNLOCK_BODY, { arrival: { destination: 6 } }),
    cmd('wrong node: sealed for node 5, delivered to node 6 under its own key', UNLOCK, 8, UNLOCK_BODY, { arrival: { destination: 6 }, receiver: { keys: [VECTOR_KEYS.node6] } }),
    cmd('wrong node: sealed for node 5, delivered to node 0 holding the same key', UNLOCK, 8, UNLOCK_BODY, { arrival: { destination: 0 } }),
    cmd('wrong node: sealed for node 0, delivered to node 5 holding the same key', { op: Op.Status }, 4, { op: 'status' }, { ...AT_NODE0, arrival: { destination: 5 } }),
    cmd('wrong child: sealed for child 1, delivered to child 2', UNLOCK, 8, UNLOCK_BODY, { arrival: { child: 2 } }),
    { ...res('wrong direction: a node result reflected back to the node', { status: Status.Unlocked, commandCounter: 8 }, 12, { status: 'unlocked', command_counter: 8 }), arrival: { sender: 0, destination: NODE }, receiver: { node_id: NODE, last_counter: 0 }, receivedBy: 'node' },
    { ...cmd('wrong direction: a command reflected to the controller as if from the node', { op: Op.Status }, 2, { op: 'status' }), arrival: { sender: NODE, destination: 0 }, receiver: { node_id: NODE, last_counter: 0 }, receivedBy: 'controller' },
    { ...res('wrong direction: a node-0 result reflected back to node 0 (same sender and destination)', { status: Status.Unlocked, commandCounter: 2 }, 2, { status: 'unlocked', command_counter: 2 }, AT_NODE0), receiver: { node_id: 0, keys: [VECTOR_KEYS.node0], last_counter: 0 }, receivedBy: 'node' },

    // ---- refused: length ---------------------------------------------------------------------
    cmd('truncated: 13 bytes (no body)', { op: Op.Status }, 2, { op: 'status' }, { mutate: (f) => f.slice(0, 13) }),
    cmd('truncated: last tag byte cut', UNLOCK, 8, UNLOCK_BODY, { mutate: (f) => f.slice(0, f.length - 1) }),
    cmd('truncated: empty', { op: Op.Status }, 2, { op: 'status' }, { mutate: () => new Uint8Array(0) }),
    cmd('oversized: 26 bytes', { op: Op.Set, value: { type: SetReq.V_TEXT, payloadType: PayloadType.P_STRING, data: new TextEncoder().encode('HELLO-123') } }, 5, { op: 'set', type: 'V_TEXT', text: 'HELLO-123' }, { child: 2, mutate: (f) => Uint8Array.from([...f, 0]) }),

    // ---- refused at the controller -----------------------------------------------------------
    res('controller: result ciphertext tampered', { status: Status.Unlocked, commandCounter: 8 }, 12, { status: 'unlocked', command_counter: 8 }, { mutate: flip(6) }),
    res('controller: replayed result', { status: Status.Unlocked, commandCounter: 8 }, 12, { status: 'unlocked', command_counter: 8 }, { receiver: { last_counter: 12 } }),
    rep('controller: report from node 5 claimed by node 6', { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') }, 21, { arrival: { sender: 6 }, receiver: { keys: [VECTOR_KEYS.node6] } }),
    rep('controller: report moved to another child', { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') }, 21, { arrival: { child: 9 } }),
    res('controller: result under the old key after the rotation committed', { status: Status.Done, commandCounter: 8 }, 16, { status: 'done', command_counter: 8 }, { receiver: { keys: [ROTATED] } }),
    rep('controller: report from node 0 claimed by node 5 (the same key)', { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: h('01') }, 3, { ...AT_NODE0, arrival: { sender: 5 } }),
  ];

  const challenges = [
    [NODE, LOCK, 7],
    [NODE, LOCK, 9],
    [NODE, 3, 7],
    [6, 1, 1],
    [254, 254, 0xffffffff],
  ].map(([node, child, counter]) => ({
    key: toHex(node === 6 ? VECTOR_KEYS.node6 : VECTOR_KEYS.node5),
    node: node!,
    child: child!,
    result_counter: counter!,
    challenge: toHex(deriveChallenge(node === 6 ? VECTOR_KEYS.node6 : VECTOR_KEYS.node5, node!, child!, counter!)),
  }));
  const rotations = [SEED, h('0000000000000000000000'), h('ffffffffffffffffffffff')].map((seed) => ({
    key: toHex(VECTOR_KEYS.node5),
    node: NODE,
    seed: toHex(seed),
    new_key: toHex(deriveRotatedKey(VECTOR_KEYS.node5, NODE, seed)),
  }));
  const pins = ['0000', '1234', '98765', '20261125', '0123456'].map((pin) => ({ pin, encoded: toHex(encodePin(pin)) }));
  const badPins = ['123fffff', 'f1234fff', '12a4ffff', '123ffff4', 'ffffffff'].map((encoded) => ({ encoded, verdict: 'BAD_PIN' }));

  const built = specs.map((s) => build(s));
  const firstLine = built[0]!.line;
  return {
    protocol: 'MySeal sealed frames v1',
    spec: 'docs/protocol.md',
    generated_by: 'scripts/generate-vectors.ts',
    cipher: 'AES-128-CCM, M=8 (8-byte tag), L=2 (13-byte nonce), empty aad',
    frame_layout: 'header(1) | counter(4, big-endian) | ciphertext | tag(8)',
    nonce_layout: 'header | sender | destination | child | counter(4, big-endian) | challenge(5) or 00*5',
    entry_fields:
      'key, nonce, aad and plaintext are what the SENDER sealed `frame` with (sealed_as gives the fields the nonce came from); ' +
      'arrival is the MySensors header the frame arrives under, receiver the receiving side (its node id, keys, last accepted counter, challenge); ' +
      'verdict is what the receive rules of docs/protocol.md section 9 give for that arrival and receiver: "ok" or an error code name. ' +
      'In a refused entry the receiver differs from the sender as its name says (another key, node, child or direction, an older counter, a used or expired challenge), ' +
      'so the receiver must rebuild the nonce from arrival and receiver, never take `nonce` from the entry.',
    vectors: built as unknown as Json,
    line_case: {
      note:
        'MySeal writes stream hex in upper case, as a gateway prints it; a gateway reads either case, and a receiver of gateway lines or MQTT payloads MUST accept either',
      sent: firstLine,
      also_accepted: firstLine.replace(/;([0-9A-F]+)$/, (_, hex: string) => `;${hex.toLowerCase()}`),
    },
    exchanges_fields:
      'Each exchange starts its node from blank storage with node.key and the first-boot node.pin, the settings of `node`, at time 0. ' +
      'Steps in order: at_ms is the time since that start; "frame": the node receives `frame` from `sender` on `child` and must answer exactly `reply` ("": nothing), ' +
      'its receive verdict (checks 1-7 of section 9) being `verdict`; "poll": the node\'s loop() (auto-relock) must send exactly `reply`; ' +
      '"reset": power off and on, the sketch flashed with `key` and first-boot `pin` (another key than before: a reflash with a new key). ' +
      'reply_child and reply_body (the reply\'s plaintext) are for reading: both are bound in the reply\'s bytes.',
    exchanges: buildExchanges(VECTOR_KEYS) as unknown as Json,
    challenges,
    rotations,
    pins,
    bad_pins: badPins,
  };
}
