/**
 * What a controller may send a node that has a key, besides the C_SET and C_REQ that each child's
 * policy decides: the answers a node asks for, and requests that make it present itself or show
 * that it is alive. Everything else is refused: a reboot (a lock that restarts forgets its
 * challenge and runs its start-up code again at a moment an attacker chose), every C_STREAM
 * (firmware: whoever can flash the lock owns it), presentations and the rest of the internal
 * messages, which a controller has no reason to send a node.
 *
 * A node whose owner is updating its firmware (nodes.N.allowFirmwareUpdate) also takes I_REBOOT,
 * which starts the bootloader's check, and the firmware-update stream.
 *
 * Node 0 with a key is a lock in the gateway's own sketch: the gateway itself still answers the
 * version question and takes inclusion mode (core/MyGatewayTransport.cpp), which controllers send
 * it all the time (Domoticz and openHAB ask for the version as their heartbeat), so those pass too.
 */
import { Command, Internal, Stream } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';

/** Internal messages a controller may always send a sealed node. */
const ALWAYS: ReadonlySet<number> = new Set([
  Internal.I_TIME, // the answer to the node's time request
  Internal.I_CONFIG, // the answer to its config (metric or imperial) request
  Internal.I_ID_RESPONSE, // the answer to its id request
  Internal.I_PRESENTATION, // "present yourself again"
  Internal.I_HEARTBEAT_REQUEST, // "are you there?"
]);

/** Internal messages the gateway handles itself, before its sketch could see them. */
const GATEWAY_ITSELF: ReadonlySet<number> = new Set([Internal.I_VERSION, Internal.I_INCLUSION_MODE]);
const GATEWAY_NODE = 0;

/** The controller's side of MySensors' firmware update, and the reboot that starts it. */
const FIRMWARE_STREAM: ReadonlySet<number> = new Set([Stream.ST_FIRMWARE_CONFIG_RESPONSE, Stream.ST_FIRMWARE_RESPONSE, Stream.ST_FIRMWARE_RESPONSE_RLE]);

/** True when a controller's message other than C_SET and C_REQ may reach a node with a key. */
export function controllerMayReach(m: MySensorsMessage, firmwareUpdate: boolean): boolean {
  switch (m.command) {
    case Command.C_INTERNAL:
      return ALWAYS.has(m.type) || (m.nodeId === GATEWAY_NODE && GATEWAY_ITSELF.has(m.type)) || (firmwareUpdate && m.type === Internal.I_REBOOT);
    case Command.C_STREAM:
      return firmwareUpdate && FIRMWARE_STREAM.has(m.type);
    default:
      return false;
  }
}
