/**
 * Rules that involve more than one field. They run on the final configuration, after the file, the
 * environment and the flags are merged, because an override may be what satisfies them (a
 * --http-token-file given together with --http 0.0.0.0:7325).
 * Every broken rule is recorded, not only the first.
 */
import type { Origin } from './fields.ts';
import type { ConfigProblems } from './problems.ts';
import { gatewayTopicPrefixes } from './gateway-url.ts';
import { formatHostPort } from './host-port.ts';
import { checkHttpRules, sameAddress } from './http-rules.ts';
import type { Config } from './types.ts';

/** Records every rule the configuration breaks in `problems`. */
export function checkRules(config: Config, problems: ConfigProblems): void {
  const origin: Origin = config.file === undefined ? {} : { file: config.file };

  checkHttpRules(config, problems, origin);

  const gw = config.gateway;
  if (gw?.transport.kind === 'tcp') {
    // Both default to port 5003: a gateway on this same machine must not be answered by ourselves.
    if (sameAddress(config.listen, { host: gw.transport.host, port: gw.transport.port })) {
      problems.add(
        'listen',
        `${formatHostPort(config.listen)} is the gateway's own address; controllers must connect to a different port`,
        origin,
      );
    }
  }

  // A broker login or CA file is for a broker: set for a gateway that has none, it would be ignored,
  // and a setting that is silently ignored in a security tool is a trap.
  const mqttGateway = gw?.transport.kind === 'mqtt' ? gw.transport : undefined;
  if (gw !== undefined && mqttGateway === undefined) {
    for (const [field, value] of [['mqttCredentialsFile', config.mqttCredentialsFile], ['mqttCaFile', config.mqttCaFile]] as const) {
      if (value !== undefined) problems.add(field, `is for an mqtt:// or mqtts:// gateway; this gateway is ${gw.scheme}`, origin);
    }
  }
  if (mqttGateway !== undefined && config.mqttCaFile !== undefined && !mqttGateway.url.startsWith('mqtts:')) {
    problems.add('mqttCaFile', 'is for an mqtts:// gateway (TLS); this one is mqtt://', origin);
  }
  if (mqttGateway !== undefined && config.controllers.mqtt !== undefined) {
    problems.add(
      'controllers.mqtt',
      "is for a tcp or serial gateway; with an MQTT gateway controllers use the mqttProxy prefixes on the gateway's broker",
      origin,
    );
  }

  const { inPrefix, outPrefix } = config.mqttProxy;
  if (inPrefix === outPrefix) problems.add('mqttProxy.outPrefix', `is the same as mqttProxy.inPrefix`, origin);
  const gwTopics = gw === undefined ? undefined : gatewayTopicPrefixes(gw);
  if (gwTopics !== undefined) {
    // Sharing a prefix with the gateway would let controllers publish straight to it, around MySeal.
    for (const [field, prefix] of [['mqttProxy.inPrefix', inPrefix], ['mqttProxy.outPrefix', outPrefix]] as const) {
      if (prefix === gwTopics.inPrefix || prefix === gwTopics.outPrefix) {
        problems.add(field, `"${prefix}" is also one of the gateway's topic prefixes; use a prefix of its own`, origin);
      }
    }
  }
}
