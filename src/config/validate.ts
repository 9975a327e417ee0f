/**
 * A configuration document (parsed YAML or JSON, or an object built in code) to a Config: made
 * plain, checked against the schema and the rules between its settings with every problem reported
 * at once (BAD_CONFIG naming each field path and value:
 * `nodes.5.children.1.policy: "open" is not one of seal, refuse, pass`), then defaults applied and
 * paths made absolute.
 *
 * Rules that involve the environment or the flags as well (a token off loopback, clashing ports) are
 * in rules.ts and run after those have been applied, since either may settle them.
 */
import { DEFAULTS, DEFAULT_POLICY } from './defaults.ts';
import { checkDocumentRules } from './document-rules.ts';
import { absolutePath } from './fields.ts';
import type { Origin } from './fields.ts';
import { parseHostPort } from './host-port.ts';
import { recordIssues } from './issues.ts';
import { plainDocument } from './plain-document.ts';
import { ConfigProblems } from './problems.ts';
import type { Locate } from './problems.ts';
import { configSchema } from './schema.ts';
import type { ConfigDocument } from './schema.ts';
import type { ChildConfig, Config, NodeConfig } from './types.ts';

export interface DocumentContext {
  origin: Origin;
  /** Relative paths in the document are resolved against this (the config file's directory). */
  baseDir: string;
  /** Used when the document names no stateDir. */
  defaultStateDir: string;
  /** Where a setting is written, when the document came from text. */
  locate?: Locate;
}

/** A whole document to a Config. `null` (an empty file) is an empty document: all defaults. */
export function documentToConfig(doc: unknown, ctx: DocumentContext): Config {
  const problems = new ConfigProblems(ctx.locate);
  const checked = checkDocument(doc, problems, ctx.origin);
  problems.throwIfAny();
  return toConfig(checked ?? {}, ctx);
}

function checkDocument(doc: unknown, problems: ConfigProblems, origin: Origin): ConfigDocument | undefined {
  const plain = plainDocument(doc ?? {}, problems, origin);
  // Nothing to check in an empty document: no need to load the schema library for all defaults.
  if (typeof plain === 'object' && plain !== null && !Array.isArray(plain) && Object.keys(plain).length === 0) return {};
  const schema = configSchema();
  const result = schema.safeParse(plain, { reportInput: true });
  if (!result.success) recordIssues(result.error.issues, schema, problems, origin);
  checkDocumentRules(plain, problems, origin);
  return result.success ? result.data : undefined;
}

/** The checked document with every default applied and every path absolute. */
function toConfig(d: ConfigDocument, ctx: DocumentContext): Config {
  const path = (value: string | null | undefined): string | undefined => (value === null || value === undefined ? undefined : absolutePath(value, ctx.baseDir));
  const allow = d.controllers?.allow ?? undefined;
  const broker = d.controllers?.mqtt ?? undefined;
  const tls = d.http?.tls ?? undefined;
  return {
    gateway: d.gateway ?? undefined,
    listen: d.listen ?? parseHostPort(DEFAULTS.listen, 'listen'),
    mqttProxy: { inPrefix: d.mqttProxy?.inPrefix ?? DEFAULTS.mqttInPrefix, outPrefix: d.mqttProxy?.outPrefix ?? DEFAULTS.mqttOutPrefix },
    mqttCredentialsFile: path(d.mqttCredentialsFile),
    mqttCaFile: path(d.mqttCaFile),
    controllers: {
      // One address alone is a list of one, as it reads.
      allow: allow === undefined ? undefined : Array.isArray(allow) ? allow : [allow],
      mqtt:
        broker === undefined
          ? undefined
          : { url: broker, credentialsFile: path(d.controllers?.mqttCredentialsFile), caFile: path(d.controllers?.mqttCaFile) },
    },
    http: {
      listen: d.http?.listen ?? parseHostPort(DEFAULTS.httpListen, 'http.listen'),
      tokenFile: path(d.http?.tokenFile),
      rateLimitPerMinute: d.http?.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute,
      ...(tls === undefined ? {} : { tls: { cert: absolutePath(tls.cert, ctx.baseDir), key: absolutePath(tls.key, ctx.baseDir) } }),
    },
    stateDir: path(d.stateDir) ?? ctx.defaultStateDir,
    pinEntry: {
      digitTimeoutMs: d.pinEntry?.digitTimeoutMs ?? DEFAULTS.digitTimeoutMs,
      submitKey: d.pinEntry?.submitKey ?? DEFAULTS.submitKey,
      clearKey: d.pinEntry?.clearKey ?? DEFAULTS.clearKey,
    },
    nodes: new Map(Object.entries(d.nodes ?? {}).map(([id, node]) => [Number(id), toNode(node ?? {})])),
    log: {
      level: d.log?.level ?? DEFAULTS.logLevel,
      auditMaxBytes: d.log?.auditMaxBytes ?? DEFAULTS.auditMaxBytes,
      auditKeep: d.log?.auditKeep ?? DEFAULTS.auditKeep,
    },
    homeAssistant: { discovery: d.homeAssistant?.discovery ?? DEFAULTS.discovery, prefix: d.homeAssistant?.prefix ?? DEFAULTS.discoveryPrefix },
    file: ctx.origin.file,
  };
}

type NodeDocument = NonNullable<NonNullable<ConfigDocument['nodes']>[string]>;

function toNode(node: NodeDocument): NodeConfig {
  return {
    ...(node.name === null || node.name === undefined ? {} : { name: node.name }),
    children: new Map(Object.entries(node.children ?? {}).map(([id, child]) => [Number(id), toChild(child)])),
    legacyEcb: node.legacyEcb ?? false,
    allowFirmwareUpdate: node.allowFirmwareUpdate ?? false,
  };
}

function toChild(child: NonNullable<NodeDocument['children']>[string]): ChildConfig {
  const { kind } = child;
  return {
    kind,
    policy: child.policy ?? DEFAULT_POLICY[kind],
    ...(kind === 'lock' ? { pinLength: child.pinLength ?? DEFAULTS.pinLength } : {}),
    critical: child.critical ?? false,
    acceptPlain: child.acceptPlain ?? false,
  };
}
