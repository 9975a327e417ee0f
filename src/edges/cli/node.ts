/**
 * `myseal node --node N --gateway URL`: the TypeScript node side as a running node, for trying MySeal
 * without hardware and for Linux boards. It presents node N (a sealed lock on child 1, by default)
 * to a MySeal daemon the way a MySensors gateway with that node behind it would:
 *
 *   tcp://HOST:PORT      listens there as an Ethernet gateway (point `myseal serve --gateway` at it)
 *   serial:///dev/PATH   serves a serial gateway on that device (one end of a pty pair, say)
 *   mqtt://HOST:PORT     joins the broker as the node behind an MQTT gateway (?in=&out= prefixes),
 *                        beside a real MQTT gateway's nodes if there is one
 *
 * The node keeps its EEPROM image (key, counters, PIN, lockout) in <state-dir>/nodes/node-N.eeprom.
 * Its key comes from the controller's key store in the same state dir, or from the Arduino header
 * `myseal keygen` wrote (--key-header), exactly what a real node is flashed with. The PIN for the
 * first boot comes from $MYSEAL_NODE_PIN or a prompt. Lines on stdin act as the lock's button:
 * "lock" or "unlock" turn it by hand and send a sealed report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../config/config.ts';
import { ExitCode } from './exit-code.ts';
import { errorCodeName, ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { parseGatewayUrl } from '../../gateway/parse-url.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { SealedNode, provisionNode } from '../../node/sealed-node.ts';
import { SimGateway } from '../../node/gateway-core.ts';
import { SimMqttFront } from '../../node/mqtt-front.ts';
import { SealedVirtualNode } from '../../node/sealed-virtual-node.ts';
import { SimSerialFront } from '../../node/serial-front.ts';
import { SimTcpFront } from '../../node/tcp-front.ts';
import { parseArduinoHeader } from '../../store/arduino-header.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { NodeImageFile } from '../../node/node-image-file.ts';
import { ensurePrivateDir, ensureStateDir } from '../../store/state-dir.ts';
import { readSecrets } from './secret-input.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';

interface Front {
  start(): Promise<unknown> | void;
  close(): Promise<void> | void;
}

function keyFor(nodeId: number, stateDir: string, header: string | undefined): Uint8Array {
  if (header) {
    const parsed = parseArduinoHeader(readFileSync(header, 'utf8'));
    if (parsed.nodeId !== nodeId) {
      throw new MySealError(ErrorCode.BAD_KEY, `the header is for node ${parsed.nodeId}, not ${nodeId}`, { node: nodeId });
    }
    return parsed.key;
  }
  const keys = FileKeyStore.open(stateDir).get(nodeId);
  if (!keys) throw new MySealError(ErrorCode.NO_KEY, `no key for node ${nodeId}: run myseal keygen --node ${nodeId}, or give --key-header`, { node: nodeId });
  return Uint8Array.from(keys.key);
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandArgs('node', {
      args: argv,
      options: {
        node: { type: 'string' },
        gateway: { type: 'string' },
        'state-dir': { type: 'string' },
        'key-header': { type: 'string' },
        'lock-child': { type: 'string', default: '1' },
        config: { type: 'string' },
      },
    }));
  } catch (e) {
    process.stderr.write(usageLine('node', e));
    return ExitCode.USAGE;
  }
  const nodeId = parseNodeId(values.node);
  const lockChild = Number(values['lock-child']);
  if (nodeId === null || !(lockChild >= 0 && lockChild <= 254) || !values.gateway) {
    process.stderr.write(`myseal node: give --node N (${NODE_ID_RANGE}) and --gateway URL\n`);
    return ExitCode.USAGE;
  }
  try {
    const config = loadConfig(values.config, env, { stateDir: values['state-dir'] });
    const stateDir = ensureStateDir(config.stateDir);
    const target = parseGatewayUrl(values.gateway);
    const storage = new NodeImageFile(join(ensurePrivateDir(join(stateDir, 'nodes')), `node-${nodeId}.eeprom`));
    if (storage.load() === null) {
      if (storage.existed) throw new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, 'the node image is unreadable; refusing to start afresh', { node: nodeId });
      const key = keyFor(nodeId, stateDir, values['key-header']);
      const [pin] = env.MYSEAL_NODE_PIN !== undefined ? [env.MYSEAL_NODE_PIN] : await readSecrets(['PIN for the new node: ']);
      provisionNode(storage, key, pin ?? '');
      key.fill(0);
    }
    const say = (text: string): void => void process.stdout.write(`node ${nodeId}: ${text}\n`);
    const node = new SealedNode({
      nodeId,
      storage,
      lockChild,
      onLockChange: (locked) => say(locked ? 'LOCKED' : 'UNLOCKED'),
      onSet: (child, value) => {
        say(`sealed set for child ${child}: V_ type ${value.type}`);
        return true;
      },
    });
    const virtual = new SealedVirtualNode({ node });
    const gateway = new SimGateway({ nodes: [virtual] });
    gateway.on('delivered', () => {
      const outcome = virtual.outcomes.at(-1);
      if (outcome?.error !== undefined) say(`refused a frame: ${errorCodeName(outcome.error)}`);
    });
    let front: Front;
    let where: string;
    switch (target.kind) {
      case 'tcp': {
        const tcp = new SimTcpFront(gateway, { host: target.host, port: target.port });
        front = { start: () => tcp.listen(), close: () => tcp.close() };
        where = `as an Ethernet gateway on ${target.host}:${target.port}`;
        break;
      }
      case 'serial': {
        const serial = new SimSerialFront(gateway, { path: target.path, baudRate: target.baudRate });
        front = serial;
        where = `as a serial gateway on ${target.path}`;
        break;
      }
      case 'mqtt': {
        const mqtt = new SimMqttFront(gateway, { url: target.url, inPrefix: target.inPrefix, outPrefix: target.outPrefix, clientId: `myseal-node-${nodeId}` });
        front = mqtt;
        where = `behind an MQTT gateway on ${target.url} (${target.inPrefix} / ${target.outPrefix})`;
        break;
      }
    }
    await front.start();
    say(`virtual lock on child ${lockChild}, ${node.locked ? 'locked' : 'unlocked'}, ${where}`);
    const input = createInterface({ input: process.stdin });
    input.on('line', (line) => {
      const word = line.trim().toLowerCase();
      if (word !== 'lock' && word !== 'unlock') return;
      virtual.setLockedByHand(word === 'lock');
      say(`turned by hand: ${word}ed; sealed report sent`);
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    input.close();
    await front.close();
    gateway.close();
    return ExitCode.OK;
  } catch (e) {
    process.stderr.write(`myseal node: ${isMySealError(e) ? e.message : e instanceof Error ? e.message : 'failed'}\n`);
    return isMySealError(e) && (e.code === ErrorCode.USAGE || e.code === ErrorCode.BAD_CONFIG) ? ExitCode.USAGE : ExitCode.FAILURE;
  }
}
