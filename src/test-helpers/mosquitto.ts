/**
 * A private mosquitto broker for one test: loopback only, anonymous, no persistence, on a free
 * port, in its own temporary directory. stop() always ends it (SIGTERM, then SIGKILL).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { hasTool, requireTool } from './require-tool.ts';
import { freePort } from '../util/free-port.ts';

/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
const SBIN_MOSQUITTO = '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;
/** A free port can be taken between our probe and mosquitto's bind: try a few. */
const START_ATTEMPTS = 3;

export interface Mosquitto {
  port: number;
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

export async function killProcess(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startMosquitto(): Promise<Mosquitto> {
  const command = mosquittoCommand();
  if (command === null) throw new Error('mosquitto is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'myseal-mosquitto-'));
  let child: ChildProcess | null = null;
  let port = 0;
  let stderr = '';

  const launch = async (): Promise<void> => {
    const conf = join(dir, 'mosquitto.conf');
    await writeFile(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join('\n'));
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
    url: `mqtt://127.0.0.1:${port}`,
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
