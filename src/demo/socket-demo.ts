/**
 * The demo on real sockets: a simulated MySensors 2.3.2 gateway on loopback with a sealed lock
 * (node 5), a plain sensor (node 7) and a lock still running the original sketch (node 9) behind it;
 * `myseal serve` in front with its proxy port, HTTP API and web page; a controller connected to the
 * proxy; and an attacker who records every line on the gateway's link, replays, tampers, and jams the
 * lock's radio. Each step says what MySeal promises and shows what happened.
 *
 * The attacks go both ways, so that the web page's security events show them: a frame replayed or
 * tampered on its way to the lock is refused by the lock, which says nothing to a forged frame
 * (answering would spend its counters for anyone), so MySeal hears of a replay only through the
 * lock's answer; the same attacks on the lock's own frames, on their way to MySeal, are refused and
 * audited by MySeal itself.
 *
 * A step that throws is reported as a failed step (with the error), never lost: the demo always
 * has a complete report to print.
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
import { createLogger } from '../app/logger.ts';
import { errorCodeName } from '../core/errors.ts';
import { writeLegacyKey } from '../store/legacy-key-file.ts';
import { Command } from '../core/mysensors/enums.ts';
import { SEALED_STREAM_TYPE } from '../core/protocol/constants.ts';
import { Direction, FrameKind, parseFrame } from '../core/protocol/frame.ts';
import type { RadioMessage } from '../node/radio-message.ts';
import { startVirtualSite } from './virtual-site.ts';
import type { VirtualSite } from './virtual-site.ts';
import { toHex } from '../core/bytes.ts';
import { startDaemon } from '../app/start-daemon.ts';
import type { RunningDaemon } from '../app/start-daemon.ts';
import { freePort } from './free-port.ts';
import { pollUntil } from './poll.ts';
import { runSteps } from './report.ts';
import type { DemoStep, StepDef } from './report.ts';

const LOCK = 5;
const SENSOR = 7;
const OLD_LOCK = 9;
/** The demo locks' PINs: made up for the demo and printed by --keep so the keypad can be tried. */
const PIN = '2468';
const LEGACY_KEY = 'my-old-16charkey';
const LEGACY_PIN = '1357';
/**
 * The longest the demo waits for something to happen on its sockets (a line, a count). Only a
 * failure waits this long: every wait ends as soon as what it waits for is there.
 */
const WAIT_MS = 5_000;

/** A lock of the demo site, with its PIN (demo values, not secrets). */
export interface DemoLock {
  node: number;
  name: string;
  pin: string;
}

export interface SocketDemo {
  steps: DemoStep[];
  /** The web page and API, while the demo runs. */
  url: string;
  /** Where controllers connect (the proxy). */
  proxy: string;
  /** The locks a user can try on the web page, with their demo PINs. */
  locks: DemoLock[];
  stop(): Promise<void>;
}

export interface SocketDemoOptions {
  /** Show the daemon's log. */
  verbose?: boolean;
  /** Called before each step; a test makes it throw to see a broken step reported. */
  beforeStep?: (name: string) => void;
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
    // A dropped connection shows as missing lines in the steps that look for them.
    socket.on('error', () => undefined);
  }
}

function lineOf(m: RadioMessage): string {
  return `${m.destination};${m.childId};${m.command};0;${m.type};${m.command === Command.C_STREAM ? toHex(m.data, true) : new TextDecoder().decode(m.data)}`;
}

function isSealed(m: RadioMessage): boolean {
  return m.command === Command.C_STREAM && m.type === SEALED_STREAM_TYPE;
}

/** A sealed frame bound to the lock's challenge: an unlock (or a PIN change) on its way to the node. */
function isCriticalFrame(m: RadioMessage): boolean {
  if (!isSealed(m)) return false;
  const parsed = parseFrame(m.data, Direction.ToNode);
  return parsed.ok && parsed.value.kind === FrameKind.Critical;
}

