/**
 * The environment variable and the command-line flag of each override: one table each, read by the
 * full loader (config.ts), by the light one of a daemon's client (client-config.ts) and by messages.
 */
import type { ConfigOverrides } from './types.ts';

/** The environment variable for each override. MYSEAL_STATE_DIR is also read by resolveStateDir. */
export const CONFIG_ENV: Readonly<Record<keyof ConfigOverrides, string>> = {
  gateway: 'MYSEAL_GATEWAY',
  listen: 'MYSEAL_LISTEN',
  http: 'MYSEAL_HTTP',
  stateDir: 'MYSEAL_STATE_DIR',
  httpTokenFile: 'MYSEAL_HTTP_TOKEN_FILE',
  logLevel: 'MYSEAL_LOG_LEVEL',
  mqttCredentialsFile: 'MYSEAL_MQTT_CREDENTIALS_FILE',
  mqttCaFile: 'MYSEAL_MQTT_CA_FILE',
  httpTlsCert: 'MYSEAL_HTTP_TLS_CERT',
  httpTlsKey: 'MYSEAL_HTTP_TLS_KEY',
};

/** The command-line flag for each override, as `myseal serve` spells it. */
export const CONFIG_FLAGS: Readonly<Record<keyof ConfigOverrides, string>> = {
  gateway: '--gateway',
  listen: '--listen',
  http: '--http',
  stateDir: '--state-dir',
  httpTokenFile: '--http-token-file',
  logLevel: '--log-level',
  mqttCredentialsFile: '--mqtt-credentials-file',
  mqttCaFile: '--mqtt-ca-file',
  httpTlsCert: '--http-tls-cert',
  httpTlsKey: '--http-tls-key',
};

/** The overrides set in the environment; empty values count as unset. */
export function envOverrides(env: NodeJS.ProcessEnv): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const key of Object.keys(CONFIG_ENV) as (keyof ConfigOverrides)[]) {
    const value = env[CONFIG_ENV[key]];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
