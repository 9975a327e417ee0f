/**
 * The rules on the HTTP API's address: with the controller port's, all that a client of the daemon
 * (`myseal digit`, client-config.ts) reads, so its light reading checks them too. rules.ts runs them
 * first among the rules between settings.
 */
import type { Origin } from './fields.ts';
import { formatHostPort, isLoopbackHost } from './host-port.ts';
import type { ConfigProblems } from './problems.ts';
import type { Config, HostPort } from './types.ts';

/** The settings these rules read. */
export type HttpRuleSettings = Pick<Config, 'listen'> & { readonly http: Pick<Config['http'], 'listen' | 'tokenFile'> };

/** Records every rule on the HTTP API's address that `config` breaks in `problems`. */
export function checkHttpRules(config: HttpRuleSettings, problems: ConfigProblems, origin: Origin): void {
  // The HTTP API opens doors. Off loopback anyone on the network can reach it, so a token is required;
  // on loopback other local users still can, which the docs point out.
  if (!isLoopbackHost(config.http.listen.host) && config.http.tokenFile === undefined) {
    problems.add(
      'http.tokenFile',
      `is required because http.listen ${formatHostPort(config.http.listen)} is not a loopback address ` +
        '(create a 0600 file holding the API token and name it here, or with --http-token-file)',
      origin,
    );
  }

  if (sameAddress(config.listen, config.http.listen)) {
    problems.add('http.listen', `${formatHostPort(config.http.listen)} is also the controller port (listen)`, origin);
  }
}

export function sameAddress(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}
