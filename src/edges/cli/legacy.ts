/**
 * `myseal legacy set-key --node N`: stores the original system's 16-character key for a node that
 * still runs the original sketch, so `myseal serve` can keep it working (`legacyEcb: true`) while it
 * is migrated. The key is read from stdin, never from the command line (where the original script
 * took it, visible to every user in the process list), and without echo on a terminal.
 *
 * `myseal legacy remove-key --node N` deletes it once the node runs MySeal.
 */
import { readSecretFromStdin } from './secret-input.ts';
import { loadConfig } from '../../config/config.ts';
import type { MySealError } from '../../core/errors.ts';
import { checkLegacyKey, LEGACY_KEY_LENGTH } from '../../core/legacy/ecb.ts';
import { removeLegacyKey, writeLegacyKey } from '../../store/legacy-key-file.ts';
import { LEGACY_REPLAY_WARNING } from '../../core/legacy/replay-warning.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { reportFailure } from './command-failure.ts';
import { ExitCode } from './exit-code.ts';
import { HELP } from './help/legacy.ts';
import { parseCommandArgs, usageError } from './parse-args.ts';

export interface LegacyIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Reads one secret line: without echo from a terminal, else the first line of stdin. */
  readSecret: (prompt: string) => Promise<string>;
}

const defaultIo: LegacyIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readSecret: readSecretFromStdin,
};

interface LegacyArgs {
  help: boolean;
  action: 'set-key' | 'remove-key';
  node: number;
  stateDir: string | undefined;
  config: string | undefined;
  force: boolean;
}

/** Exit status: COMMAND_EXITS.legacy (a failure is a bad key, an existing key or storage). */
export async function run(argv: string[], io: LegacyIo = defaultIo): Promise<number> {
  try {
    const args = parseLegacyArgs(argv);
    if (args.help) {
      io.stdout(HELP);
      return ExitCode.OK;
    }
    const stateDir = loadConfig(args.config, io.env, args.stateDir === undefined ? {} : { stateDir: args.stateDir }).stateDir;
    if (args.action === 'remove-key') {
      const removed = removeLegacyKey(stateDir, args.node);
      io.stdout(
        removed
          ? `myseal legacy: node ${args.node}'s legacy key removed. Set legacyEcb: false for it in the config.\n`
          : `myseal legacy: node ${args.node} had no legacy key file.\n`,
      );
      return ExitCode.OK;
    }
    io.stderr(`myseal legacy: warning: ${LEGACY_REPLAY_WARNING}\n`);
    const key = await io.readSecret(`Legacy key for node ${args.node} (${LEGACY_KEY_LENGTH} characters, not shown): `);
    checkLegacyKey(key).fill(0);
    const path = writeLegacyKey(stateDir, args.node, key, { force: args.force });
    io.stdout(
      `myseal legacy: legacy key for node ${args.node} stored in ${path} (mode 0600).\n` +
        `Set legacyEcb: true for node ${args.node} in the config for as long as it runs the original sketch.\n`,
    );
    return ExitCode.OK;
  } catch (e) {
    return reportFailure('legacy', e, io.stderr);
  }
}

export function parseLegacyArgs(argv: string[]): LegacyArgs {
  const { values, positionals } = parseCommandArgs('legacy', {
    args: argv,
    options: {
      node: { type: 'string' },
      'state-dir': { type: 'string' },
      config: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const base = { stateDir: values['state-dir'], config: values.config, force: values.force === true };
  if (values.help === true) return { help: true, action: 'set-key', node: 0, ...base };
  const [action, ...extra] = positionals;
  // Only known words are echoed: a stray positional may well be a key typed where it must not be.
  if (action !== 'set-key' && action !== 'remove-key') throw usage('expected set-key or remove-key');
  if (extra.length > 0) {
    throw usage(`${action} takes options only; the key is read from stdin, never from the command line`);
  }
  if (values.node === undefined) throw usage('--node N is required');
  const node = parseNodeId(values.node);
  if (node === null) throw usage(`--node must be a number ${NODE_ID_RANGE}`);
  if (values['state-dir'] === '') throw usage('--state-dir needs a directory');
  if (values.force === true && action === 'remove-key') throw usage('--force is for set-key');
  return { help: false, action, node, ...base };
}

function usage(message: string): MySealError {
  return usageError('legacy', message);
}
