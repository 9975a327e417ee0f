/** `myseal node --help`: apart from the command, so that the help loads nothing the command needs. */
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal node --node N --gateway URL [--state-dir DIR] [--config FILE] [--key-header FILE]
                   [--lock-child C]

Runs a virtual sealed lock as node N, presented the way a MySensors gateway with that node behind it
would present it:
  tcp://HOST:PORT      listen there as an Ethernet gateway (then: myseal serve --gateway tcp://HOST:PORT)
  serial:///dev/PATH   serve a serial gateway on that device
  mqtt://HOST:PORT     join the broker as the node behind an MQTT gateway (?in=..&out=.. prefixes)

The node's key: the controller's key store in --state-dir (after myseal keygen --node N), or the
Arduino header keygen wrote (--key-header). Its EEPROM image is kept in DIR/nodes/node-N.eeprom.
On first boot the PIN comes from $MYSEAL_NODE_PIN or a prompt. Type "lock" or "unlock" on stdin
to turn the lock by hand (a sealed report goes to the controller). Ctrl-C stops.

Options:
  --node N            the node id (${NODE_ID_RANGE}, required)
  --gateway URL       how to present it: tcp://, serial:// or mqtt:// as above (required)
  --state-dir DIR     the state directory (default: as myseal serve finds it)
  --config FILE       the config file to take stateDir from
  --key-header FILE   take the key from this Arduino header instead of the key store
  --lock-child C      the lock's child id (default 1)
  -h, --help          show this text

${exitStatusHelp(COMMAND_EXITS.node)}`;
