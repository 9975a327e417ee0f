/**
 * MySeal end to end on the ATmega328P: the TypeScript controller (ControllerChannel, runOperation)
 * talks gateway lines (src/mysensors/line.ts, src/protocol/carriage.ts) over the simulated chip's
 * UART to a firmware built as the Arduino IDE builds a sketch: the MySeal lock (the library, its
 * node, AES and CCM in assembly, MySeal.h on the MySensors stand-in) behind a stand-in serial gateway
 * (test/avr/node_gateway.cpp). The node unlocks with the right PIN; a replayed frame, a tampered
 * frame and a frame held back past the challenge window (delayed release) are all refused there,
 * and the bolt never moves for them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { hasAllTools, LIBRARY_SRC, TEST_DIR, buildFirmware, requireSimavrDev, simulatorCommand, SIMAVR_HEADER } from '../../bench/avr-toolchain.ts';
import { requireTool } from '../../test/support/require-tool.ts';
import { formatLine, parseLine } from '../../src/core/mysensors/line.ts';
import { frameToMessage, messageToFrame } from '../../src/core/protocol/carriage.ts';
import { ControllerChannel } from '../../src/core/protocol/controller-channel.ts';
import { runOperation } from '../../src/core/protocol/operation.ts';
import { Op, Status } from '../../src/core/protocol/body.ts';
import type { Command, ResultBody } from '../../src/core/protocol/body.ts';
import { VECTOR_KEYS } from '../../test/vectors/vectors.ts';
import { MemoryCounters, MemoryKeyStore } from '../../src/core/protocol/stores.ts';
import { LineFrameLink, LineProcess } from './line-link.ts';

const TOOLS = ['avr-g++', 'gcc', 'simavr'] as const;
const STUBS = join(TEST_DIR, 'stubs');

/** The verdict names, in the order of enum myseal_verdict (the firmware prints numbers). */
function verdictNames(): string[] {
  const header = readFileSync(join(LIBRARY_SRC, 'myseal_verdict.h'), 'utf8');
  const body = header.slice(header.indexOf('enum myseal_verdict {'), header.indexOf('};'));
  return [...body.matchAll(/^\s+([A-Z_]+)[ ,=]/gm)].map((m) => m[1] ?? '');
}

