/**
 * A simulated MySensors 2.3.2 Ethernet gateway as a process of its own, for tests that kill it
 * (SIGKILL) and start it again on the same port, as a gateway that crashes or loses power and comes
 * back: a sealed lock (node 5, its EEPROM image in a 0600 file that survives the kill, as a real
 * node's EEPROM does) and a plain relay node (7) that reports every value it is sent.
 *
 *   node --import tsx src/test-helpers/gateway-process-main.ts PORT IMAGE_FILE
 *
 * It says what happens on stdout, one JSON object a line (pipes are written synchronously, so what
 * was said before a kill is there to be read after it):
 *   {"event":"listening","port":P}
 *   {"event":"delivered","node":N,"child":C,"command":K,"type":T,"text":"..."}   a message reached a node
 *   {"event":"sealed","counter":N,"error":"REPLAYED_COUNTER"|null}                 a sealed frame at the lock
 * The image must exist (provisioned by the test): a process that is killed must never start afresh.
 */
import { errorCodeName } from '../../src/core/errors.ts';
import { Command } from '../../src/core/mysensors/enums.ts';
import { SEALED_STREAM_TYPE } from '../../src/core/protocol/constants.ts';
import { SealedNode } from '../../src/node/sealed-node.ts';
import { SimGateway } from '../../src/node/gateway-core.ts';
import { SealedVirtualNode } from '../../src/node/sealed-virtual-node.ts';
import { SimTcpFront } from '../../src/node/tcp-front.ts';
import { PlainVirtualNode } from '../../src/node/virtual-node.ts';
import { NodeImageFile } from '../../src/node/node-image-file.ts';
import { readU32BE } from '../../src/core/bytes.ts';

const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const [portText, image] = process.argv.slice(2);
  if (portText === undefined || image === undefined) throw new Error('usage: gateway-process-main.ts PORT IMAGE_FILE');
  const storage = new NodeImageFile(image);
  if (storage.load() === null) throw new Error('the node image is missing or unreadable');
  const lock = new SealedVirtualNode({ node: new SealedNode({ nodeId: 5, storage, lockChild: 1 }) });
  const relay = new PlainVirtualNode({ nodeId: 7, confirmSets: true });
  const gateway = new SimGateway({ nodes: [lock, relay] });
  gateway.on('delivered', (m) => {
    if (m.command === Command.C_STREAM && m.type === SEALED_STREAM_TYPE && m.destination === lock.nodeId) {
      // The node has not handled it yet: say what it made of it once the stack's receive() has run.
      queueMicrotask(() => {
        const handled = lock.outcomes.at(-1);
        const counter = m.data.length >= 5 ? readU32BE(m.data, 1) : -1;
        say({ event: 'sealed', counter, error: handled?.error === undefined ? null : errorCodeName(handled.error) });
      });
      return;
    }
    say({ event: 'delivered', node: m.destination, child: m.childId, command: m.command, type: m.type, text: m.text });
  });
  const front = new SimTcpFront(gateway, { host: '127.0.0.1', port: Number(portText), maxClients: 1 });
  say({ event: 'listening', port: await front.listen() });
}

main().catch((e: unknown) => {
  process.stderr.write(`gateway process: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
