/** `myseal unlock|lock|status|set-pin --help`: apart from the command, so that the help loads nothing the command needs. */

export type OperationName = 'unlock' | 'lock' | 'status' | 'set-pin';

/** How many PINs each operation asks for. */
export const NEEDS_PIN: Record<OperationName, number> = { unlock: 1, lock: 0, status: 0, 'set-pin': 2 };

export function help(name: OperationName): string {
  const pin = NEEDS_PIN[name] > 0;
  return `Usage: myseal ${name} --node N [--json] [--config FILE] [--state-dir DIR] [--gateway URL] [--http HOST:PORT]${
    pin ? ' [--pin PIN]' : ''
  }${name === 'unlock' ? ' [--legacy-ecb]' : ''}

${
  {
    unlock: 'Unlocks the lock on node N with its PIN.',
    lock: 'Locks the lock on node N.',
    status: "Asks node N for its lock's state, attempts left and lockout.",
    'set-pin': "Changes the PIN of node N's lock (asks for the old PIN, then the new one).",
  }[name]
}
Goes through a running daemon (its HTTP API) when one answers; else the daemon's own service runs
in this process for this one operation (same rules, PIN rate limit included), straight to the gateway.
${
  pin
    ? `The PIN is read from a prompt, from stdin (one per line), or from $MYSEAL_PIN${name === 'set-pin' ? ' and $MYSEAL_NEW_PIN' : ''};
--pin works but prints a warning: other users can see command lines.
`
    : ''
}${
  name === 'unlock'
    ? `--legacy-ecb sends the original (replayable) format, for nodes not migrated yet; through a running
daemon only for a node its configuration puts in legacy mode (legacyEcb: true). Every legacy send
prints a warning.
`
    : ''
}
  --json   print the outcome as JSON
Exit status: 0 done, 10 wrong PIN, 11 locked out, 12 timeout, 13 gateway or daemon unreachable,
14 bad configuration, 15 refused by the lock, 16 rate limited, 2 usage.`;
}
