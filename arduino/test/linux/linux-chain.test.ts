/**
 * The whole chain on Linux, against the real MySensors stack: MySensors 2.3.2's own Linux Ethernet
 * gateway and a MySensors Linux node running the library's SecureLock example (unchanged, with the
 * test's pin and servo shim), joined by MySensors' RS485 transport over a socat pty pair, and
 * `myseal serve` in front of the gateway, through a relay on loopback where an attacker records,
 * replays and alters lines. Then the same with the lock in the gateway's own sketch (node 0).
 *
 * Each chain is built once, for its test, by MySensors' own ./configure and make
 * (mysensors-linux-build.ts), with the node's key header from `myseal keygen`.
 *
 * What each test sends and checks, on the lock's process (the node, or the gateway for node 0):
 * - status (`myseal status`): locked, attempts left; the bolt (servo shim) at its locked angle;
 * - the PIN typed as HTTP digits (GET /digit) unlocks: the bolt turns, the LED lights; it locks
 *   itself again (a sealed report);
 * - `myseal unlock` with the PIN on stdin unlocks; a lock over HTTP locks;
 * - a wrong PIN answers with one attempt fewer, and the bolt stays;
 * - on the gateway link: the recorded unlock and a recorded command played again, and the unlock
 *   with one bit changed: the bolt stays, no attempt is taken, the node answers the replayed
 *   command "stale counter" (the daemon counts a security event) and the altered unlock not at
 *   all; a node's recorded answer played to the daemon, and one altered, are refused and counted;
 * - the lock's process killed (a power cut) and started again: attempts left as they were, a
 *   recorded command still refused as stale, the node's answers still accepted (its counters went on);
 * - the remaining wrong PINs lock it out; the right PIN is then refused (locked out); killed and
 *   started again, it is still locked out.
 * - the gateway listens on 127.0.0.1 only; the build gave no warning about MySeal's files; the
 *   program holding the lock has no executable stack.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import { REPO_ROOT } from '../../../bench/avr-toolchain.ts';
import { run as keygen } from '../../../src/edges/cli/keygen.ts';
import { startDaemon } from '../../../src/app/start-daemon.ts';
import type { RunningDaemon } from '../../../src/app/start-daemon.ts';
import { configFromDocument } from '../../../src/config/config.ts';
import { createLogger } from '../../../src/app/logger.ts';
import { parseLine } from '../../../src/core/mysensors/line.ts';
import { messageToFrame } from '../../../src/core/protocol/carriage.ts';
import { Direction, FrameKind, parseFrame } from '../../../src/core/protocol/frame.ts';
import { showsPin } from '../../../test/support/fixtures.ts';
import { createPtyPair } from '../../../test/support/pty.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { until } from '../../../test/support/until.ts';
import { freePort } from '../../../src/demo/free-port.ts';
import { exampleSetting } from '../example-sketches.ts';
import { requireThirdParty } from '../third-party.ts';
import { startLinkTap } from './link-tap.ts';
import type { LinkTap } from './link-tap.ts';
import { buildLinuxProgram } from './mysensors-linux-build.ts';
import type { LinuxProgram } from './mysensors-linux-build.ts';
import { linuxProcess, writeMySensorsConfig } from './mysensors-linux-process.ts';
import type { LinuxProcess } from './mysensors-linux-process.ts';

/** The PIN of the sketch's first boot (MYSEAL_INITIAL_PIN, a made-up example value). */
const PIN = /^#define MYSEAL_INITIAL_PIN "(\d+)"/m.exec(
  readFileSync(join(REPO_ROOT, 'arduino', 'MySeal', 'examples', 'SecureLock', 'SecureLock.ino'), 'utf8'),
)![1]!;
const WRONG_PIN = [...PIN].map((d) => String((Number(d) + 5) % 10)).join('');
const LOCK_CHILD = 1;
const SERVO_PIN = exampleSetting('SecureLock', 'SERVO_PIN');
const LED_PIN = exampleSetting('SecureLock', 'LED_PIN');
const LOCKED_ANGLE = exampleSetting('SecureLock', 'LOCKED_ANGLE');
const UNLOCKED_ANGLE = exampleSetting('SecureLock', 'UNLOCKED_ANGLE');
/** A generous bound for anything the chain does (a reconnect, an auto-relock); waits end early. */
const WAIT_MS = 60_000;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface Outcome {
  result: string;
  locked?: boolean;
  attemptsLeft?: number;
  secondsLeft?: number;
}

