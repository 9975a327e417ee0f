/**
 * Home Assistant's MQTT discovery for MySeal's sealed children, as data: which entities a node
 * has, their config topics and payloads, their state and attribute messages, and the strict reading
 * of what Home Assistant sends on their command topics. No I/O here (ha-discovery.ts publishes).
 *
 *   <prefix>/lock/myseal/node<N>_lock/config            a node's lock, with Home Assistant's keypad
 *   <prefix>/switch/myseal/node<N>_child<C>/config      a sealed relay
 *   <prefix>/binary_sensor/myseal/node<N>_child<C>/config  a sealed contact
 *   <in>/<N>/lock/set        JSON {"action":"LOCK"|"UNLOCK","code":"<PIN>"} (from Home Assistant)
 *   <in>/<N>/<C>/set         ON | OFF (a relay)
 *   <out>/<N>/lock/state     locked | unlocked (retained)
 *   <out>/<N>/lock/attributes  JSON: attempts left, lockout, last result (retained)
 *   <out>/<N>/<C>/state      ON | OFF (retained)
 *   <out>/status             online | offline (MySeal's connection; offline is its last will)
 */
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../core/protocol/constants.ts';

/** The discovery topics' node_id level: every entity MySeal announces sits under it. */
export const DISCOVERY_NODE_ID = 'myseal';

export type HaComponent = 'lock' | 'switch' | 'binary_sensor';

export interface DiscoveryTopics {
  /** Home Assistant's discovery prefix (homeassistant). */
  prefix: string;
  /** Where controllers publish to MySeal (mqttProxy.inPrefix). */
  inPrefix: string;
  /** Where MySeal publishes to controllers (mqttProxy.outPrefix). */
  outPrefix: string;
}

/** A child MySeal can vouch for, as discovery needs it. */
export interface SealedChild {
  kind: 'relay' | 'contact';
  child: number;
}

/** What discovery needs of a node: its name, whether it has a lock, and its sealed relays and contacts. */
export interface NodeDescription {
  node: number;
  name: string | null;
  lock: boolean;
  children: readonly SealedChild[];
}

export interface Entity {
  component: HaComponent;
  node: number;
  /** 'lock' for the node's lock, else the child id. */
  child: number | 'lock';
  configTopic: string;
  config: Record<string, unknown>;
  stateTopic: string;
  commandTopic?: string;
  attributesTopic?: string;
}

/** The template Home Assistant fills with the lock command and the code typed on its keypad. */
export const LOCK_COMMAND_TEMPLATE = '{"action":"{{ value }}","code":"{{ code }}"}';
export const PIN_PATTERN = `^\\d{${PIN_MIN_DIGITS},${PIN_MAX_DIGITS}}$`;
const PIN_RE = new RegExp(PIN_PATTERN);

export function availabilityTopic(t: DiscoveryTopics): string {
  return `${t.outPrefix}/status`;
}

export function birthTopic(t: DiscoveryTopics): string {
  return `${t.prefix}/status`;
}

/** Every config topic MySeal may have published (to find retained ones left by removed nodes). */
export function ownConfigFilter(t: DiscoveryTopics): string {
  return `${t.prefix}/+/${DISCOVERY_NODE_ID}/+/config`;
}

function device(d: NodeDescription): Record<string, unknown> {
  return {
    identifiers: [`myseal_node_${d.node}`],
    name: d.name ?? `MySeal node ${d.node}`,
    manufacturer: 'MySeal',
    model: 'sealed MySensors node',
  };
}

function base(t: DiscoveryTopics, d: NodeDescription, objectId: string, name: string): Record<string, unknown> {
  return {
    name,
    unique_id: `myseal_${objectId}`,
    availability: [{ topic: availabilityTopic(t), payload_available: 'online', payload_not_available: 'offline' }],
    device: device(d),
  };
}

function configTopic(t: DiscoveryTopics, component: HaComponent, objectId: string): string {
  return `${t.prefix}/${component}/${DISCOVERY_NODE_ID}/${objectId}/config`;
}

