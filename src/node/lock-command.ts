/**
 * `myseal node --on-change CMD`: a command of the user's run at every change of the virtual lock,
 * so that a Linux board drives something real with it (a relay on a Raspberry Pi's GPIO, say).
 *
 * CMD runs through `/bin/sh -c`, as a user writes it (pipelines, `&&`, variables), with the new
 * state in its environment and nowhere else: MYSEAL_LOCKED (1/0), MYSEAL_STATE (locked/unlocked),
 * MYSEAL_NODE and MYSEAL_CAUSE (boot/command/hand/relock). Every MYSEAL_* variable the node itself was
 * given is left out, MYSEAL_NODE_PIN first: the PIN and the key never reach the command.
 *
 * Runs are queued: one at a time, in the order of the changes, so a quick unlock and relock can
 * never leave the relay unlocked because the second command overtook the first. A run that fails
 * (non-zero exit, not found, killed) is reported and the next one runs; a run still going after the
 * timeout is killed, with everything it started, and the next one runs.
 */
import { spawn } from 'node:child_process';

/** Long enough for any tool that sets an output; short enough that a hung one cannot stall the lock for long. */
export const DEFAULT_ON_CHANGE_TIMEOUT_MS = 10_000;

/** Why the lock is in this state: the stored state at start, a sealed command, a turn by hand (stdin), auto-relock. */
export type LockChangeCause = 'boot' | 'command' | 'hand' | 'relock';

export interface LockChange {
  locked: boolean;
  cause: LockChangeCause;
}

export interface LockCommandOptions {
  /** The user's command line, given to /bin/sh -c. */
  command: string;
  nodeId: number;
  timeoutMs?: number;
  /** The environment the command's own is made from (default: this process's), without MYSEAL_*. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Where failures are said (default: stderr). */
  report?: (line: string) => void;
}

/** How one run ended. */
export type RunOutcome =
  | { ok: true }
  | { ok: false; exitCode: number | null; signal: NodeJS.Signals | null; timedOut: boolean; spawnError?: string };

/** The command's environment: the base without anything MySeal's, plus the change. */
export function lockChangeEnv(change: LockChange, nodeId: number, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!name.startsWith('MYSEAL_')) env[name] = value;
  env.MYSEAL_LOCKED = change.locked ? '1' : '0';
  env.MYSEAL_STATE = change.locked ? 'locked' : 'unlocked';
  env.MYSEAL_NODE = String(nodeId);
  env.MYSEAL_CAUSE = change.cause;
  return env;
}

/** What a failed run is called on stderr: the exit status as a shell would give it, or the signal. */
export function describeFailure(outcome: Exclude<RunOutcome, { ok: true }>, timeoutMs: number): string {
  if (outcome.spawnError !== undefined) return `could not start /bin/sh (${outcome.spawnError})`;
  if (outcome.timedOut) return `still running after ${timeoutMs} ms: killed`;
  if (outcome.signal !== null) return `killed by ${outcome.signal}`;
  return outcome.exitCode === 127 ? 'exit status 127 (command not found)' : `exit status ${outcome.exitCode}`;
}

export class LockCommand {
  readonly #opts: LockCommandOptions;
  readonly #timeoutMs: number;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(opts: LockCommandOptions) {
    this.#opts = opts;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_ON_CHANGE_TIMEOUT_MS;
  }

  /** Queues a run for this change; it starts once every earlier one has ended. Never rejects. */
  run(change: LockChange): Promise<RunOutcome> {
    const outcome = this.#tail.then(() => this.#runNow(change));
    this.#tail = outcome;
    return outcome;
  }

  /** Resolves once every run queued so far has ended (each within the timeout). */
  async idle(): Promise<void> {
    await this.#tail;
  }

  async #runNow(change: LockChange): Promise<RunOutcome> {
    const outcome = await this.#spawn(change);
    if (!outcome.ok) {
      const report = this.#opts.report ?? ((line: string) => void process.stderr.write(`${line}\n`));
      report(`myseal node: --on-change for ${change.locked ? 'locked' : 'unlocked'} (${change.cause}) failed: ${describeFailure(outcome, this.#timeoutMs)}`);
    }
    return outcome;
  }

  #spawn(change: LockChange): Promise<RunOutcome> {
    return new Promise((resolve) => {
      // Its own process group, so a timeout kills what the shell started too (a pipeline, a
      // gpioset); output goes where the node's goes, as in a shell.
      const child = spawn('/bin/sh', ['-c', this.#opts.command], {
        env: lockChangeEnv(change, this.#opts.nodeId, this.#opts.baseEnv ?? process.env),
        stdio: ['ignore', 'inherit', 'inherit'],
        detached: true,
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone between the timer and the kill.
        }
      }, this.#timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, exitCode: null, signal: null, timedOut: false, spawnError: e.message });
      });
      // The shell's exit, not its pipes' close: something it left running in the background (a
      // gpioset holding the relay's line) keeps the pipes and must not count as a hung command.
      child.once('exit', (exitCode, signal) => {
        clearTimeout(timer);
        resolve(exitCode === 0 && !timedOut ? { ok: true } : { ok: false, exitCode, signal, timedOut });
      });
    });
  }
}
