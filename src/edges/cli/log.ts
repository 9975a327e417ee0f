/**
 * `myseal log`: prints the audit log, oldest first, one readable line per entry or the raw JSON
 * lines; --follow keeps printing new entries (across rotations) until interrupted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/config.ts';
import type { MySealError } from '../../core/errors.ts';
import { AuditFollower } from '../../audit/follower.ts';
import { readAuditLog } from '../../audit/reader.ts';
import type { AuditRecord } from '../../audit/schema.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { reportFailure } from './command-failure.ts';
import { ExitCode } from './exit-code.ts';
import { HELP } from './help/log.ts';
import { parseCommandArgs, usageError } from './parse-args.ts';

export interface LogIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Ends --follow; the default one fires on SIGINT. */
  signal?: AbortSignal;
  /** Poll interval for --follow, in ms (500). */
  pollMs?: number;
}

const defaultIo: LogIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

interface LogArgs {
  help: boolean;
  stateDir: string | undefined;
  config: string | undefined;
  node: number | undefined;
  lines: number;
  json: boolean;
  follow: boolean;
}

/** Exit status: COMMAND_EXITS.log (a failure is an unreadable log). */
export async function run(argv: string[], io: LogIo = defaultIo): Promise<number> {
  let args: LogArgs;
  try {
    args = parseLogArgs(argv);
  } catch (e) {
    return reportFailure('log', e, io.stderr);
  }
  if (args.help) {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  try {
    // The same state dir `myseal serve` would use: flag, environment, config file, default.
    const stateDir = loadConfig(args.config, io.env, args.stateDir === undefined ? {} : { stateDir: args.stateDir }).stateDir;
    // Following starts before the history is read: a line written in between is printed twice
    // at worst, never lost.
    const follower = args.follow ? await AuditFollower.start(stateDir, args.node === undefined ? {} : { node: args.node }) : undefined;
    try {
      const read = await readAuditLog(stateDir, {
        ...(args.node === undefined ? {} : { node: args.node }),
        ...(args.lines === 0 ? {} : { limit: args.lines }),
      });
      print(read.entries, args.json, io);
      if (read.corrupt > 0) io.stderr(`myseal log: skipped ${read.corrupt} corrupt line${read.corrupt === 1 ? '' : 's'}\n`);
      if (follower !== undefined) await follow(follower, args.json, io);
    } finally {
      await follower?.close();
    }
    return ExitCode.OK;
  } catch (e) {
    return reportFailure('log', e, io.stderr);
  }
}

async function follow(follower: AuditFollower, json: boolean, io: LogIo): Promise<void> {
  const { signal, dispose } = io.signal === undefined ? sigintSignal() : { signal: io.signal, dispose: () => {} };
  try {
    while (!signal.aborted) {
      try {
        await sleep(io.pollMs ?? 500, undefined, { signal });
      } catch {
        break; // aborted
      }
      const { entries, corrupt } = await follower.poll();
      print(entries, json, io);
      if (corrupt > 0) io.stderr(`myseal log: skipped ${corrupt} corrupt line${corrupt === 1 ? '' : 's'}\n`);
    }
  } finally {
    dispose();
  }
}

/** An AbortSignal for Ctrl-C, and the way to stop listening for it. */
function sigintSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function print(entries: AuditRecord[], json: boolean, io: LogIo): void {
  if (entries.length === 0) return;
  io.stdout(entries.map((e) => `${json ? JSON.stringify(e) : formatEntry(e)}\n`).join(''));
}

/**
 * `2025-01-02T03:04:05.678Z  node 5/1    unlock      http          unlocked   attempts=2`.
 * Control characters are replaced: the file is ours, but a result or detail string may have come
 * from the network, and a terminal escape sequence in it must not reach the terminal.
 */
export function formatEntry(e: AuditRecord): string {
  const where = e.node === undefined ? '-' : e.child === undefined ? `node ${e.node}` : `node ${e.node}/${e.child}`;
  const detail =
    e.detail === undefined
      ? ''
      : Object.entries(e.detail)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
  const cols = [e.ts.padEnd(24), where.padEnd(12), e.event.padEnd(11), e.source.padEnd(14), e.result];
  return clean(`${cols.join(' ')}${detail === '' ? '' : `  ${detail}`}`);
}

function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

export function parseLogArgs(argv: string[]): LogArgs {
  const { values } = parseCommandArgs('log', {
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      config: { type: 'string' },
      node: { type: 'string' },
      lines: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values['state-dir'] === '') throw usage('--state-dir needs a directory');
  if (values.config === '') throw usage('--config needs a path');
  let node: number | undefined;
  if (values.node !== undefined) {
    const parsed = parseNodeId(values.node);
    if (parsed === null) throw usage(`--node must be a number ${NODE_ID_RANGE}`);
    node = parsed;
  }
  let lines = 50;
  if (values.lines !== undefined) {
    if (!/^[0-9]{1,7}$/.test(values.lines)) throw usage('--lines must be a number (0 for all)');
    lines = Number(values.lines);
  }
  return {
    help: values.help === true,
    stateDir: values['state-dir'],
    config: values.config,
    node,
    lines,
    json: values.json === true,
    follow: values.follow === true,
  };
}

function usage(message: string): MySealError {
  return usageError('log', message);
}