/** `value`, or an error saying what the demo needed and did not get. */
function needed<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not seen`);
  return value;
}

export async function runSocketDemo(opts: SocketDemoOptions = {}): Promise<SocketDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-demo-'));
  let skew = 0;
  let site: VirtualSite | undefined;
  let daemon: RunningDaemon | undefined;
  let controller: Controller | undefined;
  const stop = async (): Promise<void> => {
    controller?.socket.destroy();
    await daemon?.stop();
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const locks: DemoLock[] = [
    { node: LOCK, name: 'front door', pin: PIN },
    { node: OLD_LOCK, name: 'garden gate (original sketch)', pin: LEGACY_PIN },
  ];
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
        [LOCK]: { name: locks[0]!.name, children: { 1: { kind: 'lock', pinLength: 4 } } },
        [SENSOR]: { name: 'hall', children: { 3: { kind: 'relay', policy: 'pass' } } },
        [OLD_LOCK]: { name: locks[1]!.name, legacyEcb: true, children: { 1: { kind: 'lock', pinLength: 4 } } },
      },
    });
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    daemon = await startDaemon(config, createLogger(opts.verbose ? 'info' : 'error', opts.verbose ? undefined : quiet), {
      timeoutMs: 400,
      retries: 1,
    });
    const running = daemon;
    const { gateway, lock } = site;
    const legacy = site.legacy!;
    const base = `http://127.0.0.1:${running.http.port}`;

    // The attacker's recorder on the gateway's link: every line the gateway is sent.
    const recorded: Recorded[] = [];
    gateway.on('input', (message) => recorded.push({ line: lineOf(message), message }));
    // ...and every sealed frame the lock sends towards MySeal.
    const fromLock: RadioMessage[] = [];
    gateway.on('output', (message: RadioMessage) => {
      if (message.sender === LOCK && isSealed(message)) fromLock.push(message);
    });
    /** Plays a frame to MySeal as if the lock had sent it. */
    const asLock = (m: RadioMessage, data: Uint8Array): void => {
      gateway.fromNode(LOCK, [{ nodeId: LOCK, childId: m.childId, command: m.command, echo: false, type: m.type, payload: toHex(data, true) }]);
    };
    const lastSealedTo = (node: number): Recorded | undefined => recorded.filter((r) => r.message.destination === node && isSealed(r.message)).at(-1);
    const nodeVerdict = (): string => {
      const last = lock.outcomes.at(-1);
      return last?.error === undefined ? 'accepted' : `refused: ${errorCodeName(last.error)}`;
    };
    // What the daemon writes to its audit log, as it writes it.
    const audit: { event: string; node?: number; result?: string }[] = [];
    running.daemon.events.on('audit', (entry) => audit.push(entry));

    const ctl = new Controller(connect(running.listen.port, '127.0.0.1'));
    controller = ctl;
    // Everything up before the first step: the daemon on the gateway, the controller greeted by the proxy.
    if (!(await pollUntil(() => running.daemon.health().gatewayConnected && ctl.lines.length > 0, WAIT_MS))) {
      throw new Error('the daemon did not connect to the simulated gateway, or the controller to the daemon');
    }

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
    /** What MySeal made of what `attack` put on the link: the security event it audited, if any. */
    const mySealVerdict = async (attack: () => void): Promise<string> => {
      const mark = audit.length;
      attack();
      // The lock's answer to a frame replayed to it earlier is audited as UNEXPECTED_RESULT whenever
      // it arrives, possibly during this step: that event is the earlier attack's, not this one's.
      const refusal = (): { result?: string } | undefined =>
        audit.slice(mark).find((e) => e.event === 'security' && e.node === LOCK && e.result !== 'UNEXPECTED_RESULT');
      return (await pollUntil(() => refusal() !== undefined, WAIT_MS)) ? `refused: ${refusal()!.result}` : 'not refused';
    };
    let unlockFrame: Recorded | undefined;
    let legacyLine: Recorded | undefined;
    let legacyOpenedAt = 0;

    const defs: StepDef[] = [
      // 1. The owner types the PIN; the daemon seals the unlock for the node.
      {
        name: 'correct PIN typed (HTTP digits) unlocks',
        expected: 'unlocked',
        run: async () => {
          const result = await type(LOCK, PIN);
          unlockFrame = lastSealedTo(LOCK);
          return result;
        },
      },
      {
        name: 'controllers are told (V_LOCK_STATUS 0 via the proxy)',
        expected: 'seen',
        run: async () => ((await pollUntil(() => ctl.lines.includes(`${LOCK};1;1;0;36;0`), WAIT_MS)) ? 'seen' : 'missing'),
      },
      {
        name: 'locked again',
        expected: 'locked',
        run: async () => {
          await fetch(`${base}/api/nodes/${LOCK}/lock`, { method: 'POST' });
          return doorState();
        },
      },
      // 2. Replay: the attacker plays the recorded unlock line to the gateway.
      {
        name: 'replayed unlock line rejected by the lock',
        expected: 'refused: REPLAYED_COUNTER',
        run: async () => {
          gateway.controllerLine(needed(unlockFrame, 'the sealed unlock frame').line);
          return nodeVerdict();
        },
      },
      // 3. Tamper: one bit of a recorded frame changed.
      {
        name: 'tampered frame rejected by the lock',
        expected: 'refused: AUTH_FAILED',
        run: async () => {
          const line = needed(unlockFrame, 'the sealed unlock frame').line;
          const hex = line.split(';')[5]!;
          const flipped = `${hex.slice(0, 12)}${(parseInt(hex[12]!, 16) ^ 1).toString(16).toUpperCase()}${hex.slice(13)}`;
          gateway.controllerLine(line.replace(hex, flipped));
          return nodeVerdict();
        },
      },
      // The same two attacks on the lock's own frames, on their way to MySeal.
      {
        name: "the lock's recorded frame replayed to MySeal: rejected and audited",
        expected: 'refused: REPLAYED_COUNTER',
        run: () => {
          const m = needed(fromLock.at(-1), 'a sealed frame from the lock');
          return mySealVerdict(() => asLock(m, m.data));
        },
      },
      {
        name: "the lock's frame tampered on its way to MySeal: rejected and audited",
        expected: 'refused: AUTH_FAILED',
        run: () => {
          const m = needed(fromLock.at(-1), 'a sealed frame from the lock');
          const flipped = Uint8Array.from(m.data);
          flipped[flipped.length - 1]! ^= 0x01;
          return mySealVerdict(() => asLock(m, flipped));
        },
      },
      // 4. Delayed release: the owner's unlock is jammed near the lock and recorded; a minute later
      //    the attacker plays it.
      {
        name: 'a jammed unlock is reported failed, not lost',
        expected: 'timeout',
        run: async () => {
          // The first digits make the daemon fetch the lock's challenge; wait for that exchange to end.
          const before = running.daemon.nodeView(LOCK)?.counts.commands ?? 0;
          for (const d of PIN.slice(0, 3)) await fetch(`${base}/digit?node=${LOCK}&d=${d}`);
          const fetched = (): boolean => {
            const view = running.daemon.nodeView(LOCK);
            return view !== undefined && view.counts.commands > before && view.pendingCommands === 0;
          };
          if (!(await pollUntil(fetched, WAIT_MS))) throw new Error("the lock's challenge was not fetched");
          gateway.radio.setFaults({ dropRate: 1 });
          try {
            return await type(LOCK, PIN.slice(3));
          } finally {
            gateway.radio.setFaults({ dropRate: 0 });
          }
        },
      },
      {
        name: 'held-back unlock played 60 s later rejected',
        expected: 'refused: CHALLENGE_EXPIRED',
        run: async () => {
          const held = needed(recorded.filter((r) => r.message.destination === LOCK && isCriticalFrame(r.message)).at(-1), 'the jammed unlock frame');
          skew += 60_000;
          gateway.controllerLine(held.line);
          return nodeVerdict();
        },
      },
      { name: 'door still locked after the attacks', expected: 'locked', run: async () => doorState() },
      // 5. A controller's plain unlock (what the original system accepted) is refused.
      {
        name: "a controller's plain unlock is refused (it needs the PIN)",
        expected: 'locked',
        run: async () => {
          const mark = audit.length;
          ctl.socket.write(`${LOCK};1;1;0;36;0\n`);
          const refused = (): boolean => audit.slice(mark).some((e) => e.node === LOCK && e.result?.startsWith('refused') === true);
          if (!(await pollUntil(refused, WAIT_MS))) return `no refusal seen (door ${doorState()})`;
          return doorState();
        },
      },
      // 6. Guessing: a wrong PIN, then the lockout.
      { name: 'wrong PIN refused with attempts left', expected: 'wrong PIN, 4 attempts left', run: () => type(LOCK, '1111') },
      {
        name: 'lockout after 5 wrong PINs',
        expected: 'locked out for 60 s',
        run: async () => {
          for (let i = 0; i < 3; i++) await type(LOCK, '1111');
          return type(LOCK, '1111');
        },
      },
      {
        name: 'after the lockout the right PIN works again',
        expected: 'unlocked',
        run: async () => {
          skew += 61_000;
          return type(LOCK, PIN);
        },
      },
      // 7. The original format, for comparison: the old sketch on node 9 opens, and opens again for
      //    anyone who replays the recorded line.
      {
        name: 'original ECB format (--legacy-ecb): PIN opens the old lock',
        expected: 'opened',
        run: async () => {
          const before = legacy.unlockCount;
          await type(OLD_LOCK, LEGACY_PIN);
          const opened = await pollUntil(() => legacy.unlockCount > before, WAIT_MS);
          legacyLine = recorded.filter((r) => r.message.destination === OLD_LOCK).at(-1);
          legacyOpenedAt = legacy.unlockCount;
          return opened ? 'opened' : 'stayed shut';
        },
      },
      {
        name: 'original format: the recorded line replayed opens it AGAIN (why MySeal exists)',
        expected: 'opened again',
        run: async () => {
          gateway.controllerLine(needed(legacyLine, "the old lock's PIN line").line);
          return legacy.unlockCount > legacyOpenedAt ? 'opened again' : 'stayed shut';
        },
      },
    ];
    const steps = await runSteps(defs, opts.beforeStep);
    ctl.socket.destroy();
    return { steps, url: `${base}/`, proxy: `127.0.0.1:${running.listen.port}`, locks, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
