/**
 * `myseal node --node N --gateway URL`: a MySeal node run from the node library's own code (the
 * WebAssembly build of the C++ core, WasmNode), for trying MySeal without hardware and for Linux
 * boards. It presents node N (a sealed lock on child 1, by default) to a MySeal daemon the way a
 * MySensors gateway with that node behind it would:
 *
 *   tcp://HOST:PORT      listens there as an Ethernet gateway (point `myseal serve --gateway` at it)
 *   serial:///dev/PATH   serves a serial gateway on that device (one end of a pty pair, say)
 *   mqtt://HOST:PORT     joins the broker as the node behind an MQTT gateway (?in=&out= prefixes),
 *                        beside a real MQTT gateway's nodes if there is one
 *
 * The node's EEPROM (key, counters, PIN, lockout) is kept in <state-dir>/nodes/node-N.eeprom, and
 * what it is "flashed" with (the key its sketch would carry) in node-N.flash: the key from the
 * Arduino header `myseal keygen` wrote (--key-header: a reflash), else the one it was first flashed
 * with, else the controller's key store in the same state dir. The flashed key stays put when the
 * node's key is rotated, as a real node's flash does; booting with the rotated key instead would
 * look like a new key to the node, which would start its counters over under a key already used.
 * The first-boot PIN (needed only while the EEPROM does not know the flashed key) comes from
 * $MYSEAL_NODE_PIN or a prompt. Lines on stdin act as the lock's button: "lock" or "unlock" turn it
 * by hand and send a sealed report. --on-change runs a command at every change of the lock
 * (node/lock-command.ts): a relay on a Raspberry Pi's GPIO makes it a real lock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../config/config.ts';
import { ExitCode } from './exit-code.ts';
import { errorCodeName, ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { constantTimeEqual } from '../../core/crypto/constant-time.ts';
import { KEY_LENGTH } from '../../core/protocol/constants.ts';
import { parseGatewayUrl } from '../../gateway/parse-url.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { eepromKnowsKey, WasmNode } from '../../node/wasm-node.ts';
import { openEepromFile } from '../../node/eeprom-file.ts';
import { LockCommand } from '../../node/lock-command.ts';
import type { LockChangeCause } from '../../node/lock-command.ts';
import { SimGateway } from '../../node/gateway-core.ts';
import { SimMqttFront } from '../../node/mqtt-front.ts';
import { SealedVirtualNode } from '../../node/sealed-virtual-node.ts';
import { SimSerialFront } from '../../node/serial-front.ts';
import { SimTcpFront } from '../../node/tcp-front.ts';
import { parseArduinoHeader } from '../../store/arduino-header.ts';
import { writeFileAtomic } from '../../store/atomic-file.ts';
import { readKeyTable } from '../../store/key-store.ts';
import { ensurePrivateDir, ensureStateDir, readPrivateFile } from '../../store/state-dir.ts';
import { readSecrets } from './secret-input.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';

/** MySeal.h's autoRelock() takes a 16-bit count of milliseconds. */
const MAX_RELOCK_MS = 65_535;
/** How often the node's loop() runs for auto-relock: a relock is due within this much of its time. */
const RELOCK_POLL_MS = 100;

/** Booting with a PIN is required; once the EEPROM knows the flashed key the node ignores it. */
const PIN_NOT_NEEDED = '0000';

interface Front {
  start(): Promise<unknown> | void;
  close(): Promise<void> | void;
}

/**
 * The controller's keys for the node (its key, and the next one while a rotation is under way), from
 * the key store in the state dir, which a daemon may be writing in; none when it has none.
 */
function storedKeys(nodeId: number, stateDir: string): Uint8Array[] {
  const entry = readKeyTable(stateDir).get(nodeId);
  return entry ? [entry.key, entry.pendingKey].filter((k) => k !== undefined).map((k) => Uint8Array.from(k)) : [];
}

/** What the node is flashed with: the header's key (a reflash), else what it was flashed with before, else the key store's. */
function flashedKey(nodeId: number, stateDir: string, header: string | undefined, flashed: Uint8Array | undefined): Uint8Array {
  if (header) {
    const parsed = parseArduinoHeader(readFileSync(header, 'utf8'));
    if (parsed.nodeId !== nodeId) {
      throw new MySealError(ErrorCode.BAD_KEY, `the header is for node ${parsed.nodeId}, not ${nodeId}`, { node: nodeId });
    }
    return parsed.key;
  }
  if (flashed) return flashed;
  const [key] = storedKeys(nodeId, stateDir);
  if (!key) throw new MySealError(ErrorCode.NO_KEY, `no key for node ${nodeId}: run myseal keygen --node ${nodeId}, or give --key-header`, { node: nodeId });
  return key;
}

/** The key the node was last flashed with (node-N.flash), if any. */
function readFlashed(flashFile: string): Uint8Array | undefined {
  const flashed = readPrivateFile(flashFile, KEY_LENGTH * 4);
  if (flashed !== undefined && flashed.length !== KEY_LENGTH) {
    throw new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, `${flashFile} is not a node key; give --key-header`, { file: flashFile });
  }
  return flashed && Uint8Array.from(flashed);
}

