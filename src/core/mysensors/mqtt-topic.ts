/**
 * The MQTT gateway's form of a message: topic `<prefix>/node/child/command/echo/type`, payload apart.
 *
 * The gateway publishes under its out prefix and subscribes to `<in prefix>/+/+/+/+/+`. Controllers
 * pick their own prefixes (Domoticz: 'domoticz/in/MyMQTT'), and those may contain '/', so the prefix
 * is matched as a whole string and only the five levels after it are split.
 */
import { ErrorCode, fail, MySealError, type Result } from '../errors.ts';
import { assertValidMessage, validateMessage, type MySensorsMessage } from './message.ts';
import { prefixProblem } from './mqtt-prefix.ts';
import { decodeUtf8, describeValue, parseDecimal } from './text.ts';

export { MQTT_DEFAULT_IN_PREFIX, MQTT_DEFAULT_OUT_PREFIX } from './mqtt-prefix.ts';

const LEVELS = ['node id', 'child id', 'command', 'echo', 'type'] as const;

/**
 * Parses a topic and its payload (a string, or the raw bytes an MQTT client hands over). Never
 * throws. BAD_TOPIC when the prefix is unusable, the topic does not start with `<prefix>/`, has
 * other than five levels after it, or a level that is not plain decimal digits; PAYLOAD_NOT_TEXT
 * for bytes that are not UTF-8; then validateMessage's codes, with ';' allowed in the payload.
 */
export function parseTopic(topic: string, payload: string | Uint8Array, prefix: string): Result<MySensorsMessage> {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) return fail(ErrorCode.BAD_TOPIC, `topic prefix ${problem}`, { field: 'prefix' });
  if (typeof topic !== 'string') return fail(ErrorCode.BAD_TOPIC, `topic of type ${typeof topic} is not a string`);
  const head = `${prefix}/`;
  if (!topic.startsWith(head)) {
    return fail(ErrorCode.BAD_TOPIC, `topic of ${topic.length} characters does not start with the prefix`, {
      length: topic.length,
    });
  }
  const levels = topic.slice(head.length).split('/');
  if (levels.length !== LEVELS.length) {
    return fail(ErrorCode.BAD_TOPIC, `topic has ${levels.length} levels after the prefix; a message has 5`, {
      levels: levels.length,
    });
  }
  const values: number[] = [];
  for (const [i, level] of levels.entries()) {
    const value = parseDecimal(level);
    if (value === undefined) {
      const what = level === '' ? 'is empty' : `${describeValue(level)} is not a decimal number`;
      return fail(ErrorCode.BAD_TOPIC, `topic level ${LEVELS[i]} ${what}`, { level: i });
    }
    values.push(value);
  }
  const [nodeId, childId, command, echo, type] = values as [number, number, number, number, number];
  if (echo > 1) return fail(ErrorCode.BAD_ECHO, `echo level ${echo} is not 0 or 1`, { field: 'echo' });

  let text: string;
  if (typeof payload === 'string') {
    text = payload;
  } else if (payload instanceof Uint8Array) {
    const decoded = decodeUtf8(payload);
    if (decoded === undefined) {
      return fail(ErrorCode.PAYLOAD_NOT_TEXT, `payload of ${payload.length} bytes is not UTF-8`, {
        field: 'payload',
        length: payload.length,
      });
    }
    text = decoded;
  } else {
    return fail(ErrorCode.PAYLOAD_NOT_TEXT, `payload of type ${typeof payload} is neither text nor bytes`, {
      field: 'payload',
    });
  }
  return validateMessage({ nodeId, childId, command, echo: echo === 1, type, payload: text }, { allowSemicolon: true });
}

/**
 * The topic and payload for a message. Throws MySealError: BAD_TOPIC for an unusable prefix, or
 * validateMessage's code (';' allowed in the payload; the 25-byte and stream-hex rules hold).
 */
export function formatTopic(m: MySensorsMessage, prefix: string): { topic: string; payload: string } {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) throw new MySealError(ErrorCode.BAD_TOPIC, `topic prefix ${problem}`, { field: 'prefix' });
  const v = assertValidMessage(m, { allowSemicolon: true });
  return { topic: `${prefix}/${v.nodeId}/${v.childId}/${v.command}/${v.echo ? 1 : 0}/${v.type}`, payload: v.payload };
}
