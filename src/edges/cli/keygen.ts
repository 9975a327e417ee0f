/**
 * `myseal keygen --node N`: a new random key for a node, stored for the controller and written as an
 * Arduino header for the node's sketch. The key itself is never printed: it goes to the 0600 store
 * and the 0600 header only, so it cannot end up in a terminal's scrollback or a CI log.
 */
import { join } from 'node:path';
import { lstatSync } from 'node:fs';
import { ErrorCode, MySealError, isMySealError } from '../../core/errors.ts';
import { defaultHeaderName, writeArduinoHeader } from '../../store/arduino-header.ts';
import { DEFAULT_LOCK_CHILD } from '../../core/protocol/constants.ts';
import { MAX_NODE_ID, MIN_NODE_ID, NODE_ID_RANGE } from '../../core/protocol/node-id.ts';
import { FileKeyStore, KEY_STORE_FILE } from '../../store/key-store.ts';
import { provisionNodeKey } from '../../store/provision.ts';
import { acquireStateLock } from '../../store/state-lock.ts';
import { ensurePrivateDir, ensureStateDir, resolveStateDir } from '../../store/state-dir.ts';
import { reportFailure } from './command-failure.ts';
import { ExitCode } from './exit-code.ts';
import { HELP } from './help/keygen.ts';
import { parseCommandArgs, usageError } from './parse-args.ts';

export interface KeygenIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: KeygenIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

interface KeygenArgs {
  help: boolean;
  node: number;
  stateDir: string | undefined;
  header: string | undefined;
  force: boolean;
  lockChild: number;
}

/** Exit status: COMMAND_EXITS.keygen (a failure is storage, permissions or an existing key). */
export async function run(argv: string[], io: KeygenIo = defaultIo): Promise<number> {
  try {
    const args = parseKeygenArgs(argv);
    if (args.help) {
      io.stdout(HELP);
      return ExitCode.OK;
    }
    io.stdout(keygen(args, io.env));
    return ExitCode.OK;
  } catch (e) {
    return reportFailure('keygen', e, io.stderr);
  }
}

export function parseKeygenArgs(argv: string[]): KeygenArgs {
  const { values } = parseCommandArgs('keygen', {
    args: argv,
    options: {
      node: { type: 'string' },
      'lock-child': { type: 'string' },
      'state-dir': { type: 'string' },
      header: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  const help = values.help === true;
  if (help) return { help, node: 0, stateDir: undefined, header: undefined, force: false, lockChild: DEFAULT_LOCK_CHILD };
  if (values.node === undefined) throw usage('--node N is required');
  if (values['state-dir'] === '') throw usage('--state-dir needs a directory');
  if (values.header === '') throw usage('--header needs a path');
  return {
    help,
    node: parseNodeId(values.node),
    stateDir: values['state-dir'],
    header: values.header,
    force: values.force === true,
    lockChild: values['lock-child'] === undefined ? DEFAULT_LOCK_CHILD : parseLockChild(values['lock-child']),
  };
}

function parseNodeId(text: string): number {
  // Only echo the value when it is a short number: the message must not carry arbitrary text.
  if (!/^[0-9]{1,6}$/.test(text)) throw usage(`--node must be a number ${NODE_ID_RANGE}`);
  const node = Number(text);
  if (node === 255) throw usage(`--node 255 is the broadcast address; nodes are ${NODE_ID_RANGE}`);
  if (node < MIN_NODE_ID || node > MAX_NODE_ID) throw usage(`--node ${node} is out of range; nodes are ${NODE_ID_RANGE}`);
  return node;
}

function parseLockChild(text: string): number {
  // Child 255 is the node itself, never a lock.
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 254) throw usage('--lock-child must be a number 0-254');
  return Number(text);
}

/** Does the work and returns what to print. */
function keygen(args: KeygenArgs, env: NodeJS.ProcessEnv): string {
  const stateDir = ensureStateDir(resolveStateDir(args.stateDir, env));
  // A daemon running on this state dir holds the node's counters and the key table in memory and
  // writes them back: a key and counters changed under it could be overwritten with the old ones.
  // So keygen refuses (STATE_LOCKED, naming the process) while one runs.
  const lock = acquireStateLock(stateDir, 'myseal keygen');
  try {
    return keygenLocked(args, stateDir);
  } finally {
    lock.release();
  }
}

function keygenLocked(args: KeygenArgs, stateDir: string): string {
  const keys = FileKeyStore.open(stateDir);
  const headerDir = join(stateDir, 'arduino');
  const header = args.header ?? join(headerDir, defaultHeaderName(args.node));

  // Refuse before changing anything, so a refused run leaves the store as it was.
  if (!args.force) {
    if (keys.get(args.node) !== undefined) {
      throw new MySealError(
        ErrorCode.KEY_EXISTS,
        `node ${args.node} already has a key. A new key strands a node flashed with the old one; ` +
          `use --force to replace it, then reflash the node`,
        { node: args.node },
      );
    }
    if (pathExists(header)) {
      throw new MySealError(ErrorCode.FILE_EXISTS, `${header} already exists; use --force to overwrite it`, {
        file: header,
      });
    }
  }

  if (args.header === undefined) ensurePrivateDir(headerDir);
  const key = provisionNodeKey(stateDir, args.node, { force: args.force });
  try {
    writeArduinoHeader(header, args.node, key, { force: args.force, lockChild: args.lockChild });
  } catch (e) {
    if (!isMySealError(e)) throw e;
    throw new MySealError(
      e.code,
      `the new key for node ${args.node} is stored but its header was not written (${e.message}); ` +
        `run again with --force`,
      e.detail,
    );
  } finally {
    key.fill(0);
  }
  return (
    `myseal keygen: new key for node ${args.node} stored in ${join(stateDir, KEY_STORE_FILE)}\n` +
    `Arduino header written to ${header} (mode 0600).\n` +
    `Include it in node ${args.node}'s sketch and flash the node. The header is a secret: ` +
    `do not commit it to version control or share it.\n` +
    (args.lockChild === DEFAULT_LOCK_CHILD
      ? ''
      : `The lock is on child ${args.lockChild}: configure nodes.${args.node}.children.${args.lockChild} with ` +
        `kind: lock, so that the daemon sends lock commands there.\n`)
  );
}

/** lstat, not exists: a dangling symlink is an existing name too (and link(2) would refuse it). */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function usage(message: string): MySealError {
  return usageError('keygen', message);
}
