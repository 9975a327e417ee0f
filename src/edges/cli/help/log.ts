/** `myseal log --help`: apart from the command, so that the help loads nothing the command needs. */
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { STATE_DIR_ENV } from '../../../store/state-dir.ts';
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal log [--state-dir DIR] [--config PATH] [--node N] [--lines N] [--json] [--follow]

Prints MySeal's audit log (<state dir>/audit.log and its rotated files): who asked for what on which
node, and what came of it. Never a PIN, a digit or a key: the log does not hold them.

Options:
  --state-dir DIR   the state directory (default: $${STATE_DIR_ENV}, else the config file's
                    stateDir, else $XDG_STATE_HOME/myseal, else ~/.local/state/myseal)
  --config PATH     the config file to take stateDir from (default: ~/.config/myseal/config.yaml
                    if it exists)
  --node N          only entries about node N (${NODE_ID_RANGE})
  --lines N         how many of the last entries to print (default 50; 0 for all)
  --json            print the raw JSON lines instead of a table
  --follow, -f      keep printing new entries as they are written, until Ctrl-C
  -h, --help        show this text

${exitStatusHelp(COMMAND_EXITS.log)}
`;
