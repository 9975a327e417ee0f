/**
 * Rules between settings of the file itself, checked beside the schema so that their problems come
 * in the same list. They read the document as written (plain-document.ts), whatever else is wrong
 * with it: a rule whose settings are themselves invalid says nothing, the schema does.
 *
 * Rules that the environment or flags may settle (a token off loopback, clashing ports) are in
 * rules.ts, checked on the merged configuration.
 */
import { CHILD_KINDS, POLICIES } from './types.ts';
import type { ChildKind, Policy } from './types.ts';
import { DEFAULTS, DEFAULT_POLICY } from './defaults.ts';
import { join, show } from './fields.ts';
import type { Origin } from './fields.ts';
import type { ConfigProblems } from './problems.ts';

type Settings = Record<string, unknown>;

function section(value: unknown): Settings {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {};
}

function entries(value: unknown): [string, Settings][] {
  return Object.entries(section(value)).map(([key, v]) => [key, section(v)]);
}

function oneOf<T extends string>(value: unknown, values: readonly T[]): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function checkDocumentRules(doc: unknown, problems: ConfigProblems, origin: Origin): void {
  const top = section(doc);
  for (const [id, node] of entries(top.nodes)) checkNode(node, join('nodes', id), problems, origin);
  checkControllers(section(top.controllers), problems, origin);

  const pinEntry = section(top.pinEntry);
  const submitKey = pinEntry.submitKey ?? DEFAULTS.submitKey;
  const clearKey = pinEntry.clearKey ?? DEFAULTS.clearKey;
  if (typeof clearKey === 'string' && submitKey === clearKey) {
    problems.add('pinEntry.clearKey', `${show(clearKey)} is also the submitKey; they must differ`, origin);
  }
}

function checkNode(node: Settings, path: string, problems: ConfigProblems, origin: Origin): void {
  const field = join(path, 'children');
  const locks: string[] = [];
  for (const [id, child] of entries(node.children)) {
    const kind = oneOf<ChildKind>(child.kind, CHILD_KINDS);
    if (kind === 'lock') locks.push(id);
    if (kind !== undefined) checkChild(child, kind, join(field, id), problems, origin);
  }
  // The node library drives one lock, and the daemon sends lock commands to one child.
  if (locks.length > 1) problems.add(field, `has ${locks.length} lock children (${locks.join(', ')}); a node has one lock`, origin);
}

function checkChild(child: Settings, kind: ChildKind, path: string, problems: ConfigProblems, origin: Origin): void {
  if (child.pinLength !== undefined && kind !== 'lock') {
    problems.add(join(path, 'pinLength'), `only a lock has a PIN; this child is a ${kind}`, origin);
  }
  const policy: Policy | undefined = child.policy === undefined ? DEFAULT_POLICY[kind] : oneOf(child.policy, POLICIES);
  if (child.critical === true && policy !== undefined && policy !== 'seal') {
    // A challenge protects a sealed frame; on a refused or passed child the flag would promise a
    // protection that does not exist.
    problems.add(join(path, 'critical'), `true needs policy seal (this child's policy is ${policy})`, origin);
  }
  if (child.acceptPlain === true && kind === 'lock') {
    // A lock's state from a plain line is exactly the forgery sealing exists to stop.
    problems.add(join(path, 'acceptPlain'), 'a lock takes its state from sealed reports only', origin);
  }
}

/** A login or CA file for controllers.mqtt is for that broker: without it, or without TLS, it would be silently ignored. */
function checkControllers(controllers: Settings, problems: ConfigProblems, origin: Origin): void {
  const url = controllers.mqtt;
  if (url === undefined) {
    for (const name of ['mqttCredentialsFile', 'mqttCaFile']) {
      if (controllers[name] !== undefined) problems.add(join('controllers', name), 'is for controllers.mqtt, which is not set', origin);
    }
    return;
  }
  if (controllers.mqttCaFile !== undefined && typeof url === 'string' && /^mqtt:/i.test(url)) {
    problems.add('controllers.mqttCaFile', 'is for an mqtts:// broker; controllers.mqtt is mqtt://', origin);
  }
}
