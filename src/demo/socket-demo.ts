/**
 * The demo on real sockets: a simulated MySensors 2.3.2 gateway on loopback with a sealed lock
 * (node 5), a plain sensor (node 7) and a lock still running the original sketch (node 9) behind it;
 * `myseal serve` in front with its proxy port, HTTP API and web page; a controller connected to the
 * proxy; and an attacker who records every line on the gateway's link, replays, tampers, and jams the
 * lock's radio. Each step says what MySeal promises and shows what happened.
 *
 * The lock node's clock can be moved forward (a simulated node has no real time to wait out): that is
 * how the demo plays a held-back frame a minute later without making you wait a minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromDocument } from '../config/config.ts';
import { createLogger } from '../daemon/logger.ts';
import { errorCodeName } from '../errors.ts';
import { writeLegacyKey } from '../legacy/key-file.ts';
import { Command } from '../mysensors/enums.ts';
import { SEALED_STREAM_TYPE } from '../protocol/constants.ts';
import type { RadioMessage } from '../sim/radio-message.ts';
import { startVirtualSite } from '../sim/virtual-site.ts';
import type { VirtualSite } from '../sim/virtual-site.ts';
import { toHex } from '../util/bytes.ts';
import { startDaemon } from '../commands/serve.ts';
import type { RunningDaemon } from '../commands/serve.ts';
import { freePort } from '../util/free-port.ts';
import { step } from './report.ts';
import type { DemoStep } from './report.ts';

const LOCK = 5;
const SENSOR = 7;
const OLD_LOCK = 9;
const PIN = '2468';
const LEGACY_KEY = 'my-old-16charkey';
const LEGACY_PIN = '1357';

export interface SocketDemo {
  steps: DemoStep[];
  /** The web page and API, while the demo runs. */
  url: string;
  /** Where controllers connect (the proxy). */
  proxy: string;
  stop(): Promise<void>;
}

interface Recorded {
  line: string;
  message: RadioMessage;
}

/** A controller on the proxy port (what Domoticz or Home Assistant would be). */
class Controller {
  readonly lines: string[] = [];
  private buffer = '';

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      this.lines.push(...parts);
    });
  }
}

function lineOf(m: RadioMessage): string {
  return `${m.destination};${m.childId};${m.command};0;${m.type};${m.command === Command.C_STREAM ? toHex(m.data, true) : new TextDecoder().decode(m.data)}`;
}

