/**
 * The `exchanges` of the golden vectors against the node library built to WebAssembly (WasmNode):
 * every step's reply byte for byte, on the child the rules say, with the verdict the rules give. The
 * C library's harness runs the same file against the host and AVR builds of the same code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCode, errorCodeName } from '../../src/core/errors.ts';
import type { Exchange } from './exchange-vectors.ts';
import { Eeprom } from '../../src/node/eeprom.ts';
import { WasmNode } from '../../src/node/wasm-node.ts';
import type { OutgoingFrame } from '../../src/node/wasm-node.ts';
import { toHex } from '../../src/core/bytes.ts';

const file = JSON.parse(readFileSync(new URL('./seal-v1.json', import.meta.url), 'utf8')) as { exchanges: Exchange[] };
const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** What a step got: the reply's bytes and child, and the verdict ("ok" for a frame that passed checks 1-7). */
interface Got {
  reply: string;
  child: number | null;
  verdict?: string;
}

function replyOf(frames: readonly OutgoingFrame[]): Pick<Got, 'reply' | 'child'> {
  assert.ok(frames.length <= 1, 'a node answers a frame once at most');
  const f = frames[0];
  return f ? { reply: toHex(f.frame), child: f.child } : { reply: '', child: null };
}

/** Runs one exchange; returns the first step that went otherwise than the file says, or null. */
function run(x: Exchange): string | null {
  let now = 0;
  const eeprom = new Eeprom();
  const settings = x.node;
  // A reset boots with the key and PIN the step flashes (a new key provisions the node afresh).
  let flashed = { key: settings.key, pin: settings.pin };
  const boot = (): WasmNode =>
    new WasmNode({
      nodeId: settings.node_id,
      key: bytes(flashed.key),
      pin: flashed.pin,
      eeprom,
      clock: () => now,
      lockChild: settings.lock_child,
      criticalChildren: settings.guarded,
      maxAttempts: settings.max_attempts,
      lockoutBaseS: settings.lockout_base_s,
      lockoutCapS: settings.lockout_cap_s,
      challengeWindowMs: settings.challenge_window_ms,
      relockMs: settings.relock_ms,
      onSet: (child) => settings.sets_taken_on.includes(child),
    });
  let node = boot();
  for (const [i, step] of x.steps.entries()) {
    now = step.at_ms;
    let got: Got;
    let want: Got;
    if (step.do === 'reset') {
      flashed = { key: step.key, pin: step.pin };
      node = boot();
      continue;
    } else if (step.do === 'poll') {
      const out = node.poll();
      got = replyOf(out ? [out] : []);
      want = { reply: step.reply, child: step.reply_child };
    } else {
      const out = node.receive({ sender: step.sender, child: step.child, frame: bytes(step.frame) });
      // A BAD_REQUEST answer is a frame that passed every check of the receive order.
      const verdict = out.error === undefined || out.error === ErrorCode.BAD_BODY ? 'ok' : errorCodeName(out.error);
      got = { ...replyOf(out.replies), verdict };
      want = { reply: step.reply, child: step.reply_child, verdict: step.verdict };
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) return `step ${i} (${step.note}): got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
  }
  return null;
}

test('every exchange of the golden vectors, step by step, against the node library', () => {
  assert.ok(file.exchanges.length >= 8, `${file.exchanges.length} exchanges`);
  for (const x of file.exchanges) assert.equal(run(x), null, x.name);
});

test('the exchange check fails when the node is wrong: a reply changed by one bit, or an answer where none is due', () => {
  const lockout = file.exchanges.find((x) => x.name.startsWith('lock:'));
  assert.ok(lockout);
  const flipped = structuredClone(lockout);
  const fifth = flipped.steps.findIndex((s) => s.do === 'frame' && /the fifth: LOCKED_OUT/.test(s.note));
  const step = flipped.steps[fifth];
  assert.ok(step && step.do === 'frame' && step.reply !== '');
  step.reply = `${step.reply.slice(0, -1)}${step.reply.endsWith('0') ? '1' : '0'}`;
  assert.match(run(flipped) ?? '', new RegExp(`^step ${fifth} `));

  const stale = file.exchanges.find((x) => x.name.startsWith('stale counters'));
  assert.ok(stale);
  const answered = structuredClone(stale);
  const again = answered.steps.findIndex((s) => s.do === 'frame' && s.reply === '');
  const quiet = answered.steps[again];
  assert.ok(quiet && quiet.do === 'frame');
  quiet.reply = '00'; // the file now wants an answer where the rules allow none
  assert.match(run(answered) ?? '', new RegExp(`^step ${again} `));
});
