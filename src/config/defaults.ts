/**
 * Every default of the configuration, in one place: the document's reader applies them, and the
 * JSON Schema shows them to editors.
 */
import type { ChildKind, Policy } from './types.ts';

export const DEFAULTS = {
  listen: '127.0.0.1:5003',
  mqttInPrefix: 'myseal-in',
  mqttOutPrefix: 'myseal-out',
  // 7325 spells SEAL on a phone keypad; no common home-automation service uses it (Domoticz and openHAB hold 8080).
  httpListen: '127.0.0.1:7325',
  rateLimitPerMinute: 10,
  digitTimeoutMs: 10_000,
  submitKey: '#',
  clearKey: '*',
  pinLength: 4,
  logLevel: 'info',
  auditMaxBytes: 1024 * 1024,
  auditKeep: 5,
  discoveryPrefix: 'homeassistant',
  discovery: true,
} as const;

/** What MySeal does with a controller's plain command to a child, when its policy is not given. */
export const DEFAULT_POLICY: Readonly<Record<ChildKind, Policy>> = { lock: 'refuse', relay: 'seal', contact: 'pass', sensor: 'pass' };

/** Child 255 is the node itself. */
export const MAX_CHILD = 254;
