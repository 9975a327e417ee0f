/**
 * `myseal <command>` run from the source as its own process (through tsx), for tests that need the
 * real command beside another (a node beside a daemon): its output collected, `ready` resolved once
 * it prints the text that says it is up (rejected if it exits first), stopped with a signal.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export interface MysealProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything it wrote so far, stdout and stderr. */
  out(): string;
  ready: Promise<void>;
}

export function spawnMyseal(args: readonly string[], env: NodeJS.ProcessEnv, readyText: string): MysealProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (!out.includes(readyText)) return;
      clearInterval(check);
      resolve();
    }, 20);
    child.once('exit', () => {
      clearInterval(check);
      reject(new Error(`myseal ${args[0]} exited: ${out}`));
    });
  });
  // A test that never awaits ready (it stopped the process itself) must not see an unhandled rejection.
  ready.catch(() => undefined);
  return { child, out: () => out, ready };
}

export async function stopMyseal(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