interface Chain {
  nodeId: number;
  dir: string;
  daemon: RunningDaemon;
  tap: LinkTap;
  /** The process whose sketch is SecureLock: the node, or the gateway itself (node 0). */
  lock: LinuxProcess;
  lockIsGateway: boolean;
  lockProgram: LinuxProgram;
  gatewayPort: number;
  /** The daemon's log. */
  logs: string[];
  cli(args: string[], input?: string): Promise<CliResult>;
}

async function startChain(t: TestContext, where: 'node' | 'gateway'): Promise<Chain | undefined> {
  if (!requireTool(t, 'bash', 'make', 'gcc', 'g++', 'socat', 'readelf')) return undefined;
  const trees = requireThirdParty(t, 'mysensors');
  if (!trees) return undefined;
  const nodeId = where === 'node' ? 5 : 0;

  const dir = mkdtempSync(join(tmpdir(), 'myseal-linux-chain-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  // The node's key, as a user makes it: `myseal keygen` into the state dir, the header beside it.
  const keyDir = join(dir, 'arduino');
  mkdirSync(keyDir);
  const said: string[] = [];
  const io = { stdout: (s: string) => said.push(s), stderr: (s: string) => said.push(s), env: {} };
  const made = await keygen(['--node', String(nodeId), '--lock-child', String(LOCK_CHILD), '--state-dir', dir, '--header', join(keyDir, `myseal_node_${nodeId}.h`)], io);
  assert.equal(made, 0, said.join(''));

  // The RS485 bus: a pty pair, one end for the gateway, one for the node (compiled into each).
  const bus = await createPtyPair();
  stops.push(() => bus.stop());
  const gatewayPort = await freePort();
  const gatewayConfig = join(dir, 'gateway.conf');
  const gatewayProgram = buildLinuxProgram({
    mysensorsDir: trees.mysensors,
    gatewayPort,
    rs485Port: bus.gatewayPath,
    configFile: gatewayConfig,
    sketch: where === 'gateway' ? { kind: 'SecureLock', nodeId, keyDir } : { kind: 'mysgw' },
  });
  writeMySensorsConfig(gatewayConfig, join(dir, 'gateway.eeprom'));
  const gateway = linuxProcess('the MySensors gateway', gatewayProgram.binary, gatewayConfig);
  stops.push(() => gateway.stop());

  let lock = gateway;
  let lockProgram = gatewayProgram;
  if (where === 'node') {
    const nodeConfig = join(dir, 'node.conf');
    lockProgram = buildLinuxProgram({
      mysensorsDir: trees.mysensors,
      gatewayPort: null,
      rs485Port: bus.daemonPath,
      configFile: nodeConfig,
      sketch: { kind: 'SecureLock', nodeId, keyDir },
    });
    writeMySensorsConfig(nodeConfig, join(dir, 'node.eeprom'));
    lock = linuxProcess('the SecureLock node', lockProgram.binary, nodeConfig);
    stops.push(() => lock.stop());
  }
  await gateway.start();
  if (lock !== gateway) await lock.start();

  const tap = await startLinkTap(gatewayPort);
  stops.push(() => tap.close());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const http = await freePort();
  const config = configFromDocument({
    gateway: `tcp://127.0.0.1:${tap.port}`,
    listen: `127.0.0.1:${await freePort()}`,
    stateDir: dir,
    nodes: { [nodeId]: { children: { [LOCK_CHILD]: { kind: 'lock', pinLength: PIN.length } } } },
    // Above the PIN tries the test makes in a minute: the lock's own lockout is under test here.
    http: { listen: `127.0.0.1:${http}`, rateLimitPerMinute: 60 },
  });
  const daemon = await startDaemon(config, createLogger('info', sink));
  stops.push(() => daemon.stop());
  await until(() => gatewayUp(daemon), 'the daemon to reach the gateway', WAIT_MS);

  const cli = (args: string[], input = ''): Promise<CliResult> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli.ts'), ...args, '--state-dir', dir, '--http', `127.0.0.1:${http}`], {
        cwd: REPO_ROOT,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  return { nodeId, dir, daemon, tap, lock, lockIsGateway: lock === gateway, lockProgram, gatewayPort, logs, cli };
}

function gatewayUp(daemon: RunningDaemon): boolean {
  const health = daemon.daemon.health();
  return health.gatewayConnected && health.gatewayAnswering;
}

/** The addresses a TCP port is listened on, from the kernel's socket tables. */
function listenersOn(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state !== '0A' || local === undefined) continue; // 0A: LISTEN
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort!, 16) !== port) continue;
      found.push(address === '0100007F' ? '127.0.0.1' : `${table.endsWith('6') ? 'tcp6' : 'tcp'}:${address}`);
    }
  }
  return found;
}

