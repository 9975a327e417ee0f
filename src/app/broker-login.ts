/**
 * What MySeal needs to connect to an MQTT broker besides its URL, read from the files the
 * configuration names: the login (a private file, config/mqtt-credentials.ts) and the CA
 * certificates for mqtts://. Shared by `serve` and the one-shot commands, for the gateway's broker
 * and for controllers.mqtt. The password goes to mqtt.js and nowhere else.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { readMqttCredentials } from '../config/mqtt-credentials.ts';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';
import { createGateway } from '../gateway/create-gateway.ts';
import type { GatewayTransport } from '../gateway/transport.ts';

/** No CA bundle comes near this (the whole Mozilla bundle is about 200 KiB). */
const MAX_CA_BYTES = 1024 * 1024;

export interface BrokerLogin {
  username?: string;
  password?: string;
  ca?: string;
}

function readCaFile(path: string, field: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${path} cannot be read (${errnoCode(e) ?? 'error'})`, { field, file: path });
  }
  const text = bytes.toString('utf8');
  if (bytes.length > MAX_CA_BYTES || !text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${path} is not a PEM file of CA certificates`, { field, file: path });
  }
  return text;
}

export function brokerLogin(credentialsFile: string | undefined, caFile: string | undefined, fields: { credentials: string; ca: string }): BrokerLogin {
  const login: BrokerLogin = {};
  if (credentialsFile !== undefined) Object.assign(login, readMqttCredentials(credentialsFile, fields.credentials));
  if (caFile !== undefined) login.ca = readCaFile(caFile, fields.ca);
  return login;
}

/** The login for the gateway's own broker (mqttCredentialsFile, mqttCaFile). */
export function gatewayBrokerLogin(config: Config): BrokerLogin {
  return brokerLogin(config.mqttCredentialsFile, config.mqttCaFile, { credentials: 'mqttCredentialsFile', ca: 'mqttCaFile' });
}

/** The transport for the configured gateway, with its broker login when it is MQTT; not started. */
export function gatewayFromConfig(config: Config): GatewayTransport {
  if (!config.gateway) {
    throw new MySealError(ErrorCode.BAD_CONFIG, 'no gateway: give --gateway, MYSEAL_GATEWAY or gateway: in the config file', { field: 'gateway' });
  }
  return createGateway(config.gateway.transport, config.gateway.transport.kind === 'mqtt' ? gatewayBrokerLogin(config) : {});
}
