/**
 * Runs gateway-process-main.ts as a child process and follows what it says: a simulated gateway that
 * a test can kill with SIGKILL and start again on the same port. Its events are kept across restarts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/demo/free-port.ts';
import { pollUntil } from '../../src/demo/poll.ts';
import { killAbruptly, killProcess } from './mosquitto.ts';

const MAIN = fileURLToPath(new URL('./gateway-process-main.ts', import.meta.url));
/** tsx compiling on a busy two-core machine: generous, and only ever waited for by polling. */
const START_TIMEOUT_MS = 30_000;

export type GatewayProcessEvent =
  | { event: 'listening'; port: number }
  | { event: 'delivered'; node: number; child: number; command: number; type: number; text: string }
  | { event: 'sealed'; counter: number; error: string | null };

export interface GatewayProcess {
  readonly port: number;
  /** Everything every run of the process said, in order. */
  readonly events: GatewayProcessEvent[];
  /** How many times the process was started. */
  readonly starts: number;
  /**
   * SIGKILL, as a crash: the kernel closes its sockets, nothing of the process says goodbye.
   * Resolves once the process is gone and everything it wrote has been read.
   */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it listens. */
  start(): Promise<void>;
  /** Ends it (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

/** A free port can be taken by another process before ours listens on it: so many fresh tries. */
const PORT_TRIES = 5;

/**
 * Starts the process on a free port of loopback, which it keeps across kills and restarts. The lock's
 * EEPROM image is `imageFile`; its key is node 5's in the key store of `keyDir` (a state dir).
 */
export async function startGatewayProcess(imageFile: string, keyDir: string): Promise<GatewayProcess> {
  let port = 0;
  let child: ChildProcess | null = null;
  let starts = 0;
  const events: GatewayProcessEvent[] = [];

  const start = async (): Promise<void> => {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, String(port), imageFile, keyDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    starts++;
    let stderr = '';
    let buffer = '';
    let listening = false;
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    proc.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        const e = JSON.parse(line) as GatewayProcessEvent;
        events.push(e);
        if (e.event === 'listening') listening = true;
      }
    });
    const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
    await pollUntil(() => listening || exited(), START_TIMEOUT_MS, 20);
    if (listening) return;
    if (exited()) throw new Error(`the gateway process exited:\n${stderr}`);
    await killProcess(proc);
    throw new Error(`the gateway process did not listen within ${START_TIMEOUT_MS} ms:\n${stderr}`);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc) await killAbruptly(proc);
  };

  for (let tries = 1; ; tries++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (e) {
      if (tries >= PORT_TRIES || !(e instanceof Error) || !e.message.includes('EADDRINUSE')) throw e;
    }
  }
  return {
    get port() {
      return port;
    },
    events,
    get starts() {
      return starts;
    },
    kill,
    start,
    async stop() {
      const proc = child;
      child = null;
      if (proc) await killProcess(proc);
    },
  };
}
