/**
 * The service built from the configuration: its nodes and children, PIN entry's keys and rate
 * limit, and nodes still on the original sketch with the line builder that reads their legacy keys.
 * The daemon (start-daemon.ts) and a one-shot command without a daemon (one-shot.ts) build it the
 * same way, so both run the same controller pipeline.
 */
import type { Config } from '../config/config.ts';
import type { ControllerCounters, ControllerKeyStore } from '../core/protocol/stores.ts';
import type { GatewayTransport } from '../gateway/transport.ts';
import { Daemon } from '../service/daemon.ts';
import type { NodeOptions } from '../service/catalogue/node-catalogue.ts';
import { legacyUnlockLineFromStore } from './legacy-sender.ts';
import type { WarnLogger } from './legacy-sender.ts';
import type { AuditSink, LoggerLike } from '../service/ports.ts';

/** Operation timing, for the demo and tests that must not wait out the production defaults. */
export interface DaemonTuning {
  timeoutMs?: number;
  retries?: number;
}

export interface ServiceParts {
  gateway: GatewayTransport;
  keys: ControllerKeyStore;
  counters: ControllerCounters;
  audit: AuditSink;
  logger?: LoggerLike;
  /** Where the legacy line builder's replay warning goes (the logger by default). */
  legacyWarnings?: WarnLogger;
  tuning?: DaemonTuning;
  /** How long an operation waits for the gateway link to come up. */
  holdMs?: number;
  /** Nodes on the original sketch besides those configured legacyEcb (`myseal unlock --legacy-ecb` run here). */
  legacyNodes?: readonly number[];
}

function serviceNodes(config: Config): Map<number, NodeOptions> {
  const nodes = new Map<number, NodeOptions>();
  for (const [id, node] of config.nodes) nodes.set(id, { name: node.name, children: node.children, allowFirmwareUpdate: node.allowFirmwareUpdate });
  return nodes;
}

export function buildService(config: Config, parts: ServiceParts): Daemon {
  const legacyNodes = new Set([...config.nodes].filter(([, n]) => n.legacyEcb).map(([id]) => id).concat(parts.legacyNodes ?? []));
  const warnings = parts.legacyWarnings ?? parts.logger ?? { warn: () => undefined };
  return new Daemon({
    gateway: parts.gateway,
    keys: parts.keys,
    counters: parts.counters,
    nodes: serviceNodes(config),
    audit: parts.audit,
    logger: parts.logger,
    digitTimeoutMs: config.pinEntry.digitTimeoutMs,
    submitKey: config.pinEntry.submitKey,
    clearKey: config.pinEntry.clearKey,
    pinTriesPerMinute: config.http.rateLimitPerMinute,
    timeoutMs: parts.tuning?.timeoutMs,
    retries: parts.tuning?.retries,
    holdMs: parts.holdMs,
    legacy: {
      nodes: legacyNodes,
      line: (node, pin) => legacyUnlockLineFromStore({ stateDir: config.stateDir, node, pin, logger: warnings }),
    },
  });
}
