/** `myseal node --help`: apart from the command, so that the help loads nothing the command needs. */
import { NODE_ID_RANGE } from '../../../core/protocol/node-id.ts';
import { COMMAND_EXITS, exitStatusHelp } from '../exit-code.ts';

export const HELP = `Usage: myseal node --node N --gateway URL [--state-dir DIR] [--config FILE] [--key-header FILE]
                   [--lock-child C] [--auto-relock MS] [--on-change CMD [--on-change-timeout MS]]

Runs a virtual sealed lock as node N, presented the way a MySensors gateway with that node behind it
would present it:
  tcp://HOST:PORT      listen there as an Ethernet gateway (then: myseal serve --gateway tcp://HOST:PORT)
  serial:///dev/PATH   serve a serial gateway on that device
  mqtt://HOST:PORT     join the broker as the node behind an MQTT gateway (?in=..&out=.. prefixes)

The node runs the node library's own code (its WebAssembly build). Its key: the Arduino header
keygen wrote (--key-header, a reflash), else the key it was first flashed with (DIR/nodes/node-N.flash),
else the controller's key store in --state-dir (after myseal keygen --node N). Its EEPROM image is
kept in DIR/nodes/node-N.eeprom. On first boot the PIN comes from $MYSEAL_NODE_PIN or a prompt.
Type "lock" or "unlock" on stdin to turn the lock by hand (a sealed report goes to the controller).
Ctrl-C stops.

--on-change CMD runs CMD with /bin/sh -c at start (the stored state, as a lock's sketch moves its
bolt at boot) and at every change of the lock, with the new state in its environment:
  MYSEAL_LOCKED=1|0  MYSEAL_STATE=locked|unlocked  MYSEAL_NODE=N  MYSEAL_CAUSE=boot|command|hand|relock
(command: a sealed command through the daemon; hand: a line on stdin; relock: --auto-relock). No other MYSEAL_* variable
reaches it, so neither does the PIN. One run at a time, in the order of the changes; a run that
fails is reported on stderr and the next one runs; one still running after the timeout (10000 ms)
is killed with everything it started. Something CMD leaves in the background is not waited for.
For example, to log each change to the system journal:
  myseal node --node 5 --gateway tcp://0.0.0.0:5003 \\
    --on-change 'logger -t myseal "node $MYSEAL_NODE $MYSEAL_STATE ($MYSEAL_CAUSE)"'
A relay on a Raspberry Pi's GPIO, driven by gpioset, as a service: docs/raspberry-pi-relay.md.

Options:
  --node N            the node id (${NODE_ID_RANGE}, required)
  --gateway URL       how to present it: tcp://, serial:// or mqtt:// as above (required)
  --state-dir DIR     the state directory (default: as myseal serve finds it)
  --config FILE       the config file to take stateDir from
  --key-header FILE   take the key from this Arduino header instead of the key store
  --lock-child C      the lock's child id (default 1)
  --auto-relock MS    lock again MS milliseconds (1 to 65535) after an unlock, with a sealed report,
                      as a sketch's autoRelock() does (default: never)
  --on-change CMD     run CMD (through /bin/sh -c) at start and at every change of the lock, as above
  --on-change-timeout MS
                      kill a run of CMD still going after MS milliseconds (default 10000)
  -h, --help          show this text

${exitStatusHelp(COMMAND_EXITS.node)}`;
