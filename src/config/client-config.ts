/**
 * What a client of the running daemon reads of the configuration (`myseal digit`, run at every key
 * press): the HTTP API's address, its token file and its certificate.
 *
 * In the common case of a key press there is no config file and no override but the API's address
 * (--http), and the full loader (config.ts: the YAML parser, the schema, the rules on the gateway
 * and the brokers, some thirty modules) would cost the command a good part of its start. So that
 * case is read here, from the same defaults and variable table, with the same parser and the same
 * rules on the API's address (http-rules.ts). Every other case, and any value this light reading
 * does not accept, goes to the full loader: what is accepted, and every error, stay the loader's.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { errnoCode } from '../core/errors.ts';
import { defaultConfigPath } from './default-path.ts';
import { DEFAULTS } from './defaults.ts';
import { parseHostPort } from './host-port.ts';
import { checkHttpRules } from './http-rules.ts';
import { envOverrides } from './override-names.ts';
import { ConfigProblems } from './problems.ts';
import type { Config, ConfigOverrides, HostPort } from './types.ts';

/** The part of the configuration a client of the daemon uses (edges/http/daemon-client.ts). */
export interface ClientConfig {
  readonly http: Pick<Config['http'], 'listen' | 'tokenFile' | 'tls'>;
}

export interface ClientLoadOptions {
  /** Home directory for the default paths; os.homedir() when absent. */
  home?: string;
}

/** loadConfig's answer for a client, and its errors: the light reading when it is sure, else the full loader. */
export async function loadClientConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  flags: ConfigOverrides = {},
  options: ClientLoadOptions = {},
): Promise<ClientConfig> {
  const home = options.home ?? homedir();
  const light = path === undefined ? lightClientConfig(env, flags, home) : undefined;
  if (light !== undefined) return light;
  const { loadConfig } = await import('./config.ts');
  return loadConfig(path, env, flags, { home });
}

/**
 * The configuration when no file exists and only the API's address is overridden, or undefined
 * when that is not the case or anything is wrong (the full loader then says what).
 */
function lightClientConfig(env: NodeJS.ProcessEnv, flags: ConfigOverrides, home: string): ClientConfig | undefined {
  if (!noFileAt(defaultConfigPath(env, home))) return undefined;
  const fromEnv = envOverrides(env);
  if (!onlyHttp(fromEnv) || !onlyHttp(flags)) return undefined;
  // The environment's value is checked even when a flag replaces it, as the full loader does.
  const envListen = fromEnv.http === undefined ? undefined : readAddress(fromEnv.http, 'http.listen');
  const flagListen = flags.http === undefined ? undefined : readAddress(flags.http, 'http.listen');
  const listen = flagListen ?? envListen ?? readAddress(DEFAULTS.httpListen, 'http.listen');
  const controllers = readAddress(DEFAULTS.listen, 'listen');
  if (listen === null || envListen === null || flagListen === null || controllers === null) return undefined;
  const config = { listen: controllers, http: { listen, tokenFile: undefined } };
  const problems = new ConfigProblems();
  checkHttpRules(config, problems, {});
  return problems.size === 0 ? { http: config.http } : undefined;
}

/** True only when the file certainly does not exist (any other failure to look is the loader's to report). */
function noFileAt(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (e) {
    return errnoCode(e) === 'ENOENT';
  }
}

function onlyHttp(overrides: ConfigOverrides): boolean {
  return Object.entries(overrides).every(([key, value]) => key === 'http' || value === undefined);
}

/** The address, or null where the parser refuses it. */
function readAddress(text: string, field: string): HostPort | null {
  try {
    return parseHostPort(text, field);
  } catch {
    return null;
  }
}
