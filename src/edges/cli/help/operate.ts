/** `myseal unlock|lock|status|set-pin|rotate-key --help`: apart from the command, so that the help loads nothing the command needs. */
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { OPERATION_EXITS, exitStatusHelp } from '../exit-code.ts';
import type { OperationName } from '../exit-code.ts';

export type { OperationName };

/** How many PINs each operation asks for. */
export const NEEDS_PIN: Record<OperationName, number> = { unlock: 1, lock: 0, status: 0, 'set-pin': 2, 'rotate-key': 0 };

/** Forces the "waiting for node N..." line on (1) or off (0) whatever stderr is; by default only a terminal gets it. */
export const PROGRESS_ENV = 'MYSEAL_PROGRESS';

const WHAT: Record<OperationName, string> = {
  unlock: 'Unlocks the lock on node N with its PIN.',
  lock: 'Locks the lock on node N.',
  status: "Asks node N for its lock's state, attempts left and lockout.",
  'set-pin': "Changes the PIN of node N's lock (asks for the old PIN, then the new one).",
  'rotate-key': `Gives node N a new key (docs/keys.md, "Rotating a node's key"): derived on both ends from the
current key and a random seed sent sealed, so no key crosses the radio; the old key stops working
once the node answers under the new one. No reflash is needed, and reflashing the sketch with its old
key header later does not bring the old key back (erasing the node's EEPROM would: see docs/keys.md).
"sent; not confirmed" (exit 12): the node's answer did not come; both keys are kept until the next
exchange with the node shows which one it holds.`,
};

/** The options of an operation, in the order its usage line and option list show them. */
function options(name: OperationName): [flag: string, text: string][] {
  return [
    ['--node N', `the node id (${NODE_ID_RANGE}, required)`],
    ['--json', 'print the outcome as JSON'],
    ['--config FILE', 'the config file (default: the one serve uses)'],
    ['--state-dir DIR', 'the state directory, when no daemon runs'],
    ['--gateway URL', 'the gateway, when no daemon runs'],
    ['--http HOST:PORT', "the daemon's HTTP API"],
    ...(NEEDS_PIN[name] > 0 ? ([['--pin PIN', 'the PIN (prints a warning: other users see command lines)']] as [string, string][]) : []),
    ...(name === 'unlock' ? ([['--legacy-ecb', 'send the original (replayable) format']] as [string, string][]) : []),
    ['-h, --help', 'show this text'],
  ];
}

export function help(name: OperationName): string {
  const list = options(name);
  const usage = list
    .slice(1, -1)
    .map(([flag]) => `[${flag}]`)
    .join(' ');
  const pin = NEEDS_PIN[name] > 0;
  return `Usage: myseal ${name} --node N ${usage}

${WHAT[name]}
Goes through a running daemon (its HTTP API) when one answers; else the daemon's own service runs
in this process for this one operation (same rules, PIN rate limit included), straight to the gateway.
${
  pin
    ? `The PIN is read from a prompt, from stdin (one per line), or from $MYSEAL_PIN${name === 'set-pin' ? ' and $MYSEAL_NEW_PIN' : ''};
it is asked for only once a daemon answers, or, with none, a gateway is configured.
`
    : ''
}${
  name === 'unlock'
    ? `--legacy-ecb sends the original (replayable) format, for nodes not migrated yet; through a running
daemon only for a node its configuration puts in legacy mode (legacyEcb: true). Every legacy send
prints a warning.
`
    : ''
}On a terminal, "waiting for node N..." shows on stderr while the node is asked ($${PROGRESS_ENV}=1
shows it anywhere, 0 never).

Options:
${list.map(([flag, text]) => `  ${flag.padEnd(18)} ${text}`).join('\n')}

${exitStatusHelp(OPERATION_EXITS[name])}`;
}
