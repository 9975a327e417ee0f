/**
 * How a command that never asks a node (keygen, log, legacy) says why it stopped, and with which
 * exit code: a usage error the way every command says one (`myseal log: unknown option --x (see
 * myseal log --help)`, exit 2), a configuration it cannot use as BAD_CONFIG, anything else as a
 * failure. One place, so those commands cannot drift apart in wording or codes.
 */
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import { COMMAND_EXITS, ExitCode } from './exit-code.ts';
import type { CommandName, ExitName } from './exit-code.ts';
import { usageLine } from './parse-args.ts';

/** Writes the command's error line and returns its exit code, one of COMMAND_EXITS[command]. */
export function reportFailure(command: CommandName, e: unknown, stderr: (text: string) => void): number {
  if (isMySealError(e, ErrorCode.USAGE)) {
    stderr(usageLine(command, e));
    return ExitCode.USAGE;
  }
  // A MySealError's message never carries a secret, and its code's name (KEY_EXISTS: ...) is kept
  // in front for scripts that match it. Anything else may have been built from what was typed or
  // read (legacy reads a key): only its class and system error code are said.
  stderr(`myseal ${command}: ${isMySealError(e) ? e.message : `unexpected error: ${unexpectedName(e)}`}\n`);
  const badConfig = isMySealError(e) && (e.code === ErrorCode.BAD_CONFIG || e.code === ErrorCode.CONFIG_UNREADABLE);
  // A code the command's help does not list is not returned: it is a failure like any other.
  const exits: readonly ExitName[] = COMMAND_EXITS[command];
  return ExitCode[badConfig && exits.includes('BAD_CONFIG') ? 'BAD_CONFIG' : 'FAILURE'];
}

function unexpectedName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? `${e.name} (${code})` : e.name;
}