describe('end to end on the simulated ATmega328P, through a serial gateway', () => {
  let proc: LineProcess | null = null;
  let link: LineFrameLink;
  let channel: ControllerChannel;
  const names = verdictNames();
  const results: string[] = [];

  const verdicts = (lines: readonly string[]): string[] =>
    lines.filter((l) => l.startsWith('#V ')).map((l) => names[Number(l.slice(3))] ?? l);
  const op = async (command: Command): Promise<ResultBody> =>
    (await runOperation(channel, link, 1, command, { timeoutMs: 500, retries: 1 })).result;

  before(async () => {
    if (hasAllTools(TOOLS).length > 0 || !existsSync(SIMAVR_HEADER)) return;
    const elf = buildFirmware({
      name: 'node-gateway',
      sources: [join(TEST_DIR, 'avr', 'avr_io.cpp'), join(TEST_DIR, 'avr', 'node_gateway.cpp'), join(STUBS, 'Arduino.cpp'), join(STUBS, 'MySensorsCore.cpp'), join(STUBS, 'core', 'MyMessage.cpp')],
      includes: [STUBS],
      lto: true,
    });
    const { command, args } = simulatorCommand(elf);
    proc = new LineProcess(command, args);
    assert.equal(await proc.nextLine(20_000), '#READY');
    link = new LineFrameLink(
      proc,
      '#.',
      (child, frame) => formatLine(frameToMessage(5, child, frame)).trimEnd(),
      (line) => {
        const message = parseLine(line);
        if (!message.ok || message.value.nodeId !== 5) return null;
        const frame = messageToFrame(message.value);
        return frame.ok ? { child: frame.value.child, frame: frame.value.frame } : null;
      },
    );
    channel = new ControllerChannel({ nodeId: 5, keys: new MemoryKeyStore([[5, VECTOR_KEYS.node5]]), counters: new MemoryCounters() });
  });

  after(async () => {
    if (!proc) return;
    proc.write('#Q');
    const status = await proc.close();
    assert.equal(status, 0, proc.stderr.join(''));
  });

  const ready = (t: Parameters<typeof requireSimavrDev>[0]): boolean => requireTool(t, ...TOOLS) && requireSimavrDev(t) && proc !== null;

  test('unlock with the right PIN: GET_CHALLENGE, CHALLENGE, UNLOCK, UNLOCKED; the bolt moves', async (t) => {
    if (!ready(t)) return;
    const sent = link.sent.length;
    assert.equal((await op({ op: Op.Status })).status, Status.LockStatus);
    assert.equal((await op({ op: Op.Unlock, pin: '1234' })).status, Status.Unlocked);
    assert.equal(link.sent.length - sent, 3);
    assert.ok(link.events.includes('#L 0'));
    assert.deepEqual(verdicts(link.events), ['MYSEAL_OK', 'MYSEAL_OK', 'MYSEAL_OK']);
    assert.equal((await op({ op: Op.Lock })).status, Status.Locked);
    const wrong = await op({ op: Op.Unlock, pin: '9999' });
    assert.deepEqual([wrong.status, 'attemptsLeft' in wrong && wrong.attemptsLeft], [Status.WrongPin, 4]);
    results.push('unlock', 'lock', 'wrong PIN');
  });

  test('replays are refused: an unlock (bound to an old challenge) silently, a command answered once', async (t) => {
    if (!ready(t)) return;
    const unlock = link.sent.find((f) => f.frame[0] === 0x11 && f.frame.length === 18);
    assert.ok(unlock);
    // The node has issued newer challenges since: the nonce it rebuilds no longer matches.
    const lines = await link.deliver(unlock.child, unlock.frame);
    assert.deepEqual(lines, ['#V ' + names.indexOf('AUTH_FAILED')]);
    const lock = link.sent.find((f) => f.frame[0] === 0x10 && f.frame.length === 14);
    assert.ok(lock);
    const stale = await link.deliver(lock.child, lock.frame);
    assert.deepEqual(verdicts(stale), ['REPLAYED_COUNTER']);
    assert.ok(!stale.includes('#L 0') && !stale.includes('#L 1'));
    let answers = 0;
    for (let f = await link.receive(0); f; f = await link.receive(0)) {
      const opened = await channel.open(f.child, f.frame);
      assert.ok(opened.ok && opened.value.kind === 'result' && opened.value.result.status === Status.StaleCounter);
      answers++;
    }
    assert.equal(answers, 1);
    const again = await link.deliver(lock.child, lock.frame);
    assert.deepEqual(again, ['#V ' + names.indexOf('REPLAYED_COUNTER')], 'no second answer');
    results.push('replayed unlock', 'replayed command');
  });

  test('a tampered frame is refused without an answer', async (t) => {
    if (!ready(t)) return;
    await op({ op: Op.GetChallenge });
    const sealed = await channel.seal(1, { op: Op.Unlock, pin: '1234' });
    const tampered = Uint8Array.from(sealed.frame);
    tampered[7]! ^= 0x10; // a PIN byte
    const lines = await link.deliver(1, tampered);
    assert.deepEqual(lines, ['#V ' + names.indexOf('AUTH_FAILED')]);
    results.push('tamper');
  });

  test('delayed release: an unlock held back past the 10 s window is refused, with a new challenge', async (t) => {
    if (!ready(t)) return;
    await op({ op: Op.GetChallenge });
    link.jamming = true;
    await assert.rejects(runOperation(channel, link, 1, { op: Op.Unlock, pin: '1234' }, { timeoutMs: 10, retries: 0 }));
    link.jamming = false;
    const held = link.sent.at(-1);
    assert.ok(held && held.frame[0] === 0x11);
    await link.command('#W 10001'); // 10 s of the node's time
    const lines = await link.deliver(held.child, held.frame);
    assert.deepEqual(verdicts(lines), ['CHALLENGE_EXPIRED']);
    assert.ok(!lines.includes('#L 0'), 'the bolt did not move');
    const answer = await link.receive(0);
    assert.ok(answer);
    const opened = await channel.open(answer.child, answer.frame);
    assert.ok(opened.ok && opened.value.kind === 'result' && opened.value.result.status === Status.ChallengeExpired);
    // The owner's own retry goes through on the new challenge.
    assert.equal((await op({ op: Op.Unlock, pin: '1234' })).status, Status.Unlocked);
    results.push('delayed release', 'unlock after');
  });

  test('the button: a sealed V_LOCK_STATUS report the controller opens', async (t) => {
    if (!ready(t)) return;
    await link.command('#B');
    const f = await link.receive(0);
    assert.ok(f);
    const opened = await channel.open(f.child, f.frame);
    assert.ok(opened.ok && opened.value.kind === 'report');
    assert.deepEqual([opened.value.value.type, [...opened.value.value.data]], [36, [1]]);
    results.push('report');
    t.diagnostic(`on-chip results: ${results.length} (${results.join(', ')})`);
  });
});
