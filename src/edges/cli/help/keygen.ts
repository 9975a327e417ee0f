/** `myseal keygen --help`: apart from the command, so that the help loads nothing the command needs. */
import { DEFAULT_LOCK_CHILD } from '../../../core/protocol/constants.ts';
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { STATE_DIR_ENV } from '../../../store/state-dir.ts';
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal keygen --node N [--lock-child C] [--state-dir DIR] [--header PATH] [--force]

Generates a new random AES-128 key for MySensors node N (${NODE_ID_RANGE}; 0 is a lock or relay in the
gateway's own sketch, 255 the broadcast address), stores it in the controller's key store, starts
the node's counters afresh and writes an Arduino header (mode 0600) to include in the node's sketch.
The key is never printed.

Options:
  --node N          the node id (required)
  --lock-child C    the lock's child id, written into the header as MYSEAL_LOCK_CHILD
                    (default ${DEFAULT_LOCK_CHILD}). The daemon sends lock commands to the child
                    configured \`kind: lock\` (else ${DEFAULT_LOCK_CHILD}): configure the same one.
  --state-dir DIR   where keys and counters live (default: $${STATE_DIR_ENV},
                    else $XDG_STATE_HOME/myseal, else ~/.local/state/myseal)
  --header PATH     where to write the header (default: DIR/arduino/myseal_node_N.h)
  --force           replace the node's existing key and header. The node must then be
                    reflashed: it cannot talk to the controller with its old key.
  -h, --help        show this text

Stop a running myseal serve on the same state dir first (keygen refuses while it runs):
the daemon keeps keys and counters in memory and would write the old ones back.

The header is a secret: anyone who has it can open the lock. Do not commit it to version control.

${exitStatusHelp(COMMAND_EXITS.keygen)}
`;
