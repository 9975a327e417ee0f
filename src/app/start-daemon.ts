/**
 * The composition root of `myseal serve` (and the demo): the state dir and its lock, the stores and
 * the audit log, the gateway transport, the service (build-service.ts), and its listeners: the TCP
 * proxy for controllers, the HTTP API with the web page, and the MQTT bridge. Resolves once every
 * listener is up; stop() closes them in reverse order.
 */
import { formatHostPort } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { listenAddressInUse } from '../config/listen-in-use.ts';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';
import { createGateway } from '../gateway/create-gateway.ts';
import type { Daemon } from '../service/daemon.ts';
import { ApiServer } from '../edges/http/api-server.ts';
import { readApiToken } from '../edges/http/api-token.ts';
import { clearTextWarning, readTlsFiles } from '../edges/http/tls.ts';
import { MqttBridge } from '../edges/proxy/mqtt-bridge.ts';
import { HaDiscovery } from '../edges/proxy/ha-discovery.ts';
import type { SealedChild } from '../edges/proxy/ha-discovery-payloads.ts';
import { controllerAccess } from '../edges/proxy/controller-access.ts';
import { TcpListener } from '../edges/proxy/tcp-listener.ts';
import { WebRoutes } from '../edges/web/web-routes.ts';
import { brokerLogin, gatewayBrokerLogin } from './broker-login.ts';
import { buildService } from './build-service.ts';
import type { DaemonTuning } from './build-service.ts';
import { createLogger } from './logger.ts';
import { openState } from './open-state.ts';

export type { DaemonTuning } from './build-service.ts';

/** A listener's failure to bind, said as the setting to change when another program holds the port. */
function inUseAs(setting: 'listen' | 'http', address: { host: string; port: number }): (e: unknown) => never {
  return (e) => {
    throw errnoCode(e) === 'EADDRINUSE' ? listenAddressInUse(setting, address) : e;
  };
}

/**
 * A node's relays and contacts whose values only sealed reports set (not acceptPlain); relays only
 * when controllers' commands to them are sealed.
 */
function sealedChildren(config: Config, node: number): SealedChild[] {
  const out: SealedChild[] = [];
  for (const [child, c] of config.nodes.get(node)?.children ?? []) {
    if (c.acceptPlain) continue;
    if (c.kind === 'relay' && c.policy === 'seal') out.push({ kind: 'relay', child });
    if (c.kind === 'contact') out.push({ kind: 'contact', child });
  }
  return out;
}

export interface RunningDaemon {
  daemon: Daemon;
  listen: { host: string; port: number };
  http: { host: string; port: number };
  /** The web page's address: https:// when http.tls is set. */
  httpUrl: string;
  stop(): Promise<void>;
}

export async function startDaemon(config: Config, log = createLogger(config.log.level), tuning: DaemonTuning = {}): Promise<RunningDaemon> {
  if (!config.gateway) {
    throw new MySealError(ErrorCode.BAD_CONFIG, 'no gateway: give --gateway, MYSEAL_GATEWAY or gateway: in the config file', {
      field: 'gateway',
    });
  }
  const state = openState(config, 'serve', log);
  const closers: (() => Promise<void> | void)[] = [() => state.close()];
  const stop = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const token = config.http.tokenFile ? readApiToken(config.http.tokenFile) : undefined;
    const tls = config.http.tls && readTlsFiles(config.http.tls);
    if (tls?.expired) log.warn({ validTo: tls.validTo }, 'the HTTPS certificate has expired: browsers and clients will refuse it');
    const clearText = clearTextWarning(config.http.listen, config.http.tls);
    if (clearText !== undefined) log.warn({ http: formatHostPort(config.http.listen) }, clearText);
    const gatewayConfig = config.gateway.transport;
    // Broker logins are read once, at start; a missing or loose file stops the start with its reason.
    const gatewayLogin = gatewayConfig.kind === 'mqtt' ? gatewayBrokerLogin(config) : {};
    const controllerBroker = config.controllers.mqtt;
    const controllerLogin =
      controllerBroker === undefined
        ? {}
        : brokerLogin(controllerBroker.credentialsFile, controllerBroker.caFile, { credentials: 'controllers.mqttCredentialsFile', ca: 'controllers.mqttCaFile' });
    const gateway = createGateway(gatewayConfig, gatewayLogin);
    const daemon = buildService(config, {
      gateway,
      keys: state.keys,
      counters: state.counters,
      audit: state.audit,
      logger: log,
      tuning,
    });
    const access = controllerAccess(config.listen.host, config.controllers.allow);
    if (access.warning !== undefined) log.warn({ listen: config.listen.host }, access.warning);
    const tcp = new TcpListener(daemon, { host: config.listen.host, port: config.listen.port, access });
    const listen = await tcp.listen().catch(inUseAs('listen', config.listen));
    closers.push(() => tcp.close());
    // The web page (edges/web/): keypad, node list, audit log, live; its login sessions authorize like the token.
    const web = new WebRoutes(daemon, { token, stateDir: config.stateDir, logger: log });
    const api = new ApiServer(daemon, {
      host: config.http.listen.host,
      port: config.http.listen.port,
      token,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      ...web.apiOptions(),
    });
    const http = await api.listen().catch(inUseAs('http', config.http.listen));
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
      if (config.homeAssistant.discovery) {
        const discovery = new HaDiscovery(daemon, {
          ...bridgeTarget,
          topics: { prefix: config.homeAssistant.prefix, ...config.mqttProxy },
          sealedChildren: (node) => sealedChildren(config, node),
          logger: log,
        });
        discovery.start();
        closers.push(() => discovery.stop());
      }
    }
    daemon.start();
    closers.push(() => daemon.stop());
    const httpUrl = `${tls ? 'https' : 'http'}://${formatHostPort({ host: http.address, port: http.port })}/`;
    log.info(
      { gateway: gateway.description, listen: `${listen.address}:${listen.port}`, controllers: access.description, http: httpUrl },
      'myseal serve running',
    );
    return { daemon, listen: { host: listen.address, port: listen.port }, http: { host: http.address, port: http.port }, httpUrl, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
