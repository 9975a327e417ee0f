/**
 * `myseal digit D --node N`: one key press of PIN entry, handed to the running daemon. Returns at
 * once, even for the last digit: Domoticz runs a selector's script action synchronously, so a
 * script that waited for the lock would freeze its event system. The outcome reaches the
 * controllers as V_LOCK_STATUS and V_TEXT, and the audit log.
 */
import { loadClientConfig } from '../../config/client-config.ts';
import { ExitCode } from './exit-code.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';
import { callDaemon, daemonUrl, tokenRefusal } from '../http/daemon-client.ts';
import { isMySealError } from '../../core/errors.ts';

const DIGIT_TIMEOUT_MS = 5_000;

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs('digit', {
      args: argv,
      allowPositionals: true,
      options: { node: { type: 'string' }, config: { type: 'string' }, http: { type: 'string' }, 'state-dir': { type: 'string' } },
    });
  } catch (e) {
    process.stderr.write(usageLine('digit', e));
    return ExitCode.USAGE;
  }
  const key = parsed.positionals[0];
  const node = parsed.values.node;
  // One printable character: which ones are keys (the submit and clear keys are configurable) is the
  // daemon's to say, since it is the daemon's configuration that counts.
  if (parsed.positionals.length !== 1 || key === undefined || !/^[\x21-\x7e]$/.test(key) || !node || !/^[0-9]{1,3}$/.test(node)) {
    process.stderr.write('myseal digit: give one key (0-9, the submit key or the clear key) and --node N\n');
    return ExitCode.USAGE;
  }
  let config;
  try {
    config = await loadClientConfig(parsed.values.config, env, { http: parsed.values.http, stateDir: parsed.values['state-dir'] });
    const query = new URLSearchParams({ node, d: key, wait: '0' });
    const answer = await callDaemon(config, `/digit?${query.toString()}`, { timeoutMs: DIGIT_TIMEOUT_MS });
    if (answer.status >= 200 && answer.status < 300) return ExitCode.OK;
    if (answer.status === 401) {
      process.stderr.write(`myseal digit: ${tokenRefusal(config)}\n`);
      return ExitCode.TOKEN_REFUSED;
    }
    const message = typeof answer.body.message === 'string' ? answer.body.message : `daemon answered ${answer.status}`;
    process.stderr.write(`myseal digit: ${message}\n`);
    return ExitCode.USAGE;
  } catch (e) {
    if (isMySealError(e)) {
      process.stderr.write(`myseal digit: ${e.message}\n`);
      return ExitCode.BAD_CONFIG;
    }
    process.stderr.write(`myseal digit: no daemon answers${config ? ` at ${daemonUrl(config)}` : ''} (is myseal serve running?)\n`);
    return ExitCode.GATEWAY_UNREACHABLE;
  }
}
