/**
 * `myseal login-link`: a one-time link that signs a phone in to the web page without typing the API
 * token. The daemon makes the code (POST /api/login-link, with the token from http.tokenFile, as the
 * other commands reach it) and keeps it in memory only; this prints the link the phone opens.
 */
import { networkInterfaces } from 'node:os';
import { loadConfig } from '../../config/config.ts';
import { formatHostPort, isLoopbackHost } from '../../config/host-port.ts';
import type { Config } from '../../config/types.ts';
import { isMySealError } from '../../core/errors.ts';
import { callDaemon, daemonUrl, tokenRefusal } from '../http/daemon-client.ts';
import { ExitCode } from './exit-code.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';

const DAEMON_TIMEOUT_MS = 5_000;

export interface LoginLinkIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** This machine's addresses (os.networkInterfaces), for a daemon listening on all of them. */
  interfaces?: typeof networkInterfaces;
}

const PROCESS_IO: LoginLinkIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** An address of this machine another device on the network can reach: the first IPv4 one that is not loopback. */
function lanAddress(interfaces: typeof networkInterfaces): string | undefined {
  for (const list of Object.values(interfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** The host the link names: --host, else http.listen's, else (listening on every address) one of this machine's. */
export function linkHost(config: Config, given: string | undefined, interfaces: typeof networkInterfaces = networkInterfaces): string {
  if (given !== undefined) return given;
  const host = config.http.listen.host;
  if (host === '0.0.0.0' || host === '::' || host === '') return lanAddress(interfaces) ?? 'localhost';
  return host;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env, io: LoginLinkIo = PROCESS_IO): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandArgs('login-link', {
      args: argv,
      options: { host: { type: 'string' }, config: { type: 'string' }, http: { type: 'string' }, 'state-dir': { type: 'string' } },
    }));
  } catch (e) {
    io.stderr(usageLine('login-link', e));
    return ExitCode.USAGE;
  }
  if (values.host !== undefined && !/^[A-Za-z0-9.:-]{1,253}$/.test(values.host)) {
    io.stderr('myseal login-link: --host is a host name or an IP address (see myseal login-link --help)\n');
    return ExitCode.USAGE;
  }
  let config: Config | undefined;
  try {
    config = loadConfig(values.config, env, { http: values.http, stateDir: values['state-dir'] });
    if (!config.http.tokenFile) {
      io.stderr('myseal login-link: no API token is configured (http.tokenFile): the web page needs no login, and opens on this machine only\n');
      return ExitCode.BAD_CONFIG;
    }
    const answer = await callDaemon(config, '/api/login-link', { method: 'POST', body: {}, timeoutMs: DAEMON_TIMEOUT_MS });
    if (answer.status === 401) {
      io.stderr(`myseal login-link: ${tokenRefusal(config)}\n`);
      return ExitCode.TOKEN_REFUSED;
    }
    const path = answer.body.path;
    if (answer.status !== 200 || typeof path !== 'string' || !path.startsWith('/#')) {
      const message = typeof answer.body.message === 'string' ? answer.body.message : `the daemon answered ${answer.status}`;
      io.stderr(`myseal login-link: ${message}\n`);
      return ExitCode.FAILURE;
    }
    const host = linkHost(config, values.host, io.interfaces);
    const url = `${config.http.tls ? 'https' : 'http'}://${formatHostPort({ host, port: config.http.listen.port })}${path}`;
    const minutes = Math.round(Number(answer.body.validSeconds) / 60);
    io.stdout(`${url}\n`);
    io.stderr(`Open it on the phone within ${minutes} min: it signs in once. Until then anyone who has it can too: send it to yourself only.\n`);
    if (isLoopbackHost(host)) {
      io.stderr(`Note: ${host} is this machine: a phone reaches the daemon only if http.listen is an address of the network (then give --host NAME).\n`);
    }
    return ExitCode.OK;
  } catch (e) {
    if (isMySealError(e)) {
      io.stderr(`myseal login-link: ${e.message}\n`);
      return ExitCode.BAD_CONFIG;
    }
    io.stderr(`myseal login-link: no daemon answers${config ? ` at ${daemonUrl(config)}` : ''} (is myseal serve running?)\n`);
    return ExitCode.GATEWAY_UNREACHABLE;
  }
}
