/**
 * What a controller connecting to the proxy port is greeted with: the two start-up lines a
 * MySensors gateway sends when a client connects (I_GATEWAY_READY, then its presentation as node 0),
 * as the gateway behind MySeal last sent them, so a controller learns that gateway's own type and
 * library version. Until the gateway has said anything, a 2.3.2 gateway with a radio is assumed.
 *
 * It listens as one more Downstream: every plain gateway message is broadcast to downstreams, so
 * this sees the gateway's start-up lines as controllers do (over TCP, serial or MQTT alike).
 *
 * Only the newcomer is greeted. A real Ethernet gateway sends its start-up lines to every connected
 * client whenever any client connects (core/MyGatewayTransportEthernet.cpp), and it still does so
 * for MySeal's own link: when that link (re)connects, the gateway's lines reach every controller
 * through the ordinary relay. But a controller joining the proxy port is not the gateway starting,
 * and re-greeting the others would tell them it was: pymysensors (Home Assistant) answers every
 * I_GATEWAY_READY with an I_DISCOVER broadcast to the whole radio network (every node replies), and
 * Domoticz asks the gateway for its version again. So the others hear nothing of a new controller.
 */
import { Command, Internal } from '../../core/mysensors/enums.ts';
import { formatLine } from '../../core/mysensors/line.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import type { Downstream, Outbound } from '../../service/daemon.ts';

/**
 * What a MySensors 2.3.2 gateway with a radio sends a client that connects: MySensors.h turns on
 * MY_REPEATER_FEATURE for every gateway with a sensor network, so presentNode() presents it as
 * S_ARDUINO_REPEATER_NODE (18), not S_ARDUINO_NODE (17).
 */
export const GATEWAY_GREETING: readonly string[] = ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.2'];

const GATEWAY_NODE = 0;
const NODE_ITSELF = 255;

export class GatewayGreeting implements Downstream {
  readonly id = 'proxy:gateway-greeting';
  #ready = GATEWAY_GREETING[0]!;
  #presentation = GATEWAY_GREETING[1]!;

  /** The greeting for a controller that connects now, without line ends. */
  get lines(): readonly string[] {
    return [this.#ready, this.#presentation];
  }

  send(item: Outbound): void {
    const lines = item.lines;
    if (lines) {
      for (let i = 0; i < lines.count; i++) {
        const m = lines.peek(i);
        if (m !== undefined && startupLine(m) !== undefined) this.#keep(m, lines.line(i));
      }
    } else if (item.message !== undefined && startupLine(item.message) !== undefined) this.#keep(item.message, item.line);
  }

  #keep(m: MySensorsMessage, line: string | undefined): void {
    if (startupLine(m) === 'ready') this.#ready = lineOf(m, line);
    else this.#presentation = lineOf(m, line);
  }
}

/** Which of the gateway's start-up lines a message is, if either. */
function startupLine(m: MySensorsMessage): 'ready' | 'presentation' | undefined {
  if (m.nodeId !== GATEWAY_NODE || m.childId !== NODE_ITSELF || m.echo) return undefined;
  if (m.command === Command.C_INTERNAL && m.type === Internal.I_GATEWAY_READY) return 'ready';
  if (m.command === Command.C_PRESENTATION) return 'presentation';
  return undefined;
}

/** The gateway's own line when it came as one (exactly what controllers were relayed), else the message printed. */
function lineOf(m: MySensorsMessage, line: string | undefined): string {
  return line ?? formatLine(m).slice(0, -1);
}
