/**
 * The MQTT gateway's topic prefixes: the defaults and what makes one unusable. Apart from the topic
 * codec (mqtt-topic.ts) so that checking a gateway URL, as every command that reads the configuration
 * does, loads no more than this.
 */
import { hasControlChar, hasLoneSurrogate } from './text.ts';

/** MY_MQTT_PUBLISH_TOPIC_PREFIX: the gateway publishes what it hears from nodes here. */
export const MQTT_DEFAULT_OUT_PREFIX = 'mygateway1-out';
/** MY_MQTT_SUBSCRIBE_TOPIC_PREFIX: the gateway takes commands for nodes from here. */
export const MQTT_DEFAULT_IN_PREFIX = 'mygateway1-in';

/**
 * Why a prefix cannot be used, or undefined when it can. Wildcards would make the prefix a filter,
 * not a topic; a trailing '/' would make an empty level; control characters and lone surrogates
 * have no place in a topic name.
 */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== 'string') return `of type ${typeof prefix} is not a string`;
  if (prefix === '') return 'is empty';
  if (prefix.includes('+') || prefix.includes('#')) return 'holds an MQTT wildcard';
  if (prefix.endsWith('/')) return "ends in '/'";
  if (hasControlChar(prefix) || hasLoneSurrogate(prefix)) return 'holds a control character or a lone surrogate';
  return undefined;
}
