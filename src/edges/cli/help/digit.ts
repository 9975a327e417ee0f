/** `myseal digit --help`: apart from the command, so that the help loads nothing the command needs. */
import { DIGIT_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal digit D --node N [--config FILE] [--http HOST:PORT] [--state-dir DIR]

Hands one key press to the running daemon's PIN entry for node N, and returns at once: a digit 0-9,
the submit key (sends the digits so far; # unless the daemon's pinEntry.submitKey says otherwise)
or the clear key (* unless pinEntry.clearKey says otherwise). Reads the daemon's address, token file
and (for HTTPS) certificate from the same configuration as myseal serve. A key the daemon does not
take is a usage error.

${exitStatusHelp(DIGIT_EXITS)}`;
