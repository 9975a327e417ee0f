/**
 * The daemon's configuration as the rest of MySeal sees it: validated, defaults applied, paths
 * absolute. docs/config.example.yaml explains every field.
 */
import type { GatewayConfig as TransportConfig } from '../gateway/parse-url.ts';
import type { AddressRange } from './address-range.ts';

export type { AddressRange } from './address-range.ts';

export const GATEWAY_SCHEMES = ['tcp', 'serial', 'mqtt'] as const;
export type GatewayScheme = (typeof GATEWAY_SCHEMES)[number];

// Kinds of children and their policies belong to the service's catalogue of nodes, defined there once.
import type { ChildKind, ChildPolicy as Policy } from '../service/catalogue/node-catalogue.ts';

export { CHILD_KINDS, POLICIES } from '../service/catalogue/node-catalogue.ts';
export type { ChildKind, Policy };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * The gateway to talk to. `url` is the text as configured, checked for its scheme and basic shape
 * only; each transport parses the rest (baud rate, topic prefixes, default ports).
 */
/** The HTTP API's certificate and private key (PEM files), for HTTPS. */
export interface TlsFiles {
  /** Absolute path of the certificate (chain) file. */
  readonly cert: string;
  /** Absolute path of the private key file; 0600, like every secret of MySeal's. */
  readonly key: string;
}

export interface GatewayConfig {
  readonly url: string;
  readonly scheme: GatewayScheme;
  /** The URL as the transports read it (host, port, path, prefixes, defaults applied). */
  readonly transport: TransportConfig;
}

/** An MQTT broker MySeal connects to as a client: where, and how it logs in. */
export interface BrokerConfig {
  /** mqtt://HOST:PORT or mqtts://HOST:PORT: no credentials, no query. */
  readonly url: string;
  /** Absolute path of the private file holding the login (config/mqtt-credentials.ts). */
  readonly credentialsFile: string | undefined;
  /** Absolute path of a PEM file of CA certificates to trust instead of the system's (mqtts:// only). */
  readonly caFile: string | undefined;
}

export interface ChildConfig {
  readonly kind: ChildKind;
  readonly policy: Policy;
  /** Locks only (4-8, default 4); absent for every other kind. */
  readonly pinLength?: number;
  /** Sets to this child need a challenge (CRITICAL frames). Only meaningful with policy seal. */
  readonly critical: boolean;
  /**
   * Plain C_SET and C_REQ from this child reach controllers (a plain sensor on a sealed node). Off
   * by default: anyone who can put a line on the gateway link or the radio could then make
   * controllers show any value for the child.
   */
  readonly acceptPlain: boolean;
}

export interface NodeConfig {
  readonly name?: string;
  readonly children: ReadonlyMap<number, ChildConfig>;
  /** Also accept the original script's AES-ECB PIN lines for this node (docs/migrating.md). */
  readonly legacyEcb: boolean;
  /**
   * Controllers may reboot the node and stream it firmware (I_REBOOT, C_STREAM firmware types):
   * only while an update is being done. Off by default.
   */
  readonly allowFirmwareUpdate: boolean;
}

export interface Config {
  /** Undefined when neither the file, $MYSEAL_GATEWAY nor --gateway names one; `serve` requires it. */
  readonly gateway: GatewayConfig | undefined;
  /** The gateway-compatible port controllers connect to. */
  readonly listen: HostPort;
  readonly mqttProxy: { readonly inPrefix: string; readonly outPrefix: string };
  /** The login for the gateway's MQTT broker (mqtt:// and mqtts:// gateways only); absolute. */
  readonly mqttCredentialsFile: string | undefined;
  /** CA certificates for the gateway's broker (mqtts:// gateways only); absolute. */
  readonly mqttCaFile: string | undefined;
  /** What controllers may reach, and where. */
  readonly controllers: {
    /**
     * Addresses that may connect to `listen`. Undefined: loopback clients only while `listen` is a
     * loopback address; anyone (with a warning at start-up) when it is not.
     */
    readonly allow: readonly AddressRange[] | undefined;
    /**
     * For a TCP or serial gateway: a broker on which controllers find the PIN digit and result
     * topics (under the mqttProxy prefixes). With an MQTT gateway they are on the gateway's broker.
     */
    readonly mqtt: BrokerConfig | undefined;
  };
  readonly http: {
    readonly listen: HostPort;
    /** Absolute path of the 0600 file holding the API token; required off loopback. */
    readonly tokenFile: string | undefined;
    readonly rateLimitPerMinute: number;
    /** HTTPS instead of HTTP when set (absent, not undefined, when not configured). */
    readonly tls?: TlsFiles;
  };
  /** Absolute. */
  readonly stateDir: string;
  readonly pinEntry: { readonly digitTimeoutMs: number; readonly submitKey: string; readonly clearKey: string };
  readonly nodes: ReadonlyMap<number, NodeConfig>;
  readonly log: { readonly level: LogLevel; readonly auditMaxBytes: number; readonly auditKeep: number };
  /**
   * Home Assistant's MQTT discovery (also read by Domoticz and openHAB), published on the controllers'
   * broker (controllers.mqtt, or an MQTT gateway's): on unless turned off; `prefix` is the
   * controller's discovery prefix.
   */
  readonly homeAssistant: { readonly discovery: boolean; readonly prefix: string };
  /** The file the settings were read from; undefined when there was none. */
  readonly file: string | undefined;
}

/**
 * Values given as environment variables or command-line flags: text, as typed. Each replaces one
 * field of the file's configuration and is validated like it.
 */
export interface ConfigOverrides {
  gateway?: string;
  listen?: string;
  /** http.listen */
  http?: string;
  stateDir?: string;
  /** http.tokenFile */
  httpTokenFile?: string;
  /** log.level */
  logLevel?: string;
  mqttCredentialsFile?: string;
  mqttCaFile?: string;
  /** http.tls.cert */
  httpTlsCert?: string;
  /** http.tls.key */
  httpTlsKey?: string;
}