/** What the shim said a pin was set to, in order: "servo <pin> <angle>" or "pin <pin> <level>". */
function shimValues(lock: LinuxProcess, what: 'servo' | 'pin', pin: number): number[] {
  return lock.pins.flatMap((line) => {
    const [said, at, value] = line.split(' ');
    return said === what && Number(at) === pin ? [Number(value)] : [];
  });
}

/** The bolt's angles (the servo's), in order. */
function boltAngles(lock: LinuxProcess): number[] {
  return shimValues(lock, 'servo', SERVO_PIN);
}

function bolt(lock: LinuxProcess): number | undefined {
  return boltAngles(lock).at(-1);
}

/** The sealed frames in gateway lines, to or from the node, with the line that carried each. */
function sealedLines(lines: readonly string[], nodeId: number, direction: Direction): { line: string; kind: FrameKind }[] {
  return lines.flatMap((line) => {
    const message = parseLine(line);
    if (!message.ok || message.value.nodeId !== nodeId) return [];
    const sealed = messageToFrame(message.value);
    if (!sealed.ok) return [];
    const frame = parseFrame(sealed.value.frame, direction);
    return frame.ok ? [{ line, kind: frame.value.kind }] : [];
  });
}

/** The line with the lowest bit of its frame's sixth byte (the first of the ciphertext) changed. */
function flipBit(line: string): string {
  const fields = line.split(';');
  const hex = fields[5]!;
  const at = 11; // the low nibble of byte 5 (0-based): after the header byte and the counter
  fields[5] = `${hex.slice(0, at)}${(parseInt(hex[at]!, 16) ^ 1).toString(16).toUpperCase()}${hex.slice(at + 1)}`;
  return fields.join(';');
}

