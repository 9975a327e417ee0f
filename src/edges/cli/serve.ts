/**
 * `myseal serve`: the daemon. Owns the gateway link, offers controllers a gateway-compatible port
 * (and, for an MQTT gateway, a second pair of topic prefixes), serves the HTTP API, and keeps the
 * audit log. Runs until SIGINT or SIGTERM. What it starts is composed in app/start-daemon.ts.
 */
import { loadConfig } from '../../config/config.ts';
import type { ConfigOverrides } from '../../config/config.ts';
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import { createLogger } from '../../app/logger.ts';
import type { RunningDaemon } from '../../app/start-daemon.ts';
import { ExitCode } from './exit-code.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';

const OPTIONS = {
  config: { type: 'string' },
  gateway: { type: 'string' },
  listen: { type: 'string' },
  http: { type: 'string' },
  'state-dir': { type: 'string' },
  'http-token-file': { type: 'string' },
  'http-tls-cert': { type: 'string' },
  'http-tls-key': { type: 'string' },
  'log-level': { type: 'string' },
  'mqtt-credentials-file': { type: 'string' },
  'mqtt-ca-file': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandArgs('serve', { args: argv, options: OPTIONS }));
  } catch (e) {
    process.stderr.write(usageLine('serve', e));
    return ExitCode.USAGE;
  }
  const flags: ConfigOverrides = {
    gateway: values.gateway,
    listen: values.listen,
    http: values.http,
    stateDir: values['state-dir'],
    httpTokenFile: values['http-token-file'],
    httpTlsCert: values['http-tls-cert'],
    httpTlsKey: values['http-tls-key'],
    logLevel: values['log-level'],
    mqttCredentialsFile: values['mqtt-credentials-file'],
    mqttCaFile: values['mqtt-ca-file'],
  };
  let running: RunningDaemon;
  try {
    const config = loadConfig(values.config, process.env, flags);
    const log = createLogger(config.log.level);
    // Which file the settings came from: the first question when they are not what was expected.
    if (config.file === undefined) log.info({}, 'no config file: settings from flags, environment and defaults');
    else log.info({ file: config.file }, 'config file loaded');
    running = await startDaemon(config, log);
  } catch (e) {
    process.stderr.write(`myseal serve: ${isMySealError(e) ? e.message : e instanceof Error ? e.message : 'failed to start'}\n`);
    return isMySealError(e) && (e.code === ErrorCode.BAD_CONFIG || e.code === ErrorCode.CONFIG_UNREADABLE || e.code === ErrorCode.PORT_IN_USE) ? ExitCode.BAD_CONFIG : ExitCode.FAILURE;
  }
  process.stdout.write(
    `myseal serve: controllers connect to ${running.listen.host}:${running.listen.port}, HTTP API and web page on ${running.httpUrl}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.stop();
  return 0;
}