/** The node's entities: its lock (if it has one), then its sealed relays and contacts by child id. */
export function nodeEntities(t: DiscoveryTopics, d: NodeDescription): Entity[] {
  const out: Entity[] = [];
  if (d.lock) {
    const objectId = `node${d.node}_lock`;
    const stateTopic = `${t.outPrefix}/${d.node}/lock/state`;
    const commandTopic = `${t.inPrefix}/${d.node}/lock/set`;
    const attributesTopic = `${t.outPrefix}/${d.node}/lock/attributes`;
    out.push({
      component: 'lock',
      node: d.node,
      child: 'lock',
      configTopic: configTopic(t, 'lock', objectId),
      stateTopic,
      commandTopic,
      attributesTopic,
      config: {
        ...base(t, d, objectId, 'Lock'),
        command_topic: commandTopic,
        command_template: LOCK_COMMAND_TEMPLATE,
        code_format: PIN_PATTERN,
        payload_lock: 'LOCK',
        payload_unlock: 'UNLOCK',
        state_topic: stateTopic,
        state_locked: 'locked',
        state_unlocked: 'unlocked',
        json_attributes_topic: attributesTopic,
        optimistic: false,
        // A retained command would be sent again at every reconnect; MySeal ignores them anyway.
        retain: false,
        qos: 1,
      },
    });
  }
  for (const c of [...d.children].sort((a, b) => a.child - b.child)) {
    const objectId = `node${d.node}_child${c.child}`;
    const stateTopic = `${t.outPrefix}/${d.node}/${c.child}/state`;
    if (c.kind === 'relay') {
      const commandTopic = `${t.inPrefix}/${d.node}/${c.child}/set`;
      out.push({
        component: 'switch',
        node: d.node,
        child: c.child,
        configTopic: configTopic(t, 'switch', objectId),
        stateTopic,
        commandTopic,
        config: {
          ...base(t, d, objectId, `Relay ${c.child}`),
          command_topic: commandTopic,
          payload_on: 'ON',
          payload_off: 'OFF',
          state_topic: stateTopic,
          state_on: 'ON',
          state_off: 'OFF',
          optimistic: false,
          retain: false,
          qos: 1,
        },
      });
    } else {
      out.push({
        component: 'binary_sensor',
        node: d.node,
        child: c.child,
        configTopic: configTopic(t, 'binary_sensor', objectId),
        stateTopic,
        config: {
          ...base(t, d, objectId, `Contact ${c.child}`),
          state_topic: stateTopic,
          payload_on: 'ON',
          payload_off: 'OFF',
          device_class: 'door',
          qos: 1,
        },
      });
    }
  }
  return out;
}

/** What MySeal knows of a lock, from authentic sealed results and reports only (NodeStateView). */
export interface LockFacts {
  locked: boolean | null;
  attemptsLeft: number | null;
  lockoutUntil: number | null;
  lastResult: string | null;
}

/** The lock's state payload, or undefined while MySeal has heard nothing authentic of its bolt. */
export function lockStatePayload(f: LockFacts): 'locked' | 'unlocked' | undefined {
  return f.locked === null ? undefined : f.locked ? 'locked' : 'unlocked';
}

/** The lock's attributes as Home Assistant shows them under the entity. */
export function lockAttributes(f: LockFacts, now: number): Record<string, unknown> {
  const lockedOut = f.lockoutUntil !== null && f.lockoutUntil > now;
  return {
    attempts_left: f.attemptsLeft,
    locked_out: lockedOut,
    lockout_until: lockedOut ? new Date(f.lockoutUntil!).toISOString() : null,
    last_result: f.lastResult,
  };
}

/** A sealed report's value (V_STATUS, V_TRIPPED, V_ARMED: '1' or '0') as the entity's state, or undefined. */
export function binaryState(payload: string): 'ON' | 'OFF' | undefined {
  return payload === '1' ? 'ON' : payload === '0' ? 'OFF' : undefined;
}

export type LockCommand = { action: 'LOCK' } | { action: 'UNLOCK'; pin: string };

/** Commands are short; anything longer is not Home Assistant's template. */
export const MAX_COMMAND_BYTES = 128;

/**
 * A lock command as the template above renders it, read strictly: a JSON object with exactly
 * `action` and `code`, the action LOCK or UNLOCK, and for UNLOCK a code of 4-8 digits (the code
 * of a LOCK is not needed and not kept). Undefined for anything else. The code is never put in
 * an error, so a refusal can be counted and logged without it.
 */
export function parseLockCommand(payload: Uint8Array): LockCommand | undefined {
  if (payload.length === 0 || payload.length > MAX_COMMAND_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 2 || !keys.includes('action') || !keys.includes('code')) return undefined;
  const { action, code } = value as { action: unknown; code: unknown };
  if (typeof code !== 'string') return undefined;
  if (action === 'LOCK') return { action: 'LOCK' };
  if (action === 'UNLOCK' && PIN_RE.test(code)) return { action: 'UNLOCK', pin: code };
  return undefined;
}

/** A relay command: exactly ON or OFF, as the MySensors value it stands for. */
export function parseSwitchCommand(payload: Uint8Array): '1' | '0' | undefined {
  const text = Buffer.from(payload).toString('utf8');
  return text === 'ON' ? '1' : text === 'OFF' ? '0' : undefined;
}
