/**
 * Every to-node entry of the golden vectors (test/vectors/seal-v1.json) against the WebAssembly
 * node, as the host harness's "vectors" mode runs them against the host build
 * (arduino/test/host/node_vectors.cpp): the node is put in the state the vector describes (its id
 * and key, the last counter it accepted, the challenge it holds, fresh, spent or expired), then
 * the frame goes through checks 1-6 alone (an authentic frame opens to the vector's plaintext) and
 * through the whole receive path: the vector's verdict, an answer exactly when the rules allow one
 * (opened by the controller's rules: it answers this frame; a stale one carries the last counter,
 * an expired challenge a new one), and nothing written to the EEPROM for a frame left unanswered.
 *
 * Setting that state up takes hooks into the node (arduino/test/wasm/vector_hooks.cpp), so this
 * runs on a build of the same sources with those hooks added, made here with clang and wasm-ld.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { errorCodeName } from '../../src/core/errors.ts';
import { readU32BE, writeU32BE } from '../../src/core/bytes.ts';
import { decodeResult, Status } from '../../src/core/protocol/body.ts';
import { CHALLENGE_WINDOW_MS } from '../../src/core/protocol/constants.ts';
import { checkFrameAtController } from '../../src/core/protocol/receive.ts';
import { Eeprom } from '../../src/node/eeprom.ts';
import { WasmNode } from '../../src/node/wasm-node.ts';
import type { WasmNodeOptions } from '../../src/node/wasm-node.ts';
import { requireTool } from '../../test/support/require-tool.ts';
import { bytes, VECTORS } from './harness-lines.ts';
import type { Vector } from './harness-lines.ts';

const BUILD = fileURLToPath(new URL('../../scripts/build-node-wasm.mjs', import.meta.url));
const HOOKS = fileURLToPath(new URL('./wasm/vector_hooks.cpp', import.meta.url));
const NOW = 1_000_000;
const CHALLENGE_FRESH = 1;
const CHALLENGE_SPENT = 2;

interface Hooks {
  buffer(): number;
  store_hot(): number;
  test_hold_challenge(issued: number, state: number): void;
  test_store(): void;
  test_open(sender: number, child: number, length: number): number;
  test_plaintext(): number;
}

/** The WebAssembly node with the hooks a vector needs to set its state up. */
class VectorNode extends WasmNode {
  constructor(options: WasmNodeOptions) {
    super(options);
  }

  get #hooks(): Hooks {
    return this.exports as unknown as Hooks;
  }

  receivedUpTo(last: number): void {
    writeU32BE(this.bytes(this.#hooks.store_hot(), 4), 0, last);
  }

  hold(challenge: Uint8Array, issued: number, spent: boolean): void {
    this.bytes(this.#hooks.buffer(), challenge.length).set(challenge);
    this.#hooks.test_hold_challenge(issued, spent ? CHALLENGE_SPENT : CHALLENGE_FRESH);
  }

  store(): void {
    this.#hooks.test_store();
  }

  /** Checks 1-6 alone: the verdict (0 = ok) and the plaintext. */
  open(sender: number, child: number, frame: Uint8Array): { verdict: number; plaintext: Uint8Array } {
    this.bytes(this.#hooks.buffer(), frame.length).set(frame);
    const verdict = this.#hooks.test_open(sender, child, frame.length);
    return { verdict, plaintext: Uint8Array.from(this.bytes(this.#hooks.test_plaintext(), 16)) };
  }
}

/** The first failed check of a vector, or null. */
function check(v: Vector, module: WebAssembly.Module): string | null {
  const r = v.receiver;
  const eeprom = new Eeprom();
  const node = new VectorNode({ nodeId: r.node_id, key: bytes(r.keys[0]!), pin: '1234', eeprom, clock: () => NOW, module, onSet: (child) => child === 2 });
  node.receivedUpTo(r.last_counter);
  if (r.challenge) node.hold(bytes(r.challenge), r.challenge_expired ? NOW - CHALLENGE_WINDOW_MS - 1 : NOW, r.challenge_used);
  node.store();
  const frame = bytes(v.frame);
  const { sender, child } = v.arrival;
  if (frame.length > 32) return v.verdict === 'FRAME_TOO_LONG' ? null : 'a frame over 32 bytes';

  const opened = node.open(sender, child, frame);
  if (v.verdict === 'ok' && (opened.verdict !== 0 || Buffer.compare(opened.plaintext.subarray(0, v.plaintext.length / 2), Buffer.from(v.plaintext, 'hex')) !== 0)) {
    return `checks 1-6 gave ${opened.verdict}, or another plaintext`;
  }
  const written = eeprom.written;
  const outcome = node.receive({ sender, child, frame });
  const verdict = outcome.error === undefined ? 'ok' : errorCodeName(outcome.error);
  if (verdict !== v.verdict) return `verdict ${verdict}, the vector says ${v.verdict}`;
  const counter = frame.length >= 5 ? readU32BE(frame, 1) : 0;
  const authenticStale = v.verdict === 'REPLAYED_COUNTER' && counter !== 0;
  const answered = v.verdict === 'ok' || v.verdict.startsWith('CHALLENGE_') || authenticStale;
  if (outcome.replies.length !== (answered ? 1 : 0)) return `${outcome.replies.length} answers`;
  if (!answered) return eeprom.written === written ? null : 'an unanswered frame wrote the EEPROM';

  const reply = outcome.replies[0]!;
  const result = checkFrameAtController(reply.child, reply.frame, { nodeId: r.node_id, keys: [node.persisted.key], lastReceived: 0 });
  if (!result.ok) return `the answer does not open: ${errorCodeName(result.error.code)}`;
  const body = decodeResult(result.value.body);
  if (!body.ok) return 'the answer is not a result';
  if (body.value.commandCounter !== counter) return `the answer is for counter ${body.value.commandCounter}`;
  if (authenticStale) {
    return body.value.status === Status.StaleCounter && body.value.lastAccepted === r.last_counter ? null : 'not a STALE_COUNTER with the last counter';
  }
  if (v.verdict !== 'ok') return body.value.status === Status.ChallengeExpired ? null : 'not a CHALLENGE_EXPIRED with a new challenge';
  return null;
}

test('every to-node golden vector against the WebAssembly node: verdict, plaintext, answers, EEPROM', (t) => {
  if (!requireTool(t, 'clang++', 'wasm-ld')) return;
  const dir = mkdtempSync(join(tmpdir(), 'myseal-wasm-vectors-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const built = join(dir, 'node-with-hooks.wasm');
  execFileSync(process.execPath, [BUILD, '--out', built, '--with', HOOKS], { stdio: ['ignore', 'ignore', 'pipe'] });
  const module = new WebAssembly.Module(readFileSync(built));

  const toNode = VECTORS.vectors.filter((v) => v.direction === 'to_node');
  assert.ok(toNode.length >= 40, `${toNode.length} vectors`);
  assert.ok(toNode.some((v) => v.receiver.node_id === 0) && toNode.some((v) => v.receiver.challenge_expired) && toNode.some((v) => v.receiver.challenge_used));
  const failed = toNode.map((v) => [v.name, check(v, module)] as const).filter(([, why]) => why !== null);
  assert.deepEqual(failed, []);
  t.diagnostic(`${toNode.length} to-node vectors`);

  // The check can fail: the same vector with the verdict changed.
  const authFailed = toNode.find((v) => v.verdict === 'AUTH_FAILED');
  assert.ok(authFailed);
  assert.notEqual(check({ ...authFailed, verdict: 'ok' }, module), null);
});
