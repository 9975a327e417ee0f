/**
 * The node harness's lines (arduino/test/host), on the host (node.test.ts) and on the simulated
 * chip (node-onchip.test.ts): the golden vectors (test/vectors/seal-v1.json) as the lines its
 * "vectors" mode reads (every vector, each result and report vector with the state and input the
 * node makes it from, every exchange step by step, the challenges, rotations, PINs and bad PINs
 * of the file), and what its modes print when every check passes.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { encodeCommand, Op } from '../../src/core/protocol/body.ts';
import type { Command } from '../../src/core/protocol/body.ts';
import { deriveChallenge } from '../../src/core/protocol/derive.ts';
import { FrameKind } from '../../src/core/protocol/frame.ts';
import { sealFrame } from '../../src/core/protocol/seal.ts';
import { VECTOR_KEYS } from '../../test/vectors/vectors.ts';
import type { Exchange } from '../../test/vectors/exchange-vectors.ts';
import { REPO_ROOT } from '../../bench/avr-toolchain.ts';

export interface Vector {
  name: string;
  verdict: string;
  direction: string;
  kind: string;
  key: string;
  nonce: string;
  plaintext: string;
  frame: string;
  sealed_as: { sender: number; destination: number; child: number; counter: number; challenge: string };
  arrival: { sender: number; destination: number; child: number };
  receiver: { node_id: number; keys: string[]; last_counter: number; challenge: string; challenge_used: boolean; challenge_expired: boolean };
}

/** A multi-step exchange (src/protocol/exchange-vectors.ts, the one definition of its shape). */
export type { Exchange };

export interface VectorFile {
  vectors: Vector[];
  exchanges: Exchange[];
  challenges: { key: string; node: number; child: number; result_counter: number; challenge: string }[];
  rotations: { key: string; node: number; seed: string; new_key: string }[];
  pins: { pin: string; encoded: string }[];
  bad_pins: { encoded: string }[];
}

export const VECTORS = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'vectors', 'seal-v1.json'), 'utf8')) as VectorFile;
export const hex = (b: Uint8Array): string => (b.length === 0 ? '-' : Buffer.from(b).toString('hex'));
export const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const slug = (name: string): string => name.replace(/[^A-Za-z0-9]+/g, '_');

/** True when the frame is exactly what sealing the vector's inputs gives (Node's own AES-CCM). */
export function honest(v: Vector): boolean {
  const nonce = Buffer.from(v.nonce, 'hex');
  const cipher = createCipheriv('aes-128-ccm', Buffer.from(v.key, 'hex'), nonce, { authTagLength: 8 });
  const pt = Buffer.from(v.plaintext, 'hex');
  cipher.setAAD(Buffer.alloc(0), { plaintextLength: pt.length });
  const ct = Buffer.concat([cipher.update(pt), cipher.final()]);
  const expected = Buffer.concat([nonce.subarray(0, 1), nonce.subarray(4, 8), ct, cipher.getAuthTag()]);
  return expected.equals(Buffer.from(v.frame, 'hex'));
}

export function vectorLine(v: Vector): string {
  const r = v.receiver;
  return [
    'vector',
    `name=${slug(v.name)}`,
    `verdict=${v.verdict}`,
    `direction=${v.direction}`,
    `kind=${v.kind}`,
    `key=${v.key}`,
    `frame=${v.frame || '-'}`,
    `plaintext=${v.plaintext || '-'}`,
    `sender=${v.arrival.sender}`,
    `destination=${v.arrival.destination}`,
    `child=${v.arrival.child}`,
    `node=${r.node_id}`,
    `keys=${r.keys.join('')}`,
    `last=${r.last_counter}`,
    `challenge=${r.challenge || '-'}`,
    `used=${r.challenge_used ? 1 : 0}`,
    `expired=${r.challenge_expired ? 1 : 0}`,
    `counter=${v.sealed_as.counter}`,
    `sealed_sender=${v.sealed_as.sender}`,
    `sealed_destination=${v.sealed_as.destination}`,
    `sealed_child=${v.sealed_as.child}`,
    `sealed_challenge=${v.sealed_as.challenge || '-'}`,
    `honest=${honest(v) ? 1 : 0}`,
  ].join(' ');
}

/**
 * Each result and report vector, made by the node itself: the state and the command (a vector's
 * frame, or one sealed here by the TypeScript sealer) that lead to it; the node's answer must be
 * the vector's frame byte for byte.
 */