async function settle(ms = 60): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export async function runSocketDemo(opts: { verbose?: boolean } = {}): Promise<SocketDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-demo-'));
  let skew = 0;
  let site: VirtualSite | undefined;
  let daemon: RunningDaemon | undefined;
  const stop = async (): Promise<void> => {
    await daemon?.stop();
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    site = await startVirtualSite({
      stateDir: dir,
      pin: PIN,
      node: { clock: () => performance.now() + skew },
      legacy: { nodeId: OLD_LOCK, key16: LEGACY_KEY, pin: LEGACY_PIN },
    });
    writeLegacyKey(dir, OLD_LOCK, LEGACY_KEY);
    const config = configFromDocument({
      gateway: site.gatewayUrl,
      listen: `127.0.0.1:${await freePort()}`,
      http: { listen: `127.0.0.1:${await freePort()}` },
      stateDir: dir,
      nodes: {
        [LOCK]: { name: 'front door', children: { 1: { kind: 'lock', pinLength: 4 } } },
        [SENSOR]: { name: 'hall', children: { 3: { kind: 'relay', policy: 'pass' } } },
        [OLD_LOCK]: { name: 'garden gate (original sketch)', legacyEcb: true, children: { 1: { kind: 'lock', pinLength: 4 } } },
      },
    });
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    daemon = await startDaemon(config, createLogger(opts.verbose ? 'info' : 'error', opts.verbose ? undefined : quiet), {
      timeoutMs: 400,
      retries: 1,
    });
    const gateway = site.gateway;
    const lock = site.lock;
    const base = `http://127.0.0.1:${daemon.http.port}`;

    // The attacker's recorder on the gateway's link: every line the gateway is sent.
    const recorded: Recorded[] = [];
    gateway.on('input', (message) => recorded.push({ line: lineOf(message), message }));
    const lastSealedTo = (node: number): Recorded | undefined =>
      recorded.filter((r) => r.message.destination === node && r.message.command === Command.C_STREAM && r.message.type === SEALED_STREAM_TYPE).at(-1);
    const nodeVerdict = (): string => {
      const last = lock.outcomes.at(-1);
      return last?.error === undefined ? 'accepted' : `refused: ${errorCodeName(last.error)}`;
    };

    const controller = new Controller(connect(daemon.listen.port, '127.0.0.1'));
    const steps: DemoStep[] = [];
    const type = async (node: number, pin: string): Promise<string> => {
      let answer: { result?: string; attemptsLeft?: number; secondsLeft?: number } = {};
      for (const d of pin) answer = (await (await fetch(`${base}/digit?node=${node}&d=${d}`)).json()) as typeof answer;
      switch (answer.result) {
        case 'wrong_pin':
          return `wrong PIN, ${answer.attemptsLeft} attempts left`;
        case 'locked_out':
          return `locked out for ${answer.secondsLeft} s`;
        default:
          return answer.result ?? 'no answer';
      }
    };
    const doorState = (): string => (lock.node.locked ? 'locked' : 'unlocked');

    // 1. The owner types the PIN; the daemon seals the unlock for the node.
    steps.push(step('correct PIN typed (HTTP digits) unlocks', 'unlocked', await type(LOCK, PIN)));
    const unlockFrame = lastSealedTo(LOCK)!;
    await settle();
    steps.push(step('controllers are told (V_LOCK_STATUS 0 via the proxy)', 'seen', controller.lines.includes(`${LOCK};1;1;0;36;0`) ? 'seen' : 'missing'));
    await fetch(`${base}/api/nodes/${LOCK}/lock`, { method: 'POST' });
    steps.push(step('locked again', 'locked', doorState()));

    // 2. Replay: the attacker plays the recorded unlock line to the gateway.
    gateway.controllerLine(unlockFrame.line);
    steps.push(step('replayed unlock line rejected by the lock', 'refused: REPLAYED_COUNTER', nodeVerdict()));

    // 3. Tamper: one bit of a recorded frame changed.
    const hex = unlockFrame.line.split(';')[5]!;
    const flipped = `${hex.slice(0, 12)}${(parseInt(hex[12]!, 16) ^ 1).toString(16).toUpperCase()}${hex.slice(13)}`;
    gateway.controllerLine(unlockFrame.line.replace(hex, flipped));
    steps.push(step('tampered frame rejected by the lock', 'refused: AUTH_FAILED', nodeVerdict()));

    // 4. Delayed release: the owner's unlock is jammed near the lock and recorded; a minute later the
    //    attacker plays it.
    for (const d of PIN.slice(0, 3)) await fetch(`${base}/digit?node=${LOCK}&d=${d}`); // challenge fetched
    await settle();
    gateway.radio.setFaults({ dropRate: 1 });
    const jammed = await type(LOCK, PIN.slice(3));
    gateway.radio.setFaults({ dropRate: 0 });
    steps.push(step('a jammed unlock is reported failed, not lost', 'timeout', jammed));
    const held = recorded.filter((r) => r.message.destination === LOCK && r.line.split(';')[5]!.startsWith('11')).at(-1)!;
    skew += 60_000;
    gateway.controllerLine(held.line);
    steps.push(step('held-back unlock played 60 s later rejected', 'refused: CHALLENGE_EXPIRED', nodeVerdict()));
    steps.push(step('door still locked after the attacks', 'locked', doorState()));

    // 5. A controller's plain unlock (what the original system accepted) is refused.
    controller.socket.write(`${LOCK};1;1;0;36;0\n`);
    await settle(150);
    steps.push(step("a controller's plain unlock is refused (it needs the PIN)", 'locked', doorState()));

    // 6. Guessing: a wrong PIN, then the lockout.
    steps.push(step('wrong PIN refused with attempts left', 'wrong PIN, 4 attempts left', await type(LOCK, '1111')));
    for (let i = 0; i < 3; i++) await type(LOCK, '1111');
    steps.push(step('lockout after 5 wrong PINs', 'locked out for 60 s', await type(LOCK, '1111')));
    skew += 61_000;
    steps.push(step('after the lockout the right PIN works again', 'unlocked', await type(LOCK, PIN)));

    // 7. The original format, for comparison: the old sketch on node 9 opens, and opens again for
    //    anyone who replays the recorded line.
    const before = site.legacy!.unlockCount;
    await type(OLD_LOCK, LEGACY_PIN);
    await settle();
    const legacyLine = recorded.filter((r) => r.message.destination === OLD_LOCK).at(-1)!;
    steps.push(step('original ECB format (--legacy-ecb): PIN opens the old lock', 'opened', site.legacy!.unlockCount > before ? 'opened' : 'stayed shut'));
    const afterOwner = site.legacy!.unlockCount;
    gateway.controllerLine(legacyLine.line);
    steps.push(
      step('original format: the recorded line replayed opens it AGAIN (why MySeal exists)', 'opened again', site.legacy!.unlockCount > afterOwner ? 'opened again' : 'stayed shut'),
    );

    controller.socket.destroy();
    return {
      steps,
      url: `${base}/`,
      proxy: `127.0.0.1:${daemon.listen.port}`,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