/** An --on-change-timeout: whole milliseconds, at least one. */
function parseTimeoutMs(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  return /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : null;
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
        'on-change': { type: 'string' },
        'on-change-timeout': { type: 'string' },
        'auto-relock': { type: 'string' },
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
  const timeoutMs = parseTimeoutMs(values['on-change-timeout']);
  if (timeoutMs === null || (timeoutMs !== undefined && values['on-change'] === undefined) || values['on-change'] === '') {
    process.stderr.write('myseal node: --on-change takes a command, --on-change-timeout (with it) whole milliseconds\n');
    return ExitCode.USAGE;
  }
  const relockMs = values['auto-relock'] === undefined ? 0 : parseTimeoutMs(values['auto-relock']);
  if (relockMs === null || relockMs === undefined || relockMs > MAX_RELOCK_MS) {
    process.stderr.write(`myseal node: --auto-relock takes whole milliseconds, 1 to ${MAX_RELOCK_MS}\n`);
    return ExitCode.USAGE;
  }
  try {
    const config = loadConfig(values.config, env, { stateDir: values['state-dir'] });
    const stateDir = ensureStateDir(config.stateDir);
    const target = parseGatewayUrl(values.gateway);
    const nodes = ensurePrivateDir(join(stateDir, 'nodes'));
    const { eeprom, existed } = openEepromFile(join(nodes, `node-${nodeId}.eeprom`));
    const flashFile = join(nodes, `node-${nodeId}.flash`);
    const flashed = readFlashed(flashFile);
    const key = flashedKey(nodeId, stateDir, values['key-header'], flashed);
    const reflashed = !flashed || !constantTimeEqual(flashed, key);
    let pin = PIN_NOT_NEEDED;
    if (!eepromKnowsKey(eeprom, nodeId, key)) {
      // The EEPROM has no records for this key, and it was not flashed anew (a header): a damaged
      // image, or a key store holding the node's rotated key. Booting would provision afresh and
      // start the counters over under a key that may have been used already.
      if (existed && !(values['key-header'] && reflashed)) {
        throw new MySealError(
          ErrorCode.COUNTER_STORE_CORRUPT,
          'the node image holds no records for the key it is flashed with; refusing to start afresh (give --key-header with the header the node was flashed with)',
          { node: nodeId },
        );
      }
      [pin = ''] = env.MYSEAL_NODE_PIN !== undefined ? [env.MYSEAL_NODE_PIN] : await readSecrets(['PIN for the new node: ']);
    }
    const say = (text: string): void => void process.stdout.write(`node ${nodeId}: ${text}\n`);
    const onChange = values['on-change'] === undefined ? null : new LockCommand({ command: values['on-change'], nodeId, timeoutMs });
    // Why the node is calling onLockChange: a sealed command, unless a turn by hand is under way.
    let cause: LockChangeCause = 'command';
    const node = new WasmNode({
      nodeId,
      key,
      pin,
      eeprom,
      lockChild,
      relockMs,
      onLockChange: (locked) => {
        say(locked ? 'LOCKED' : 'UNLOCKED');
        void onChange?.run({ locked, cause });
      },
      onSet: (child, value) => {
        say(`sealed set for child ${child}: V_ type ${value.type}`);
        return true;
      },
    });
    if (reflashed) writeFileAtomic(flashFile, key, 0o600);
    const controllers = values['key-header'] ? [] : storedKeys(nodeId, stateDir);
    if (controllers.length > 0 && !controllers.some((k) => constantTimeEqual(k, node.persisted.key))) {
      say('the key store in this state dir holds another key for this node (a new keygen?): to take it, restart with --key-header');
    }
    // A lock's sketch moves the bolt to the stored state in setup(): the relay follows after a reboot.
    void onChange?.run({ locked: node.locked, cause: 'boot' });
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
    // The sketch's loop(): auto-relock when due, with its sealed report.
    const loop = relockMs > 0 ? setInterval(() => {
      cause = 'relock';
      try {
        if (virtual.poll()) say('locked again by auto-relock; sealed report sent');
      } finally {
        cause = 'command';
      }
    }, RELOCK_POLL_MS) : undefined;
    const input = createInterface({ input: process.stdin });
    input.on('line', (line) => {
      const word = line.trim().toLowerCase();
      if (word !== 'lock' && word !== 'unlock') return;
      cause = 'hand';
      try {
        virtual.setLockedByHand(word === 'lock');
      } finally {
        cause = 'command';
      }
      say(`turned by hand: ${word}ed; sealed report sent`);
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    input.close();
    clearInterval(loop);
    await front.close();
    gateway.close();
    await onChange?.idle(); // the last change's command finishes (or times out) before the node is gone
    return ExitCode.OK;
  } catch (e) {
    process.stderr.write(`myseal node: ${isMySealError(e) ? e.message : e instanceof Error ? e.message : 'failed'}\n`);
    return isMySealError(e) && (e.code === ErrorCode.USAGE || e.code === ErrorCode.BAD_CONFIG) ? ExitCode.USAGE : ExitCode.FAILURE;
  }
}
