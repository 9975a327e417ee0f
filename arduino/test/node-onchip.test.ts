/**
 * The node test suites of the host (node.test.ts: every golden vector, exchange and node-made
 * result, the lock's state machine and wear, power cuts) on a simulated ATmega1284P (simavr),
 * against the node as a chip runs it: the library built by avr-gcc with the Arduino IDE's flags, AES
 * and CCM in assembly, storing through MySeal.h. The harness is the host's (arduino/test/host),
 * built for the chip; it cuts the power at every MYSEAL_CUT_STRIDE-th byte there (the host cuts at
 * all of them), in both write orders, and counts wear over fewer unlocks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';

import { requireTool } from '../../test/support/require-tool.ts';
import { ONCHIP_NODE_MCU, buildOnchipNode, requireSimavrDev, simulate } from '../../bench/avr-toolchain.ts';
import { LOCK_PASSED, vectorInput, vectorsPassed, wearOf } from './harness-lines.ts';

const TOOLS = ['avr-g++', 'gcc'] as const;
/** The harness's stride on the chip (arduino/test/host/node_harness.h). */
const CUT_STRIDE = 11;

describe('the node on the simulated chip', () => {
  let elf = '';
  const firmware = (t: TestContext): string | null => {
    if (!requireTool(t, ...TOOLS) || !requireSimavrDev(t)) return null;
    elf ||= buildOnchipNode();
    return elf;
  };
  const runMode = (t: TestContext, input: string): string[] | null => {
    const exe = firmware(t);
    if (!exe) return null;
    const r = simulate(exe, { mcu: ONCHIP_NODE_MCU, input, maxCycles: 4_000_000_000, timeoutMs: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return r.stdout.trim().split('\n');
  };

  test('every golden vector and exchange; the result and report vectors made byte for byte', (t) => {
    const lines = runMode(t, `vectors\n${vectorInput()}END\n`);
    if (!lines) return;
    assert.deepEqual(lines, vectorsPassed());
  });

  test('the lock: lockout and its survival across a reset, counters, challenges, commands, wear', (t) => {
    const lines = runMode(t, 'lock\n');
    if (!lines) return;
    const wear = wearOf(lines[0]);
    assert.ok(wear, lines.join('\n'));
    assert.ok(wear.recordsPerUnlock <= 4.2, `records per unlock ${wear.recordsPerUnlock}`);
    assert.ok(wear.years >= 25, `lifetime ${wear.years} years`);
    assert.deepEqual(lines.slice(1), LOCK_PASSED);
  });

  test('a power cut after the EEPROM bytes of a lock\'s life, three ways, in both write orders', (t) => {
    const lines = runMode(t, 'powercut\n');
    if (!lines) return;
    const m = /^powercut bytes-written (\d+) orders 2\nok powercut (\d+)$/.exec(lines.join('\n'));
    assert.ok(m, lines.slice(-20).join('\n'));
    assert.equal(Number(m[2]), 2 * 3 * Math.ceil(Number(m[1]) / CUT_STRIDE));
    assert.ok(Number(m[1]) > 300);
  });
});
