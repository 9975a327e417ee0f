/**
 * `myseal serve`: the daemon. Owns the gateway link, offers controllers a gateway-compatible port
 * (and, for an MQTT gateway, a second pair of topic prefixes), serves the HTTP API, and keeps the
 * audit log. Runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { formatHostPort, loadConfig } from '../../config/config.ts';
import type { Config, ConfigOverrides } from '../../config/config.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { Daemon } from '../../service/daemon.ts';
import type { NodeOptions } from '../../service/daemon.ts';
import { createLogger } from '../../app/logger.ts';
import { ErrorCode, isMySealError, MySealError } from '../../core/errors.ts';
import { createGateway } from '../../gateway/create-gateway.ts';
import { brokerLogin, gatewayBrokerLogin } from './broker-login.ts';
import { ApiServer } from '../http/api-server.ts';
import { readApiToken } from '../http/api-token.ts';
import { clearTextWarning, readTlsFiles } from '../http/tls.ts';
import { legacyUnlockLineFromStore } from '../../service/lock/legacy-sender.ts';
import { MqttBridge } from '../proxy/mqtt-bridge.ts';
import { controllerAccess } from '../proxy/controller-access.ts';
import { TcpListener } from '../proxy/tcp-listener.ts';
import { WebRoutes } from '../web/web-routes.ts';
import { FileCounters } from '../../store/counter-store.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { acquireStateLock } from '../../store/state-lock.ts';
import { ensureStateDir } from '../../store/state-dir.ts';

/** The API token: one line in a private file. */
function readToken(path: string | undefined): string | undefined {
  return path ? readApiToken(path) : undefined;
}

function daemonNodes(config: Config): Map<number, NodeOptions> {
  const nodes = new Map<number, NodeOptions>();
  for (const [id, node] of config.nodes) nodes.set(id, { name: node.name, children: node.children, allowFirmwareUpdate: node.allowFirmwareUpdate });
  return nodes;
}

export interface RunningDaemon {
  daemon: Daemon;
  listen: { host: string; port: number };
  http: { host: string; port: number };
  /** The web page's address: https:// when http.tls is set. */
  httpUrl: string;
  stop(): Promise<void>;
}

/** Operation timing, for the demo and tests that must not wait out the production defaults. */
export interface DaemonTuning {
  timeoutMs?: number;
  retries?: number;
}

/** Starts everything `serve` runs; resolves once every listener is up. Used by serve and the demo. */
export async function startDaemon(config: Config, log = createLogger(config.log.level), tuning: DaemonTuning = {}): Promise<RunningDaemon> {
  if (!config.gateway) {
    throw new MySealError(ErrorCode.BAD_CONFIG, 'no gateway: give --gateway, MYSEAL_GATEWAY or gateway: in the config file', {
      field: 'gateway',
    });
  }
  ensureStateDir(config.stateDir);
  const lock = acquireStateLock(config.stateDir, 'serve');
  const closers: (() => Promise<void> | void)[] = [() => lock.release()];
  const stop = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const token = readToken(config.http.tokenFile);
    const tls = config.http.tls && readTlsFiles(config.http.tls);
    if (tls?.expired) log.warn({ validTo: tls.validTo }, 'the HTTPS certificate has expired: browsers and clients will refuse it');
    const clearText = clearTextWarning(config.http.listen, config.http.tls);
    if (clearText !== undefined) log.warn({ http: formatHostPort(config.http.listen) }, clearText);
    const keys = FileKeyStore.open(config.stateDir);
    const counters = FileCounters.open(config.stateDir);
    const audit = AuditLog.open(config.stateDir, { maxBytes: config.log.auditMaxBytes, keep: config.log.auditKeep });
    closers.push(() => audit.close());
    const gatewayConfig = config.gateway.transport;
    // Broker logins are read once, at start; a missing or loose file stops the start with its reason.
    const gatewayLogin = gatewayConfig.kind === 'mqtt' ? gatewayBrokerLogin(config) : {};
    const controllerBroker = config.controllers.mqtt;
    const controllerLogin =
      controllerBroker === undefined
        ? {}
        : brokerLogin(controllerBroker.credentialsFile, controllerBroker.caFile, { credentials: 'controllers.mqttCredentialsFile', ca: 'controllers.mqttCaFile' });
    const gateway = createGateway(gatewayConfig, gatewayLogin);
    const legacyNodes = new Set([...config.nodes].filter(([, n]) => n.legacyEcb).map(([id]) => id));
    const nodes = daemonNodes(config);
    const daemon = new Daemon({
      gateway,
      keys,
      counters,
      nodes,
      audit,
      logger: log,
      digitTimeoutMs: config.pinEntry.digitTimeoutMs,
      submitKey: config.pinEntry.submitKey,
      clearKey: config.pinEntry.clearKey,
      pinTriesPerMinute: config.http.rateLimitPerMinute,
      timeoutMs: tuning.timeoutMs,
      retries: tuning.retries,
      legacy: {
        nodes: legacyNodes,
        line: (node, pin) => legacyUnlockLineFromStore({ stateDir: config.stateDir, node, pin, logger: log }),
      },
    });
    const access = controllerAccess(config.listen.host, config.controllers.allow);
    if (access.warning !== undefined) log.warn({ listen: config.listen.host }, access.warning);
    const tcp = new TcpListener(daemon, { host: config.listen.host, port: config.listen.port, access });
    const listen = await tcp.listen();
    closers.push(() => tcp.close());
    // The web page (src/web/): keypad, node list, audit log, live; its login sessions authorize like the token.
    const web = new WebRoutes(daemon, { token, stateDir: config.stateDir, audit, logger: log, nodes });
    const api = new ApiServer(daemon, {
      host: config.http.listen.host,
      port: config.http.listen.port,
      token,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      ...web.apiOptions(),
    });
    const http = await api.listen();
    closers.push(() => api.close());
    closers.push(() => web.close());
    // Controllers on MQTT: beside an MQTT gateway, on its broker, for everything; for a TCP or serial
    // gateway, on controllers.mqtt, for PIN digits and results (their messages use the TCP port).
    const bridgeTarget =
      gatewayConfig.kind === 'mqtt'
        ? { url: gatewayConfig.url, ...gatewayLogin, messages: true }
        : controllerBroker === undefined
          ? undefined
          : { url: controllerBroker.url, ...controllerLogin, messages: false };
    if (bridgeTarget !== undefined) {
      const bridge = new MqttBridge(daemon, { ...bridgeTarget, ...config.mqttProxy, logger: log });
      bridge.start();
      closers.push(() => bridge.stop());
    }
    daemon.start();
    closers.push(() => daemon.stop());
    const httpUrl = `${tls ? 'https' : 'http'}://${formatHostPort({ host: http.address, port: http.port })}/`;
    log.info(
      { gateway: gateway.description, listen: `${listen.address}:${listen.port}`, controllers: access.description, http: httpUrl },
      'myseal serve running',
    );
    return {
      daemon,
      listen: { host: listen.address, port: listen.port },
      http: { host: http.address, port: http.port },
      httpUrl,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
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
    },
  });
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
    running = await startDaemon(loadConfig(values.config, process.env, flags));
  } catch (e) {
    process.stderr.write(`myseal serve: ${isMySealError(e) ? e.message : e instanceof Error ? e.message : 'failed to start'}\n`);
    return isMySealError(e) && (e.code === ErrorCode.BAD_CONFIG || e.code === ErrorCode.CONFIG_UNREADABLE) ? 14 : 1;
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