function nodeMadeScenarios(): string[] {
  const key = VECTOR_KEYS.node5;
  const challenge = deriveChallenge(key, 5, 1, 7);
  const frameOf = (name: string): string => {
    const v = VECTORS.vectors.find((x) => x.name === name);
    assert.ok(v, `no vector "${name}"`);
    return v.frame;
  };
  const command = (c: Command, counter: number, kind: FrameKind, bound?: Uint8Array): string =>
    hex(sealFrame({ key, kind, address: { sender: 0, destination: 5, child: 1 }, counter, challenge: bound }, encodeCommand(c)));
  const unlock: Command = { op: Op.Unlock, pin: '1234' };
  const wrong = frameOf('critical unlock, wrong PIN (the frame is fine; the node answers wrong_pin)');
  const c = `challenge=${hex(challenge)}`;
  const scenarios: [string, string, string][] = [
    ['result challenge (answers counter 1)', 'last=0 next=7', `frame=${frameOf('command get-challenge')}`],
    ['result lock status', 'last=1 next=10', `frame=${frameOf('command status')}`],
    ['result locked', 'last=2 next=11', `frame=${frameOf('command lock')}`],
    ['result unlocked', `last=7 next=12 ${c}`, `frame=${frameOf('critical unlock, 4-digit PIN')}`],
    ['result wrong PIN, 4 attempts left, next challenge', `last=7 next=9 ${c}`, `frame=${wrong}`],
    ['result locked out, 60 s left', `last=7 next=13 attempts=1 ${c}`, `frame=${wrong}`],
    ['result stale counter, node accepted up to 8', 'last=8 next=14', `frame=${command({ op: Op.Status }, 5, FrameKind.Command)}`],
    ['result bad request: challenge required', 'last=8 next=15', `frame=${command(unlock, 9, FrameKind.Command)}`],
    ['result challenge expired, with a new one', `last=9 next=9 ${c} expired=1`, `frame=${command(unlock, 10, FrameKind.Critical, challenge)}`],
    ['result done, under the rotated key (confirms the rotation)', `last=7 next=16 ${c}`, `frame=${frameOf('critical rotate-key')}`],
  ];
  const lines = scenarios.map(
    ([name, state, input]) => `scenario name=${slug(name)} key=${hex(key)} node=5 ${state} action=frame sender=0 child=1 ${input} expect=${frameOf(name)}`,
  );
  const reports: [string, number, number][] = [
    ['report V_TRIPPED=1 (door contact)', 4, 18],
    ['report V_TEMP=21.5 (P_FLOAT32, little-endian)', 5, 19],
    ['report V_TEXT, 10 chars (the largest report)', 6, 20],
  ];
  lines.push(
    `scenario name=report_by_hand key=${hex(key)} node=5 next=17 action=hand to=0 child=1 expect=${frameOf('report V_LOCK_STATUS=0 (unlocked by hand)')}`,
  );
  for (const [name, child, counter] of reports) {
    const v = VECTORS.vectors.find((x) => x.name === name);
    assert.ok(v);
    lines.push(`scenario name=${slug(name)} key=${hex(key)} node=5 next=${counter} action=report child=${child} body=${v.plaintext} expect=${v.frame}`);
  }
  return lines;
}

const mask = (children: number[]): number => children.reduce((m, c) => m | (1 << c), 0);

/** An exchange as the harness's lines: "exchange" (the node's settings), then one "step" a step. */
export function exchangeLines(e: Exchange): string[] {
  const n = e.node;
  const lines = [
    [
      'exchange',
      `name=${slug(e.name)}`,
      `node=${n.node_id}`,
      `key=${n.key}`,
      `pin=${n.pin}`,
      `lock_child=${n.lock_child ?? 'none'}`,
      `relock=${n.relock_ms}`,
      `guarded=${mask(n.guarded)}`,
      `sets=${mask(n.sets_taken_on)}`,
      `attempts=${n.max_attempts}`,
      `lockout_first=${n.lockout_base_s}`,
      `lockout_cap=${n.lockout_cap_s}`,
      `window=${n.challenge_window_ms}`,
    ].join(' '),
  ];
  for (const step of e.steps) {
    const fields = [`step at=${step.at_ms}`, `do=${step.do}`];
    if (step.do === 'frame') fields.push(`sender=${step.sender}`, `child=${step.child}`, `frame=${step.frame}`, `verdict=${step.verdict}`);
    if (step.do === 'reset') fields.push(`key=${step.key}`, `pin=${step.pin}`);
    else fields.push(`reply=${step.reply || '-'}`);
    lines.push(fields.join(' '));
  }
  return lines;
}

export function vectorInput(): string {
  const lines = VECTORS.vectors.map(vectorLine);
  lines.push(...nodeMadeScenarios());
  for (const e of VECTORS.exchanges) lines.push(...exchangeLines(e));
  for (const c of VECTORS.challenges) {
    lines.push(`challenge key=${c.key} node=${c.node} child=${c.child} counter=${c.result_counter} expect=${c.challenge}`);
  }
  for (const r of VECTORS.rotations) lines.push(`rotation key=${r.key} node=${r.node} seed=${r.seed} expect=${r.new_key}`);
  for (const p of VECTORS.pins) lines.push(`pin digits=${p.pin} encoded=${p.encoded}`);
  for (const b of VECTORS.bad_pins) lines.push(`bad_pin encoded=${b.encoded}`);
  return `${lines.join('\n')}\n`;
}

/** What the "vectors" mode prints when every check passes. */
export function vectorsPassed(): string[] {
  return [
    `ok vectors ${VECTORS.vectors.length}`,
    `ok vectors-resealed ${VECTORS.vectors.length}`,
    'ok vectors-node-made 14',
    `ok vectors-exchanges ${VECTORS.exchanges.length}`,
    `ok vectors-challenges ${VECTORS.challenges.length}`,
    `ok vectors-rotations ${VECTORS.rotations.length}`,
    `ok vectors-pins ${VECTORS.pins.length}`,
    `ok vectors-bad-pins ${VECTORS.bad_pins.length}`,
  ];
}

/** What the "lock" mode prints after its wear line when every check passes. */
export const LOCK_PASSED = ['ok lock-pin-lockout 6', 'ok lock-counters 4', 'ok lock-challenges 5', 'ok lock-commands 7', 'ok lock-wear 1'];

/** The "lock" mode's wear line: hot records per unlock and the years at 50 unlocks a day. */
export function wearOf(line: string | undefined): { recordsPerUnlock: number; years: number } | null {
  const m = /^wear records-per-unlock ([\d.]+) bytes-per-unlock [\d.]+ busiest-cell-per-unlock [\d.]+ years-at-50-a-day ([\d.]+)$/.exec(line ?? '');
  return m ? { recordsPerUnlock: Number(m[1]), years: Number(m[2]) } : null;
}
