/**
 * A simulated MySensors 2.3.2 Ethernet gateway as a process of its own, for tests that kill it
 * (SIGKILL) and start it again on the same port, as a gateway that crashes or loses power and comes
 * back: a sealed lock (node 5, the node library built to WebAssembly, its EEPROM image in a 0600
 * file that survives the kill, as a real node's EEPROM does) and a plain relay node (7) that reports
 * every value it is sent. The lock is "flashed" with the key the controller's key store in KEY_DIR
 * holds for node 5 (as `myseal node` takes it), so the test passes no key on a command line.
 *
 *   node --import tsx test/support/gateway-process-main.ts PORT IMAGE_FILE KEY_DIR
 *
 * It says what happens on stdout, one JSON object a line (pipes are written synchronously, so what
 * was said before a kill is there to be read after it):
 *   {"event":"listening","port":P}
 *   {"event":"delivered","node":N,"child":C,"command":K,"type":T,"text":"..."}   a message reached a node
 *   {"event":"sealed","counter":N,"error":"REPLAYED_COUNTER"|null}                 a sealed frame at the lock
 * The image must exist, provisioned for that key (by the test's first boot of the node): a process
 * that is killed must never start afresh.
 */
import { errorCodeName } from '../../src/core/errors.ts';
import { Command } from '../../src/core/mysensors/enums.ts';
import { SEALED_STREAM_TYPE } from '../../src/core/protocol/constants.ts';
import { eepromKnowsKey, WasmNode } from '../../src/node/wasm-node.ts';
import { openEepromFile } from '../../src/node/eeprom-file.ts';
import { readKeyTable } from '../../src/store/key-store.ts';
import { SimGateway } from '../../src/node/gateway-core.ts';
import { SealedVirtualNode } from '../../src/node/sealed-virtual-node.ts';
import { SimTcpFront } from '../../src/node/tcp-front.ts';
import { PlainVirtualNode } from '../../src/node/virtual-node.ts';
import { readU32BE } from '../../src/core/bytes.ts';

const LOCK_NODE = 5;
/** The first-boot PIN: never used, the image holds this key's records and their PIN already. */
const UNUSED_PIN = '0000';

const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const [portText, image, keyDir] = process.argv.slice(2);
  if (portText === undefined || image === undefined || keyDir === undefined) {
    throw new Error('usage: gateway-process-main.ts PORT IMAGE_FILE KEY_DIR');
  }
  const key = readKeyTable(keyDir).get(LOCK_NODE)?.key;
  const { eeprom, existed } = openEepromFile(image);
  if (!key || !existed || !eepromKnowsKey(eeprom, LOCK_NODE, key)) {
    throw new Error('the node image is missing or was not provisioned with the key in the store');
  }
  const lock = new SealedVirtualNode({ node: new WasmNode({ nodeId: LOCK_NODE, key, pin: UNUSED_PIN, eeprom, lockChild: 1 }) });
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
