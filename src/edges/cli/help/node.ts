/** `myseal node --help`: apart from the command, so that the help loads nothing the command needs. */

export const HELP = `Usage: myseal node --node N --gateway URL [--state-dir DIR] [--key-header FILE] [--lock-child C]

Runs a virtual sealed lock as node N, presented the way a MySensors gateway with that node behind it
would present it:
  tcp://HOST:PORT      listen there as an Ethernet gateway (then: myseal serve --gateway tcp://HOST:PORT)
  serial:///dev/PATH   serve a serial gateway on that device
  mqtt://HOST:PORT     join the broker as the node behind an MQTT gateway (?in=..&out=.. prefixes)

The node's key: the controller's key store in --state-dir (after myseal keygen --node N), or the
Arduino header keygen wrote (--key-header). Its EEPROM image is kept in DIR/nodes/node-N.eeprom.
On first boot the PIN comes from $MYSEAL_NODE_PIN or a prompt. Type "lock" or "unlock" on stdin
to turn the lock by hand (a sealed report goes to the controller). Ctrl-C stops.`;
