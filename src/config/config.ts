/**
 * Loading the daemon's configuration: a YAML file (optional), then environment variables, then
 * command-line flags, each beating the one before. The file is checked against one schema (schema.ts,
 * which the JSON Schema in docs/config.schema.json is generated from) and the rules between settings
 * (document-rules.ts, rules.ts); every problem found is listed in one BAD_CONFIG, each with its file,
 * line and field (problems.ts). A named file that cannot be read is CONFIG_UNREADABLE. Nothing else
 * is ever thrown, whatever the file holds.
 *
 * `myseal serve --gateway ... --listen ... --http ... --state-dir ...` works with no file at all.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ErrorCode, MySealError, isMySealError, errnoCode } from '../core/errors.ts';
import { resolveStateDir } from '../store/state-dir.ts';
import { badConfig, readChoice, readPath } from './fields.ts';
import type { Origin } from './fields.ts';
import { defaultConfigPath } from './default-path.ts';
import { readGatewayField } from './gateway-url.ts';
import { parseHostPort } from './host-port.ts';
import { CONFIG_ENV, CONFIG_FLAGS, envOverrides } from './override-names.ts';
import { ConfigProblems, FILE_FIELD, configError } from './problems.ts';
import type { Locate } from './problems.ts';
import { checkRules } from './rules.ts';
import { LOG_LEVELS } from './types.ts';
import type { Config, ConfigOverrides, TlsFiles } from './types.ts';
import { documentToConfig } from './validate.ts';
import { readYaml } from './yaml-source.ts';

export type * from './types.ts';
export { CHILD_KINDS, GATEWAY_SCHEMES, LOG_LEVELS, POLICIES } from './types.ts';
export { formatHostPort, isLoopbackHost, parseHostPort } from './host-port.ts';
export { gatewayTopicPrefixes } from './gateway-url.ts';
export { formatAddressRange } from './address-range.ts';
export { DEFAULTS } from './defaults.ts';
export { defaultConfigPath } from './default-path.ts';
export { CONFIG_ENV, CONFIG_FLAGS, envOverrides } from './override-names.ts';
export { problemsOf } from './problems.ts';
export type { Problem } from './problems.ts';

/** A config file larger than this is refused: no real configuration comes near it. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadOptions {
  /** Home directory for the default paths; os.homedir() when absent. */
  home?: string;
}

/**
 * The configuration: `path` (or, when undefined, the default file if it exists), then `env`, then
 * `flags`. A path that was given and cannot be read is CONFIG_UNREADABLE; a missing default file is
 * simply no file.
 */
export function loadConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  flags: ConfigOverrides = {},
  options: LoadOptions = {},
): Config {
  const home = options.home ?? homedir();
  const file = path === undefined ? defaultConfigPath(env, home) : resolve(path);
  const text = readConfigFile(file, path !== undefined);
  // No file is an empty document, without loading the YAML parser: a command such as `myseal digit` starts faster.
  return text === undefined ? configFromDocument(null, { env, flags, home }) : configFromText(text, { file, env, flags, home });
}

