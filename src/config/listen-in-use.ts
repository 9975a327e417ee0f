/**
 * The error for a listen address another program holds, naming the setting and every way to change
 * it: `http.listen 127.0.0.1:7325 is in use by another program: set http.listen (or --http /
 * MYSEAL_HTTP) to a free port`. Node's own `listen EADDRINUSE` says none of that.
 */
import { ErrorCode, MySealError } from '../core/errors.ts';
import { CONFIG_ENV, CONFIG_FLAGS } from './override-names.ts';
import { formatHostPort } from './host-port.ts';
import type { HostPort } from './types.ts';

/** The configuration field each listen override sets. */
const FIELD = { listen: 'listen', http: 'http.listen' } as const;

export function listenAddressInUse(setting: keyof typeof FIELD, address: HostPort): MySealError {
  const field = FIELD[setting];
  return new MySealError(
    ErrorCode.PORT_IN_USE,
    `${field} ${formatHostPort(address)} is in use by another program: ` +
      `set ${field} (or ${CONFIG_FLAGS[setting]} / ${CONFIG_ENV[setting]}) to a free port`,
    { field, port: address.port },
  );
}
