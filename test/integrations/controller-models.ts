/**
 * Small models of how two controllers treat the MySensors lines they read on the proxy port, reduced
 * to what the lock recipes rely on. They follow the controllers' sources (read in domoticz/domoticz
 * hardware/MySensorsTCP.cpp and MySensorsBase.cpp; theolind/pymysensors mysensors/__init__.py,
 * handler.py, gateway_tcp.py and home-assistant/core components/mysensors), written here in our
 * own terms: what a controller sends on its own, what it answers, and which device or entity state
 * a line leads to. They are not the controllers; they let a test say "Domoticz would now show the
 * lock as Off" on the lines MySeal actually sent.
 */
import { Command, Internal, SetReq, Sensor } from '../../src/core/mysensors/enums.ts';

interface Line {
  node: number;
  child: number;
  command: number;
  ack: number;
  type: number;
  payload: string;
}

/** Splits a line as both controllers do: five numbers, then everything after the fifth ';'. */
export function splitLine(line: string): Line | null {
  const parts = line.split(';');
  if (parts.length < 6) return null;
  const [node, child, command, ack, type] = parts.slice(0, 5).map(Number) as [number, number, number, number, number];
  if ([node, child, command, ack, type].some((n) => !Number.isInteger(n))) return null;
  return { node, child, command, ack, type, payload: parts.slice(5).join(';') };
}

// ---- Domoticz -------------------------------------------------------------------------------------

export interface DomoticzDevice {
  /** Domoticz's default name for the device, before the user renames it. */
  name: string;
  kind: 'switch' | 'text';
  on?: boolean;
  text?: string;
}

/** Domoticz's "MySensors Gateway with LAN interface" hardware, as far as the lock goes. */
export class DomoticzModel {
  gatewayVersion: string | null = null;
  /** Presentation type per "node/child" (S_UNKNOWN when the child appeared through a set). */
  readonly children = new Map<string, number>();
  /** Devices per "node/child/kind". */
  readonly devices = new Map<string, DomoticzDevice>();
  /** What Domoticz writes back on its own after reading a line, in order. */
  readonly toSend: string[] = [];

  /** Written right after the TCP connection is made. */
  static readonly ON_CONNECT = '0;0;3;0;2;';
  /** Written every 10 seconds while connected. */
  static readonly HEARTBEAT = '0;0;3;0;18;PING';
  /** The ACK timeout Domoticz waits for, per try, by default (ms). */
  static readonly ACK_TIMEOUT_MS = 1_200;

  read(text: string): void {
    const m = splitLine(text);
    if (!m) return;
    if (m.command === Command.C_INTERNAL) {
      if (m.type === Internal.I_VERSION && m.node === 0) this.gatewayVersion = m.payload;
      if (m.type === Internal.I_GATEWAY_READY) this.toSend.push('0;0;3;0;2;Get Version');
      return;
    }
    if (m.command === Command.C_PRESENTATION) {
      if (m.child !== 255) this.children.set(`${m.node}/${m.child}`, m.type);
      return;
    }
    if (m.command !== Command.C_SET) return;
    const key = `${m.node}/${m.child}`;
    if (!this.children.has(key)) this.children.set(key, -1);
    // A set with the ACK flag is the echo of Domoticz's own command: taken as the ACK, not as a value.
    if (m.ack === 1) return;
    if (m.type === SetReq.V_LOCK_STATUS) {
      this.devices.set(`${key}/switch`, { name: 'Lock Sensor', kind: 'switch', on: Number(m.payload) === 1 });
    } else if (m.type === SetReq.V_TEXT) {
      this.devices.set(`${key}/text`, { name: 'Text Sensor', kind: 'text', text: m.payload });
    }
  }

  device(node: number, child: number, kind: DomoticzDevice['kind']): DomoticzDevice | undefined {
    return this.devices.get(`${node}/${child}/${kind}`);
  }

  /** The line a click on the child's switch sends (ACK requested unless turned off for the child). */
  switchCommand(node: number, child: number, on: boolean, useAck = true): string {
    const type = this.children.get(`${node}/${child}`) === Sensor.S_LOCK ? SetReq.V_LOCK_STATUS : SetReq.V_STATUS;
    return `${node};${child};1;${useAck ? 1 : 0};${type};${on ? 1 : 0}`;
  }
}

// ---- Home Assistant (pymysensors) ----------------------------------------------------------------

interface HaChild {
  type: number;
  description: string;
  values: Map<number, string>;
}

interface HaNode {
  sketchName: string | null;
  children: Map<number, HaChild>;
}

/**
 * Home Assistant's MySensors integration: pymysensors' gateway logic plus the switch platform that
 * S_LOCK children get (V_LOCK_STATUS "1" is on, i.e. locked).
 */
export class HomeAssistantModel {
  readonly nodes = new Map<number, HaNode>();
  /** What the integration writes back on its own after reading a line, in order. */
  readonly toSend: string[] = [];
  gatewayVersion: string | null = null;

