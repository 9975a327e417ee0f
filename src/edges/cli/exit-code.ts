/**
 * Exit codes of the one-shot CLI, distinct per outcome so scripts can branch on them. A module of
 * its own so that a command needing only these (`myseal digit`) does not load the protocol.
 *
 * One table says what each code means and which operation can end with it: the commands' help is
 * written from it and an operation's outcome is mapped through it, so the help cannot list a code
 * the command never returns, nor miss one it does.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  WRONG_PIN: 10,
  LOCKED_OUT: 11,
  TIMEOUT: 12,
  GATEWAY_UNREACHABLE: 13,
  BAD_CONFIG: 14,
  REFUSED: 15,
  RATE_LIMITED: 16,
  TOKEN_REFUSED: 17,
} as const;

export type ExitName = keyof typeof ExitCode;

/** What each code means, as the help says it. */
const MEANING: Readonly<Record<ExitName, string>> = {
  OK: 'done',
  FAILURE: 'any other failure',
  USAGE: 'usage (a flag, the node id or the PIN form)',
  WRONG_PIN: 'wrong PIN',
  LOCKED_OUT: 'locked out',
  TIMEOUT: 'no answer from the node',
  GATEWAY_UNREACHABLE: 'gateway or daemon unreachable',
  BAD_CONFIG: 'bad configuration, or the node is not a sealed lock here',
  REFUSED: 'refused by the lock or by policy',
  RATE_LIMITED: 'too many PIN tries',
  TOKEN_REFUSED: 'the daemon refused the API token',
};

export type OperationName = 'unlock' | 'lock' | 'status' | 'set-pin' | 'rotate-key';

/** Every operation can end with these: the ways to the node, not what the node answers. */
const ANY_OPERATION: readonly ExitName[] = ['OK', 'FAILURE', 'USAGE', 'TIMEOUT', 'GATEWAY_UNREACHABLE', 'BAD_CONFIG', 'REFUSED', 'TOKEN_REFUSED'];
/** A PIN is counted, rate limited and can lock the keypad out. */
const WITH_PIN: readonly ExitName[] = ['WRONG_PIN', 'LOCKED_OUT', 'RATE_LIMITED'];

/** The codes each operation can return: the one list its help shows and its outcome is mapped through. */
export const OPERATION_EXITS: Readonly<Record<OperationName, readonly ExitName[]>> = {
  unlock: [...ANY_OPERATION, ...WITH_PIN],
  'set-pin': [...ANY_OPERATION, ...WITH_PIN],
  lock: ANY_OPERATION,
  status: ANY_OPERATION,
  'rotate-key': ANY_OPERATION,
};

/** `myseal digit` hands a key over and returns: it never waits for the node's answer. */
export const DIGIT_EXITS: readonly ExitName[] = ['OK', 'USAGE', 'GATEWAY_UNREACHABLE', 'BAD_CONFIG', 'TOKEN_REFUSED'];

/**
 * The commands that never ask a node (login-link asks the daemon only). A configuration they cannot use is BAD_CONFIG, so that a
 * service manager can tell it from a crash and not restart into it (docs/systemd/myseal.service);
 * `serve` counts a port another program holds as one too: it does not go away by retrying.
 */
export const COMMAND_EXITS = {
  serve: ['OK', 'FAILURE', 'USAGE', 'BAD_CONFIG'],
  node: ['OK', 'FAILURE', 'USAGE'],
  keygen: ['OK', 'FAILURE', 'USAGE'],
  log: ['OK', 'FAILURE', 'USAGE', 'BAD_CONFIG'],
  legacy: ['OK', 'FAILURE', 'USAGE', 'BAD_CONFIG'],
  demo: ['OK', 'FAILURE', 'USAGE'],
  'login-link': ['OK', 'FAILURE', 'USAGE', 'GATEWAY_UNREACHABLE', 'BAD_CONFIG', 'TOKEN_REFUSED'],
} as const satisfies Record<string, readonly ExitName[]>;

export type CommandName = keyof typeof COMMAND_EXITS;

/** The exit code of an outcome that did not succeed, by its result word (service/lock/outcome.ts). */
const EXIT_BY_RESULT: Readonly<Record<string, ExitName>> = {
  wrong_pin: 'WRONG_PIN',
  locked_out: 'LOCKED_OUT',
  timeout: 'TIMEOUT',
  // A key rotation sent and not confirmed: no answer from the node, the next exchange settles it.
  unconfirmed: 'TIMEOUT',
  gateway_down: 'GATEWAY_UNREACHABLE',
  rate_limited: 'RATE_LIMITED',
  refused: 'REFUSED',
  refused_by_policy: 'REFUSED',
  unknown_node: 'BAD_CONFIG',
  bad_pin: 'USAGE',
};

/** The exit code for an operation's outcome, whether the service ran here or in a daemon. */
export function exitCodeFor(outcome: { ok: boolean; result: string }): number {
  return ExitCode[exitNameFor(outcome)];
}

function exitNameFor(outcome: { ok: boolean; result: string }): ExitName {
  return outcome.ok ? 'OK' : (EXIT_BY_RESULT[outcome.result] ?? 'FAILURE');
}

/**
 * The exit code for operation `name`: a code outside its list (an answer the node should never give
 * to that command) is reported as a failure rather than as something the help does not mention.
 */
export function operationExit(name: OperationName, exit: ExitName | { ok: boolean; result: string }): number {
  const wanted = typeof exit === 'string' ? exit : exitNameFor(exit);
  return ExitCode[OPERATION_EXITS[name].includes(wanted) ? wanted : 'FAILURE'];
}

/** "Exit status: 0 done, 2 usage, ..." for a command's help, wrapped to `width`, codes in order. */
export function exitStatusHelp(names: readonly ExitName[], width = 100): string {
  const items = [...new Set(names)].sort((a, b) => ExitCode[a] - ExitCode[b]).map((n) => `${ExitCode[n]} ${MEANING[n]}`);
  const lines: string[] = [];
  let line = 'Exit status:';
  for (const [i, item] of items.entries()) {
    const piece = ` ${item}${i < items.length - 1 ? ',' : '.'}`;
    if (line.length + piece.length > width) {
      lines.push(line);
      line = ` ${piece}`;
    } else line += piece;
  }
  lines.push(line);
  return lines.join('\n');
}
