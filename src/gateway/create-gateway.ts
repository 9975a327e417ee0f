/**
 * The transport for a gateway: TCP, serial or MQTT. Apart from parse-url.ts, which only reads the
 * addresses, so that what merely loads the configuration does not load the serial and MQTT libraries.
 */
import { MqttGateway } from './mqtt.ts';
import { parseGatewayUrl } from './parse-url.ts';
import type { GatewayConfig } from './parse-url.ts';
import { SerialGateway } from './serial.ts';
import { TcpGateway } from './tcp.ts';
import type { GatewayTransport } from './transport.ts';

export interface CreateGatewayOverrides {
  /** MQTT credentials from a secret store, so that they need not sit in the URL. */
  username?: string;
  password?: string;
  clientId?: string;
  /** PEM CA certificates for an mqtts:// broker. */
  ca?: string;
}

/** The transport for a gateway URL or an already parsed config; not started. */
export function createGateway(target: string | GatewayConfig, overrides: CreateGatewayOverrides = {}): GatewayTransport {
  const config = typeof target === 'string' ? parseGatewayUrl(target) : target;
  switch (config.kind) {
    case 'tcp':
      return new TcpGateway({ host: config.host, port: config.port });
    case 'serial':
      return new SerialGateway({ path: config.path, baudRate: config.baudRate });
    case 'mqtt':
      return new MqttGateway({
        url: config.url,
        inPrefix: config.inPrefix,
        outPrefix: config.outPrefix,
        clientId: overrides.clientId ?? config.clientId,
        username: overrides.username ?? config.username,
        password: overrides.password ?? config.password,
        ca: overrides.ca,
      });
  }
}
