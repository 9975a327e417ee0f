/** `myseal serve --help`: apart from the command, so that the help loads nothing the command needs. */
import { COMMAND_EXITS, ExitCode, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal serve [--config FILE] [--gateway URL] [--listen HOST:PORT] [--http HOST:PORT]
                    [--state-dir DIR] [--http-token-file FILE] [--http-tls-cert FILE --http-tls-key FILE]
                    [--log-level LEVEL] [--mqtt-credentials-file FILE] [--mqtt-ca-file FILE]

Runs the MySeal daemon in front of a MySensors gateway, until SIGINT or SIGTERM.

Options:
  --gateway URL          tcp://HOST:PORT | serial:///dev/PATH?baud=115200 | mqtt[s]://HOST:PORT?in=..&out=..
  --listen HOST:PORT     the gateway-compatible port for controllers (default 127.0.0.1:5003)
  --http HOST:PORT       the HTTP API (default 127.0.0.1:7325; another address needs a token file)
  --state-dir DIR        where keys, counters and the audit log live
  --http-token-file FILE a 0600 file holding the API token
  --http-tls-cert FILE   serve the HTTP API and web page over HTTPS with this certificate (PEM) ...
  --http-tls-key FILE    ... and its private key (PEM, a 0600 file); both or neither
  --log-level LEVEL      trace, debug, info, warn or error
  --mqtt-credentials-file FILE
                         a 0600 file with the MQTT gateway broker's user name and password (two lines)
  --mqtt-ca-file FILE    CA certificates (PEM) for an mqtts:// gateway broker
  --config FILE          a YAML file with all of these and per-node settings (docs/config.example.yaml)
  -h, --help             show this text

Flags beat environment variables (MYSEAL_GATEWAY, MYSEAL_LISTEN, MYSEAL_HTTP, MYSEAL_STATE_DIR,
MYSEAL_HTTP_TOKEN_FILE, MYSEAL_HTTP_TLS_CERT, MYSEAL_HTTP_TLS_KEY, MYSEAL_LOG_LEVEL,
MYSEAL_MQTT_CREDENTIALS_FILE, MYSEAL_MQTT_CA_FILE), which beat the file.

A gateway that does not answer is retried, with the wait logged. A configuration serve cannot use
(a bad or unreadable file, a port another program holds) ends it with ${ExitCode.BAD_CONFIG}: retrying would not
help, so a service manager should not restart it (RestartPreventExitStatus=${ExitCode.BAD_CONFIG}).

${exitStatusHelp(COMMAND_EXITS.serve)}`;
