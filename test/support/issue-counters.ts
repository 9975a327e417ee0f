/**
 * Child process for counter-store.crash.test.ts: issues counters for one node in a tight loop and
 * writes each to stdout, one line each, before it would be used, until the test SIGKILLs it.
 *
 *   node --import tsx test/support/issue-counters.ts <stateDir> [nodeId]
 *
 * MYSEAL_TEST_RESERVE_BLOCK=8 makes reservations constant, so kills land inside them. "ready" goes
 * to stderr once the store is open, so the test can time its kill from there rather than from a
 * startup time it does not control.
 */
import { writeSync } from 'node:fs';
import { FileCounters } from '../../src/store/counter-store.ts';
import { emitLine } from './emit-line.ts';

const [stateDir, nodeText = '7'] = process.argv.slice(2);
if (stateDir === undefined) {
  writeSync(2, 'usage: issue-counters.ts <stateDir> [nodeId]\n');
  process.exit(2);
}
const block = process.env.MYSEAL_TEST_RESERVE_BLOCK;
const counters = FileCounters.open(stateDir, block === undefined ? {} : { reserveBlock: Number(block) });
const node = Number(nodeText);

writeSync(2, 'ready\n');
// Never outlive a test runner that died without killing us.
const deadline = Date.now() + 20_000;
for (let i = 0; ; i += 1) {
  // Printed only once the store hands it over, i.e. once its reservation is durable.
  emitLine(`${await counters.nextSend(node)}\n`);
  if ((i & 0x3ff) === 0 && Date.now() > deadline) process.exit(3);
}