  /** The TCP keep-alive, written every reconnect_timeout (10 s) seconds; no answer for 20 s drops the link. */
  static readonly KEEPALIVE = '0;255;3;0;2;';

  read(text: string): void {
    const m = splitLine(text);
    if (!m) return;
    if (!this.valid(m)) return;
    switch (m.command) {
      case Command.C_PRESENTATION:
        if (m.child === 255) {
          if (!this.nodes.has(m.node)) this.nodes.set(m.node, { sketchName: null, children: new Map() });
        } else {
          const node = this.nodes.get(m.node);
          if (!node) return; // a child of an unknown node is dropped (and logged)
          if (!node.children.has(m.child)) node.children.set(m.child, { type: m.type, description: m.payload, values: new Map() });
        }
        return;
      case Command.C_SET: {
        const child = this.nodes.get(m.node)?.children.get(m.child);
        if (!child) {
          this.askPresentation(m.node);
          return;
        }
        child.values.set(m.type, m.payload);
        return;
      }
      case Command.C_INTERNAL:
        if (m.type === Internal.I_GATEWAY_READY) this.toSend.push('255;255;3;0;20;');
        else if (m.type === Internal.I_DISCOVER_RESPONSE) {
          if (!this.nodes.has(m.node)) this.askPresentation(m.node);
        } else if (m.type === Internal.I_VERSION && m.node === 0) this.gatewayVersion = m.payload;
        else if (m.type === Internal.I_SKETCH_NAME) {
          const node = this.nodes.get(m.node);
          if (node) node.sketchName = m.payload;
          else this.askPresentation(m.node);
        }
        return;
      default:
        return;
    }
  }

  /** The part of pymysensors' message validation that concerns the lines a lock produces. */
  private valid(m: Line): boolean {
    if (m.node < 0 || m.node > 255 || m.child < 0 || m.child > 255 || (m.ack !== 0 && m.ack !== 1)) return false;
    if (m.command === Command.C_SET && m.type === SetReq.V_LOCK_STATUS) return m.payload === '0' || m.payload === '1';
    if (m.command === Command.C_SET && m.type === SetReq.V_TEXT) return new TextEncoder().encode(m.payload).length <= 25;
    return true;
  }

  private askPresentation(node: number): void {
    const line = `${node};255;3;0;19;`;
    if (!this.toSend.includes(line)) this.toSend.push(line);
  }

  /**
   * The switch entity of an S_LOCK child: its name (the child's description, else "<sketch> <node>
   * <child>"), on/off from V_LOCK_STATUS, and the child's other values as attributes. Undefined while
   * Home Assistant would not create it (no sketch name yet, not S_LOCK) or has no value for it.
   */
  lockSwitch(node: number, child: number): { name: string; state: 'on' | 'off'; attributes: Record<string, string> } | undefined {
    const n = this.nodes.get(node);
    const c = n?.children.get(child);
    if (!n || !c || n.sketchName === null || c.type !== Sensor.S_LOCK) return undefined;
    const value = c.values.get(SetReq.V_LOCK_STATUS);
    if (value === undefined) return undefined;
    const attributes: Record<string, string> = {};
    for (const [type, v] of c.values) attributes[SetReq[type] ?? String(type)] = v;
    return { name: c.description || `${n.sketchName} ${node} ${child}`, state: Number(value) === 1 ? 'on' : 'off', attributes };
  }

  /** Topic filters the MQTT variant subscribes to at start (in_prefix is what it reads). */
  static initialSubscriptions(inPrefix: string): string[] {
    return [`${inPrefix}/+/+/0/+/+`, `${inPrefix}/+/+/3/+/+`];
  }

  /** Topic filters added when a child is presented over MQTT. */
  static childSubscriptions(inPrefix: string, node: number, child: number): string[] {
    return [`${inPrefix}/${node}/${child}/1/+/+`, `${inPrefix}/${node}/${child}/2/+/+`, `${inPrefix}/${node}/+/4/+/+`];
  }

  /** A line written by the integration, as the MQTT variant publishes it: out_prefix/node/child/cmd/ack/type. */
  static toMqtt(outPrefix: string, line: string): { topic: string; payload: string } {
    const m = splitLine(line);
    if (!m) throw new Error(`not a MySensors line: ${line}`);
    return { topic: `${outPrefix}/${m.node}/${m.child}/${m.command}/${m.ack}/${m.type}`, payload: m.payload };
  }

  /** An MQTT message read under in_prefix, as the line the gateway logic sees (QoS decides the ack field). */
  static fromMqtt(inPrefix: string, topic: string, payload: string, qos = 0): string | null {
    if (!topic.startsWith(`${inPrefix}/`)) return null;
    const levels = topic.slice(inPrefix.length + 1).split('/');
    if (levels.length !== 5) return null;
    levels[3] = qos > 0 ? '1' : '0';
    return `${levels.join(';')};${payload}`;
  }
}
