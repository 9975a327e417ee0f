/** `myseal login-link --help`: apart from the command, so that the help loads nothing the command needs. */
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal login-link [--host NAME] [--config FILE] [--http HOST:PORT] [--state-dir DIR]

Asks the running daemon for a one-time link to its web page, and prints it: opened on a phone (or
any browser) within 10 minutes, it signs that browser in once, as the API token typed at the login
would, and is dead afterwards. Made with the token from http.tokenFile, so only who can read that
file can make one; without a token the page needs no login and there is nothing to make.

The code is in the link's fragment (after #), which browsers never send to a server or in a Referer:
it shows up in no log. Anyone who has the link before it is used can sign in with it: send it to
yourself only. A daemon restart kills every link not yet opened.

Options:
  --host NAME       the name or address the phone reaches the daemon at (default: http.listen's
                    host, or this machine's first network address when it listens on all of them)
  --config FILE     the configuration to read http.listen, http.tokenFile and http.tls from
  --http HOST:PORT  the daemon's address, over the configuration's
  --state-dir DIR   the state directory, over the configuration's
  -h, --help        show this text

${exitStatusHelp(COMMAND_EXITS['login-link'])}
`;