/** The security events of the audit log for the node, with what the node answered. */
function securityEvents(chain: Chain): { result: string; nodeAnswer?: string }[] {
  return readFileSync(join(chain.dir, 'audit.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { event: string; node?: number; result: string; detail?: { nodeAnswer?: string } })
    .filter((e) => e.event === 'security' && e.node === chain.nodeId)
    .map((e) => ({ result: e.result, ...(e.detail?.nodeAnswer !== undefined ? { nodeAnswer: e.detail.nodeAnswer } : {}) }));
}

function counter(chain: Chain, name: string): number {
  return chain.daemon.daemon.counters.get(name) ?? 0;
}

function view(chain: Chain): { locked: boolean | null; counts: { results: number; reports: number; rejected: number } } {
  const v = chain.daemon.daemon.nodeView(chain.nodeId);
  assert.ok(v, 'the daemon has a session for the lock');
  return v;
}

async function httpJson(chain: Chain, path: string, method = 'GET'): Promise<{ status: number; body: Outcome }> {
  const r = await fetch(`${chain.daemon.httpUrl.replace(/\/$/, '')}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
  return { status: r.status, body: (await r.json()) as Outcome };
}

/** A PIN typed key by key as a Domoticz selector sends it (GET /digit); the last key's answer. */
async function typePin(chain: Chain, pin: string): Promise<Outcome> {
  for (const d of pin.slice(0, -1)) {
    const r = await httpJson(chain, `/digit?node=${chain.nodeId}&d=${d}`);
    assert.equal(r.status, 202, `digit accepted: ${JSON.stringify(r.body)}`);
  }
  return (await httpJson(chain, `/digit?node=${chain.nodeId}&d=${pin.at(-1)!}`)).body;
}

async function status(chain: Chain): Promise<Outcome> {
  const r = await chain.cli(['status', '--node', String(chain.nodeId), '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as Outcome;
}

/** A power cut: the lock's process killed and started again; the daemon reaches it again. */
async function restartLock(chain: Chain): Promise<void> {
  await chain.lock.kill();
  if (chain.lockIsGateway) await until(() => !chain.daemon.daemon.health().gatewayConnected, 'the daemon to see the gateway go', WAIT_MS);
  await chain.lock.start();
  await until(() => gatewayUp(chain.daemon), 'the daemon to reach the gateway again', WAIT_MS);
}

/** The checks, the same for a node behind the gateway and for the gateway's own lock. */
async function exerciseLock(chain: Chain): Promise<void> {
  const { lock, tap, nodeId } = chain;

  // What the build and the gateway show before anything is sent.
  assert.deepEqual(chain.lockProgram.mysealWarnings, [], 'no compiler or linker warning about MySeal\'s files');
  const stack = spawnSync('readelf', ['-lW', chain.lockProgram.binary], { encoding: 'utf8' }).stdout;
  assert.match(stack, /GNU_STACK/, 'readelf lists the stack segment');
  assert.doesNotMatch(stack, /GNU_STACK(\s+\S+){5}\s+RWE/, 'the stack is not executable');
  assert.deepEqual(listenersOn(chain.gatewayPort), ['127.0.0.1'], 'the gateway listens on loopback only');

  const start = await status(chain);
  assert.equal(start.result, 'status');
  assert.equal(start.locked, true);
  const attempts = start.attemptsLeft ?? 0;
  assert.ok(attempts > 1, `attempts left at start: ${JSON.stringify(start)}`);
  assert.equal(bolt(lock), LOCKED_ANGLE, 'the bolt is where a locked lock has it');

  // The PIN as HTTP digits: unlocked, the bolt turns and the LED lights; the lock locks itself again.
  let turns = boltAngles(lock).length;
  const lights = shimValues(lock, 'pin', LED_PIN).length;
  const typed = await typePin(chain, PIN);
  assert.equal(typed.result, 'unlocked', JSON.stringify(typed));
  await until(() => boltAngles(lock).slice(turns).includes(UNLOCKED_ANGLE), 'the bolt to open', WAIT_MS);
  await until(() => shimValues(lock, 'pin', LED_PIN).slice(lights).includes(1), 'the LED to light', WAIT_MS);
  await until(() => view(chain).locked === true, 'the sealed report of the relock', WAIT_MS);
  await until(() => bolt(lock) === LOCKED_ANGLE && shimValues(lock, 'pin', LED_PIN).at(-1) === 0, 'the bolt to close', WAIT_MS);

  // `myseal unlock`, the PIN on stdin as a user types it; then locked over HTTP.
  const sentBefore = tap.toGateway.length;
  turns = boltAngles(lock).length;
  const unlocked = await chain.cli(['unlock', '--node', String(nodeId)], `${PIN}\n`);
  assert.equal(unlocked.code, 0, unlocked.stdout + unlocked.stderr);
  assert.match(unlocked.stdout, /unlocked/);
  await until(() => boltAngles(lock).slice(turns).includes(UNLOCKED_ANGLE), 'the bolt to open', WAIT_MS);
  const unlockLine = sealedLines(tap.toGateway.slice(sentBefore), nodeId, Direction.ToNode).find((f) => f.kind === FrameKind.Critical)?.line;
  assert.ok(unlockLine, 'the unlock was seen on the gateway link');
  const locked = await httpJson(chain, `/api/nodes/${nodeId}/lock`, 'POST');
  assert.equal(locked.body.result, 'locked', JSON.stringify(locked.body));
  await until(() => bolt(lock) === LOCKED_ANGLE, 'the bolt to close', WAIT_MS);
  const commandLine = sealedLines(tap.toGateway, nodeId, Direction.ToNode).filter((f) => f.kind === FrameKind.Command).at(-1)?.line;
  assert.ok(commandLine, 'a command was seen on the gateway link');

  // A wrong PIN: one attempt fewer, the bolt stays.
  turns = boltAngles(lock).length;
  const wrong = await typePin(chain, WRONG_PIN);
  assert.equal(wrong.result, 'wrong_pin', JSON.stringify(wrong));
  assert.equal(wrong.attemptsLeft, attempts - 1);

  // On the gateway link, towards the lock: the recorded unlock and command played again. The lock
  // refuses both; it answers the authentic but stale command "stale counter", which the daemon,
  // having sent nothing, counts as a security event. Then the unlock with one bit changed: no answer.
  const unexpected = counter(chain, 'node:UNEXPECTED_RESULT');
  const securityBefore = securityEvents(chain).length;
  tap.sendToGateway(unlockLine);
  tap.sendToGateway(commandLine);
  await until(() => counter(chain, 'node:UNEXPECTED_RESULT') > unexpected, 'the stale answer to the replayed command', WAIT_MS);
  // The audit line is group-committed after the count: wait for it on disk, then check what it says.
  await until(() => securityEvents(chain).length > securityBefore, 'the security event in the audit log', WAIT_MS);
  assert.equal(securityEvents(chain).at(-1)?.nodeAnswer, 'StaleCounter');
  const quiet = { unexpected: counter(chain, 'node:UNEXPECTED_RESULT'), ...view(chain).counts, heard: sealedLines(tap.toDaemon, nodeId, Direction.ToController).length };
  tap.sendToGateway(flipBit(unlockLine));
  const after = await httpJson(chain, `/api/nodes/${nodeId}/status`, 'POST');
  assert.equal(after.body.result, 'status', JSON.stringify(after.body));
  assert.equal(after.body.locked, true, 'still locked');
  assert.equal(after.body.attemptsLeft, attempts - 1, 'no attempt taken by the replayed or the altered unlock');
  const now = view(chain).counts;
  assert.equal(counter(chain, 'node:UNEXPECTED_RESULT'), quiet.unexpected, 'the altered unlock got no answer');
  assert.equal(now.rejected, quiet.rejected);
  assert.equal(
    sealedLines(tap.toDaemon, nodeId, Direction.ToController).length - quiet.heard,
    now.results + now.reports - quiet.results - quiet.reports,
    'every frame the lock sent since was an answer the daemon asked for',
  );

  // Towards the daemon: the lock's last answer played again, and altered. Both refused and counted.
  const answer = sealedLines(tap.toDaemon, nodeId, Direction.ToController).at(-1)!.line;
  const rejected = view(chain).counts.rejected;
  tap.sendToDaemon(answer);
  tap.sendToDaemon(flipBit(answer));
  await until(() => view(chain).counts.rejected >= rejected + 2, 'the daemon to refuse both', WAIT_MS);
  assert.equal(view(chain).locked, true);
  assert.deepEqual(boltAngles(lock).slice(turns), [], 'the bolt never moved');

  // A power cut. Attempts left as they were; a recorded command is still stale to the lock (the
  // counter it accepted last survived); the lock's answers are accepted (its own counters went on).
  await restartLock(chain);
  const unexpectedBefore = counter(chain, 'node:UNEXPECTED_RESULT');
  const securityAfterRestart = securityEvents(chain).length;
  tap.sendToGateway(commandLine);
  await until(() => counter(chain, 'node:UNEXPECTED_RESULT') > unexpectedBefore, 'the stale answer after the restart', WAIT_MS);
  await until(() => securityEvents(chain).length > securityAfterRestart, 'the security event in the audit log', WAIT_MS);
  assert.equal(securityEvents(chain).at(-1)?.nodeAnswer, 'StaleCounter');
  const restarted = await status(chain);
  assert.equal(restarted.locked, true);
  assert.equal(restarted.attemptsLeft, attempts - 1, 'the wrong PIN before the power cut still counts');
  assert.equal(bolt(lock), LOCKED_ANGLE);

  // The remaining wrong PINs lock it out; the right PIN is then refused.
  turns = boltAngles(lock).length;
  for (let left = attempts - 2; left > 0; left--) {
    const r = await typePin(chain, WRONG_PIN);
    assert.equal(r.result, 'wrong_pin', JSON.stringify(r));
    assert.equal(r.attemptsLeft, left);
  }
  const last = await typePin(chain, WRONG_PIN);
  assert.ok(last.result === 'locked_out' || (last.result === 'wrong_pin' && last.attemptsLeft === 0), JSON.stringify(last));
  const refused = await typePin(chain, PIN);
  assert.equal(refused.result, 'locked_out', JSON.stringify(refused));
  assert.ok((refused.secondsLeft ?? 0) > 0, JSON.stringify(refused));

  // Killed and started again: still locked out.
  await restartLock(chain);
  const lockedOut = await status(chain);
  assert.equal(lockedOut.locked, true);
  assert.ok((lockedOut.secondsLeft ?? 0) > 0, `still locked out after the power cut: ${JSON.stringify(lockedOut)}`);
  const stillRefused = await typePin(chain, PIN);
  assert.equal(stillRefused.result, 'locked_out', JSON.stringify(stillRefused));
  assert.ok(!boltAngles(lock).slice(turns).includes(UNLOCKED_ANGLE), 'the bolt never opened');

  // No PIN in the daemon's log (its process id left out: a number like any other) or the audit log.
  const logged = chain.logs.join('').replace(/"pid":\d+/g, '') + readFileSync(join(chain.dir, 'audit.log'), 'utf8');
  for (const pin of [PIN, WRONG_PIN]) assert.equal(showsPin(logged, pin), false);
}

test('Linux: a MySensors gateway and a SecureLock node over RS485, myseal serve in front', { timeout: 600_000 }, async (t) => {
  const chain = await startChain(t, 'node');
  if (chain) await exerciseLock(chain);
});

test('Linux: SecureLock in the MySensors gateway itself (node 0), myseal serve in front', { timeout: 600_000 }, async (t) => {
  const chain = await startChain(t, 'gateway');
  if (chain) await exerciseLock(chain);
});
