/** `myseal legacy --help`: apart from the command, so that the help loads nothing the command needs. */
import { LEGACY_KEY_ENV } from '../../../store/legacy-key-file.ts';
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { STATE_DIR_ENV } from '../../../store/state-dir.ts';
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal legacy set-key --node N [--state-dir DIR] [--config PATH] [--force]
       myseal legacy remove-key --node N [--state-dir DIR] [--config PATH]

For nodes that still run the original AES-ECB sketch while they are moved to MySeal
(docs/migrating.md). Their PIN lines can be recorded and replayed by anyone: use this only
for the time a migration takes.

  set-key      reads the node's 16-character legacy key from stdin (typed without echo on a
               terminal, or piped) and stores it in DIR/legacy/node-N.key, mode 0600.
               Never pass the key as an argument: arguments are visible to every user.
  remove-key   deletes DIR/legacy/node-N.key, once the node runs MySeal.

Options:
  --node N          the node id (${NODE_ID_RANGE}, required)
  --state-dir DIR   the state directory (default: $${STATE_DIR_ENV}, else the config file's
                    stateDir, else $XDG_STATE_HOME/myseal, else ~/.local/state/myseal)
  --config PATH     the config file to take stateDir from
  --force           set-key: replace the node's existing legacy key
  -h, --help        show this text

Without a key file, the daemon uses $${LEGACY_KEY_ENV} for every legacy node.

${exitStatusHelp(COMMAND_EXITS.legacy)}
`;
