/**
 * A private mosquitto broker for one test: loopback only, no persistence, on a free port, in its own
 * temporary directory. Anonymous by default; given users, it takes only them (a password file made
 * with mosquitto_passwd, the passwords going through a file, never an argument); given a
 * certificate, it speaks TLS only. stop() always ends it (SIGTERM, then SIGKILL).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { hasTool, requireTool } from './require-tool.ts';
import { freePort } from '../../src/demo/free-port.ts';

/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
const SBIN_MOSQUITTO = '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;
/** A free port can be taken between our probe and mosquitto's bind: try a few. */
const START_ATTEMPTS = 3;

export interface MosquittoOptions {
  /** Only these may connect (allow_anonymous false). */
  users?: readonly { username: string; password: string }[];
  /** TLS on the listener (mqtts://): the server's certificate and key, PEM files. */
  tls?: { certFile: string; keyFile: string };
}

export interface Mosquitto {
  port: number;
  /** mqtt://127.0.0.1:PORT, or mqtts:// with tls. */
  url: string;
  /** Restarts the broker on the same port (for reconnect tests). */
  restart(): Promise<void>;
  /** Ends the broker; safe to call twice. */
  stop(): Promise<void>;
  /** Stops the broker but keeps the port reserved in our mind (for "broker down" tests). */
  pause(): Promise<void>;
}

export function mosquittoCommand(): string | null {
  if (hasTool('mosquitto')) return 'mosquitto';
  return existsSync(SBIN_MOSQUITTO) ? SBIN_MOSQUITTO : null;
}

/** requireTool for mosquitto, accepting /usr/sbin when it is not on PATH. */
export function requireMosquitto(t: TestContext): boolean {
  return mosquittoCommand() !== null || requireTool(t, 'mosquitto');
}

export { freePort };

export async function waitForPort(port: number, host: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error('the process exited before its port opened');
    if (performance.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * SIGKILL, a crash or a power cut: nothing of the process says goodbye. Resolves once it is gone
 * and everything it wrote has been read ('close', not 'exit': its last lines may still sit in the
 * pipes when it exits).
 */
export async function killAbruptly(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGKILL');
  await closed;
}

export async function killProcess(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** requireTool for mosquitto_passwd (Debian's mosquitto package has it in /usr/bin). */
export function requireMosquittoPasswd(t: TestContext): boolean {
  return requireMosquitto(t) && requireTool(t, 'mosquitto_passwd');
}

/** A hashed mosquitto password file: written in clear (0600), then hashed in place by mosquitto_passwd -U. */
async function passwordFile(dir: string, users: readonly { username: string; password: string }[]): Promise<string> {
  const file = join(dir, 'passwords');
  await writeFile(file, users.map((u) => `${u.username}:${u.password}\n`).join(''), { mode: 0o600 });
  const r = spawnSync('mosquitto_passwd', ['-U', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`mosquitto_passwd -U failed: ${r.stderr.toString()}`);
  return file;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const command = mosquittoCommand();
  if (command === null) throw new Error('mosquitto is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'myseal-mosquitto-'));
  let child: ChildProcess | null = null;
  let port = 0;
  let stderr = '';
  const auth = options.users === undefined ? ['allow_anonymous true'] : ['allow_anonymous false', `password_file ${await passwordFile(dir, options.users)}`];
  const tls = options.tls === undefined ? [] : [`certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`];

  const launch = async (): Promise<void> => {
    const conf = join(dir, 'mosquitto.conf');
    // Started as root, mosquitto would become the user "mosquitto" and lose the password and key
    // files, which are ours and private: it stays who we are (as anyone else, it stays anyway).
    const user = `user ${userInfo().username}`;
    await writeFile(conf, [user, `listener ${port} 127.0.0.1`, ...tls, ...auth, 'persistence false', 'log_dest stderr', ''].join('\n'));
    const proc = spawn(command, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    await waitForPort(port, '127.0.0.1', START_TIMEOUT_MS, () => proc.exitCode === null && proc.signalCode === null);
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc) await killProcess(proc);
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    port = await freePort();
    try {
      await launch();
      lastError = undefined;
      break;
    } catch (e) {
      lastError = e;
      await halt();
    }
  }
  if (lastError !== undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mosquitto did not start: ${String(lastError)}\n${stderr}`);
  }

  return {
    port,
    url: `${options.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`,
    async pause() {
      await halt();
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
