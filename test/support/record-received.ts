/**
 * Child process for received-journal.crash.test.ts: accepts node counters for several nodes at once,
 * as the daemon does when many locks answer together, and prints `<node> <counter>` for each only
 * once the store said it is durable (recordReceived resolved true): the moment the daemon may act on
 * the frame. Runs until the test SIGKILLs it.
 *
 *   node --import tsx test/support/record-received.ts <stateDir> <node>[,<node>...]
 *
 * Each node records rounds of a few consecutive counters at once (sharing fsyncs with each other and
 * with the other nodes), starting above what the store says it accepted last. Beside that, each node
 * keeps taking send counters with a tiny reservation block (MYSEAL_TEST_RESERVE_BLOCK), so the node
 * files are rewritten all the time and carry the received counter too: a node's last counter is the
 * higher of its file's and the journal's. "ready" goes to stderr once the store is open, so the test
 * times its kill from there.
 */
import { writeSync } from 'node:fs';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { FileCounters } from '../../src/store/counter-store.ts';
import { emitLine } from './emit-line.ts';

const [stateDir, nodesText] = process.argv.slice(2);
if (stateDir === undefined || nodesText === undefined) {
  writeSync(2, 'usage: record-received.ts <stateDir> <node>[,<node>...]\n');
  process.exit(2);
}
const block = process.env.MYSEAL_TEST_RESERVE_BLOCK;
const counters = FileCounters.open(stateDir, block === undefined ? {} : { reserveBlock: Number(block) });
const nodes = nodesText.split(',').map(Number);
/** Counters recorded together per node per round: 1 .. MAX_ROUND. */
const MAX_ROUND = 6;
// Never outlive a test runner that died without killing us.
const deadline = Date.now() + 20_000;

function die(why: string): never {
  writeSync(2, `${why}\n`);
  process.exit(4);
}

async function receive(node: number): Promise<void> {
  let next = counters.lastReceived(node) + 1;
  while (Date.now() < deadline) {
    const round = Array.from({ length: 1 + Math.floor(Math.random() * MAX_ROUND) }, () => next++);
    await Promise.all(
      round.map(async (counter) => {
        // Each counter is above every one accepted before, so anything but true is a store bug.
        if (!(await counters.recordReceived(node, counter))) die(`node ${node}: counter ${counter} refused`);
        emitLine(`${node} ${counter}\n`);
      }),
    );
  }
}

async function send(node: number): Promise<void> {
  while (Date.now() < deadline) {
    await counters.nextSend(node);
    await yieldTurn();
  }
}

writeSync(2, 'ready\n');
try {
  await Promise.all(nodes.flatMap((node) => [receive(node), send(node)]));
} catch (e) {
  die(`failed: ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(3);
