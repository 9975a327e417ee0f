/**
 * A pair of connected pseudo-terminals made by socat: what one end writes, the other reads, like
 * the two ends of a USB serial cable. The simulated gateway opens one, the daemon the other.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killProcess } from './mosquitto.ts';

const START_TIMEOUT_MS = 5_000;

export interface PtyPair {
  /** The end the simulated gateway opens. */
  gatewayPath: string;
  /** The end the daemon opens, as it would /dev/ttyUSB0. */
  daemonPath: string;
  /** Ends socat, as pulling the USB cable would: both ends see the line go away. */
  unplug(): Promise<void>;
  /** A new socat with the same two paths, as plugging the cable back in. */
  replug(): Promise<void>;
  /** Ends socat (which removes the links) and the temporary directory; safe to call twice. */
  stop(): Promise<void>;
}

export async function createPtyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'myseal-pty-'));
  const gatewayPath = join(dir, 'gw');
  const daemonPath = join(dir, 'daemon');
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    // raw,echo=0: bytes pass untouched (no CR/LF mapping, no echo back to the writer), as on a
    // real serial line. -d -d makes socat say when the ptys are ready, which helps when it is not.
    const proc = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${gatewayPath}`, `pty,raw,echo=0,link=${daemonPath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!(existsSync(gatewayPath) && existsSync(daemonPath))) {
      if (proc.exitCode !== null || performance.now() > deadline) {
        await unplug();
        throw new Error(`socat did not make the pty pair:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const unplug = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc) await killProcess(proc);
    // socat removes its links on a clean exit; after a SIGKILL they would linger and point nowhere.
    await rm(gatewayPath, { force: true });
    await rm(daemonPath, { force: true });
  };
  const stop = async (): Promise<void> => {
    await unplug();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { gatewayPath, daemonPath, unplug, replug: start, stop };
}
