/**
 * Runs a program built by mysensors-linux-build.ts (a MySensors Linux gateway or node) and keeps
 * what it says across restarts: its log (MySensors' debug lines, stderr) and the pin shim's lines
 * (stdout: "servo <pin> <angle>", "pin <pin> <level>"). Each program has its own configuration
 * file and EEPROM file, in the test's directory; a kill is a power cut (SIGKILL), and the program
 * started again finds its EEPROM file as it was.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { killAbruptly, killProcess } from '../../../test/support/mosquitto.ts';
import { until } from '../../../test/support/until.ts';

/**
 * The EEPROM file's size (mysensors.conf's eeprom_size; MySensors' own default): MySensors keeps
 * 413 bytes, saveState() 256, MySeal 347 after those.
 */
const EEPROM_BYTES = 1024;
/** Start-up on a busy two-core machine: generous, and only ever waited for by polling. */
const START_TIMEOUT_MS = 60_000;
/** MySensors says this once its start-up (transport, registration, presentation) is over. */
const STARTED = 'MCO:BGN:INIT OK';

export interface LinuxProcess {
  /** The pin shim's lines, of every run, in order. */
  readonly pins: string[];
  /** MySensors' log lines (colour codes removed), of every run, in order. */
  readonly log: string[];
  /** Starts it; resolves once MySensors has started. */
  start(): Promise<void>;
  /** SIGKILL, a power cut: nothing of the program says goodbye. */
  kill(): Promise<void>;
  /** Ends it (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

/** The program's configuration: its own EEPROM file, debug log on stderr, nothing else. */
export function writeMySensorsConfig(path: string, eepromFile: string): void {
  writeFileSync(path, ['verbose=debug', 'log_file=0', 'log_pipe=0', 'syslog=0', `eeprom_file=${eepromFile}`, `eeprom_size=${EEPROM_BYTES}`, ''].join('\n'));
}

export function linuxProcess(name: string, binary: string, configFile: string): LinuxProcess {
  const pins: string[] = [];
  const log: string[] = [];
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const startedBefore = log.filter((l) => l.includes(STARTED)).length;
    // --config-file=FILE: MySensors 2.3.2's `-c FILE` crashes (its getopt string lacks the colon).
    const proc = spawn(binary, [`--config-file=${configFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => pins.push(line));
    // eslint-disable-next-line no-control-regex
    createInterface({ input: proc.stderr! }).on('line', (line) => log.push(line.replace(/\x1b\[[0-9;]*m/g, '')));
    const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
    const started = (): boolean => log.filter((l) => l.includes(STARTED)).length > startedBefore;
    try {
      await until(() => started() || exited(), `${name} to start`, START_TIMEOUT_MS);
    } catch (e) {
      await killProcess(proc);
      throw new Error(`${(e as Error).message}:\n${log.slice(-30).join('\n')}`);
    }
    if (exited()) throw new Error(`${name} exited at start-up:\n${log.slice(-30).join('\n')}`);
    // A gateway whose port was taken meanwhile says so and runs on without listening.
    if (log.some((l) => l.includes('Failed to bind'))) throw new Error(`${name} could not listen:\n${log.slice(-30).join('\n')}`);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc) await killAbruptly(proc);
  };

  return {
    pins,
    log,
    start,
    kill,
    async stop() {
      const proc = child;
      child = null;
      if (proc) await killProcess(proc);
    },
  };
}
