/** `myseal demo --help`: apart from the command, so that the help loads nothing the command needs. */
import { COMMAND_EXITS, ExitCode, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal demo [--json] [--keep] [--in-process] [--verbose]

Runs the whole chain on this machine, with no hardware: a simulated MySensors 2.3.2 gateway on
loopback with a sealed lock, a plain sensor and a lock still on the original sketch behind it, and
the MySeal daemon in front (proxy port, HTTP API, web page). It walks through a correct PIN, a
wrong PIN, a lockout, a replayed frame, a tampered frame, a jammed frame played a minute later, a
controller's plain unlock, and then shows the original ECB format being replayed successfully.

  --json         print {"steps":[{"name","expected","actual","pass"}, ...]} instead of a table
  --keep         leave everything running and print the web page's URL and the demo locks' PINs
                 (made-up demo values), so the keypad can be tried (Ctrl-C ends it)
  --in-process   the protocol alone: a controller and a node object, no sockets
  --verbose      show the daemon's log
  -h, --help     show this text

A step that does not pass is a failure (${ExitCode.FAILURE}), even if every other step does.

${exitStatusHelp(COMMAND_EXITS.demo)}`;
