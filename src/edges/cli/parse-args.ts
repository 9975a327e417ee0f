/**
 * Every command's options, read the one way: node:util parseArgs, with its errors turned into a
 * USAGE error that names the flag and the command's help (`unknown option --gatway (see myseal
 * serve --help)`), which each command prints and exits 2 on.
 *
 * The arguments are first read loosely (parseArgs' tokens) to find the first problem and say it in
 * our words: node's own messages quote whatever was typed, and a stray argument or an option's value
 * may be a PIN or a key. Only an option's name is ever echoed, and only when it looks like one.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ErrorCode, MySealError, isMySealError } from '../../core/errors.ts';

export interface CommandArgsConfig {
  args: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
}

/** The USAGE error of command `myseal <command>`, pointing at its help. */
export function usageError(command: string, message: string): MySealError {
  return new MySealError(ErrorCode.USAGE, `${message} (see myseal ${command} --help)`, { command });
}

/** The line a command prints for an error of parseCommandArgs: `myseal serve: unknown option --x (see ...)`. */
export function usageLine(command: string, e: unknown): string {
  return `myseal ${command}: ${isMySealError(e) ? e.reason : 'bad arguments'}\n`;
}

/** parseArgs (strict) for `myseal <command>`; throws usageError for anything it would refuse. */
export function parseCommandArgs<const T extends CommandArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  const problem = firstProblem(command, config);
  if (problem !== undefined) throw usageError(command, problem);
  try {
    return parseArgs(config);
  } catch {
    // Not expected once the tokens passed; still a usage error, and still without echoing anything.
    throw usageError(command, 'bad arguments');
  }
}

/** A flag as typed, when it looks like one: anything else may be a secret typed in the wrong place. */
function shown(rawName: string): string {
  return /^--?[A-Za-z0-9][A-Za-z0-9-]{0,31}$/.test(rawName) ? rawName : 'an option (not shown)';
}

function firstProblem(command: string, config: CommandArgsConfig): string | undefined {
  const { tokens } = parseArgs({ args: config.args, options: config.options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (config.allowPositionals !== true) return `unexpected argument: ${command} takes options only`;
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = config.options[token.name];
    const flag = shown(token.rawName);
    // An unknown short option comes back under its letter, which may also be some long option's name.
    const known = spec !== undefined && (token.rawName.startsWith('--') || token.rawName === `-${spec.short}`);
    if (!known) return `unknown option ${flag}`;
    if (spec.type === 'boolean' && token.value !== undefined) return `${flag} takes no value`;
    if (spec.type === 'string') {
      if (token.value === undefined) return `${flag} needs a value`;
      // parseArgs refuses `--node -1` as ambiguous: the value may be a forgotten one followed by a flag.
      if (!token.inlineValue && token.value.startsWith('-')) return `${flag} needs a value (write ${flag}=VALUE for one that starts with -)`;
    }
  }
  return undefined;
}