export interface FromTextOptions {
  /** The file the text came from: named in errors, and relative paths in it are resolved against its directory. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  flags?: ConfigOverrides;
  home?: string;
}

/** The configuration from YAML text (JSON is YAML too). Throws only MySealError. */
export function configFromText(text: string, options: FromTextOptions = {}): Config {
  const origin: Origin = options.file === undefined ? {} : { file: options.file };
  let source;
  try {
    source = readYaml(text, MAX_CONFIG_BYTES, origin);
  } catch (e) {
    throw onlyMySealError(e);
  }
  return fromDocument(source.value, options, source.locate);
}

/** The configuration from an already parsed document: maps as Map or plain objects. Throws only MySealError. */
export function configFromDocument(doc: unknown, options: FromTextOptions = {}): Config {
  return fromDocument(doc, options);
}

function fromDocument(doc: unknown, options: FromTextOptions, locate?: Locate): Config {
  const env = options.env ?? process.env;
  const file = options.file;
  try {
    const base = documentToConfig(doc, {
      origin: file === undefined ? {} : { file },
      baseDir: file === undefined ? process.cwd() : dirname(file),
      // Only XDG here: $MYSEAL_STATE_DIR is an override and is applied with the others, after the file.
      defaultStateDir: resolveStateDir(undefined, { XDG_STATE_HOME: env.XDG_STATE_HOME }, options.home ?? homedir()),
      ...(locate === undefined ? {} : { locate }),
    });
    // Every override's problems at once, then the rules between settings on what they give.
    const problems = new ConfigProblems(locate);
    const withEnv = applyOverrides(base, envOverrides(env), 'env', problems);
    const final = applyOverrides(withEnv, options.flags ?? {}, 'flag', problems);
    problems.throwIfAny();
    checkRules(final, problems);
    problems.throwIfAny();
    return final;
  } catch (e) {
    throw onlyMySealError(e);
  }
}

/**
 * A configuration with some fields replaced by flag (or environment) values, each validated as the
 * file's would be and the cross-field rules checked again. Undefined values leave a field alone.
 */
export function mergeConfig(config: Config, overrides: ConfigOverrides, source: 'flag' | 'env' = 'flag'): Config {
  try {
    const problems = new ConfigProblems();
    const merged = applyOverrides(config, overrides, source, problems);
    problems.throwIfAny();
    checkRules(merged, problems);
    problems.throwIfAny();
    return merged;
  } catch (e) {
    throw onlyMySealError(e);
  }
}

function applyOverrides(config: Config, overrides: ConfigOverrides, source: 'flag' | 'env', problems: ConfigProblems): Config {
  const names = source === 'flag' ? CONFIG_FLAGS : CONFIG_ENV;
  const at = (key: keyof ConfigOverrides): Origin => ({ override: names[key] });
  // Relative paths from the command line or the environment mean relative to where we run.
  const ctx = (key: keyof ConfigOverrides) => ({ origin: at(key), baseDir: process.cwd() });
  /** The override's value read by `read`, or the file's value when it is not given or is a problem (recorded). */
  const take = <T>(key: keyof ConfigOverrides, current: T, read: (text: string) => T): T => {
    const text = overrides[key];
    return text === undefined ? current : problems.attempt(() => read(text), current);
  };
  return {
    ...config,
    gateway: take('gateway', config.gateway, (v) => readGatewayField(v, 'gateway', at('gateway'))),
    listen: take('listen', config.listen, (v) => parseHostPort(v, 'listen', at('listen'))),
    http: {
      ...config.http,
      listen: take('http', config.http.listen, (v) => parseHostPort(v, 'http.listen', at('http'))),
      tokenFile: take('httpTokenFile', config.http.tokenFile, (v) => readPath(v, 'http.tokenFile', ctx('httpTokenFile'))),
      ...problems.attempt(() => tlsOverride(config.http.tls, overrides, ctx), {}),
    },
    stateDir: take('stateDir', config.stateDir, (v) => readPath(v, 'stateDir', ctx('stateDir'))),
    mqttCredentialsFile: take('mqttCredentialsFile', config.mqttCredentialsFile, (v) => readPath(v, 'mqttCredentialsFile', ctx('mqttCredentialsFile'))),
    mqttCaFile: take('mqttCaFile', config.mqttCaFile, (v) => readPath(v, 'mqttCaFile', ctx('mqttCaFile'))),
    log: { ...config.log, level: take('logLevel', config.log.level, (v) => readChoice(v, 'log.level', LOG_LEVELS, at('logLevel'))) },
  };
}

/**
 * http.tls with --http-tls-cert / --http-tls-key (or their variables) applied. One of the two may
 * replace the file's; without http.tls in the file they come as a pair, since half a TLS setup is
 * a mistake to point out, not plain HTTP to fall back to.
 */
function tlsOverride(
  tls: TlsFiles | undefined,
  o: ConfigOverrides,
  ctx: (key: keyof ConfigOverrides) => { origin: Origin; baseDir: string },
): { tls?: TlsFiles } {
  if (o.httpTlsCert === undefined && o.httpTlsKey === undefined) return {};
  const cert = o.httpTlsCert === undefined ? tls?.cert : readPath(o.httpTlsCert, 'http.tls.cert', ctx('httpTlsCert'));
  const key = o.httpTlsKey === undefined ? tls?.key : readPath(o.httpTlsKey, 'http.tls.key', ctx('httpTlsKey'));
  const name = (k: keyof ConfigOverrides): string => ctx(k).origin.override ?? k;
  if (cert === undefined) {
    throw badConfig('http.tls.cert', `is missing: ${name('httpTlsKey')} needs ${name('httpTlsCert')} too (or http.tls in the config file)`);
  }
  if (key === undefined) {
    throw badConfig('http.tls.key', `is missing: ${name('httpTlsCert')} needs ${name('httpTlsKey')} too (or http.tls in the config file)`);
  }
  return { tls: { cert, key } };
}

/**
 * Reads the file's text; undefined when it does not exist and was not asked for by name. Errors
 * name the path and the errno, never the underlying message.
 */
function readConfigFile(file: string, named: boolean): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = errnoCode(e) ?? 'unknown error';
    if (code === 'ENOENT' && !named) return undefined;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new MySealError(ErrorCode.CONFIG_UNREADABLE, `config file ${file} ${why}`, { file, errno: code });
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new MySealError(ErrorCode.CONFIG_UNREADABLE, `config file ${file} is larger than ${MAX_CONFIG_BYTES} bytes`, { file });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw configError([{ field: FILE_FIELD, problem: 'is not UTF-8 text', file }]);
  }
}

/**
 * The promise of this module: only MySealError leaves it. Anything else would be a bug in the
 * validation; it is reported as BAD_CONFIG without its message (which might quote the file).
 */
function onlyMySealError(e: unknown): MySealError {
  if (isMySealError(e)) return e;
  return new MySealError(ErrorCode.BAD_CONFIG, 'the configuration could not be validated (internal error)', { field: '(unknown)' });
}
