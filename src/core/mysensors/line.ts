/**
 * The serial / Ethernet gateway line: `node;child;command;echo;type;payload\n`.
 *
 * MySensors' own parser is lenient (atoi, empty fields collapse and shift the others, a payload is
 * cut at its first ';'). MySeal is strict both ways: parseLine refuses anything the gateway would
 * have read differently from what it says, and formatLine never builds such a line.
 */
import { ErrorCode, fail, type Result } from '../errors.ts';
import { assertValidMessage, validateMessage, type MySensorsMessage } from './message.ts';
import { describeValue, hasControlChar, hasLoneSurrogate, parseDecimal, utf8Length } from './text.ts';

/** MY_GATEWAY_MAX_RECEIVE_LENGTH: a gateway drops longer input lines. Counted in bytes, as its buffer does. */
export const MAX_LINE_LENGTH = 100;

/** Header fields in line order, with the code that names each one's failure. */
const HEADER = [
  { field: 'nodeId', label: 'node id', code: ErrorCode.BAD_NODE_ID },
  { field: 'childId', label: 'child id', code: ErrorCode.BAD_CHILD_ID },
  { field: 'command', label: 'command', code: ErrorCode.BAD_COMMAND },
  { field: 'echo', label: 'echo', code: ErrorCode.BAD_ECHO },
  { field: 'type', label: 'type', code: ErrorCode.BAD_TYPE },
] as const;

/** Removes one line ending: '\n' or '\r\n'. A lone '\r' stays and is refused as a control character. */
function stripLineEnd(line: string): string {
  if (line.endsWith('\r\n')) return line.slice(0, -2);
  if (line.endsWith('\n')) return line.slice(0, -1);
  return line;
}

/**
 * Parses one line, with or without its '\n' or '\r\n'. Never throws, whatever the string.
 *
 * The payload is everything after the fifth ';'. A gateway would cut it at a sixth ';', but MySeal
 * also reads lines written by controllers, and a string payload with ';' in it does occur there.
 * Rather than guess which half was meant, the whole rest is kept and then checked by the same rules
 * as validateMessage, which refuse ';' in a line payload (PAYLOAD_FORBIDDEN_CHAR): such a line
 * cannot mean the same thing to a gateway and to MySeal, so it is reported, never half-used.
 *
 * Codes: LINE_NOT_TEXT (not a string, control characters, lone surrogates), LINE_TOO_LONG (over 100
 * bytes without the line ending), LINE_FIELD_COUNT (fewer than six fields), BAD_NODE_ID,
 * BAD_CHILD_ID, BAD_COMMAND, BAD_ECHO, BAD_TYPE (empty, not plain decimal digits, or out of range),
 * then the payload codes of validateMessage.
 */
export function parseLine(line: string): Result<MySensorsMessage> {
  if (typeof line !== 'string') {
    return fail(ErrorCode.LINE_NOT_TEXT, `line of type ${typeof line} is not a string`);
  }
  const text = stripLineEnd(line);
  // Bytes, as the gateway's buffer counts them. Checked before the character scans below, so a huge
  // string costs one native length count and nothing more.
  const bytes = utf8Length(text);
  if (bytes > MAX_LINE_LENGTH) {
    return fail(ErrorCode.LINE_TOO_LONG, `line has more than ${MAX_LINE_LENGTH} bytes`, {
      length: bytes,
      max: MAX_LINE_LENGTH,
    });
  }
  if (hasControlChar(text) || hasLoneSurrogate(text)) {
    return fail(ErrorCode.LINE_NOT_TEXT, `line of ${text.length} characters holds a control character or a lone surrogate`, {
      length: text.length,
    });
  }

  const values: number[] = [];
  let start = 0;
  for (const { field, label, code } of HEADER) {
    const end = text.indexOf(';', start);
    if (end < 0) {
      return fail(ErrorCode.LINE_FIELD_COUNT, `line has ${values.length + 1} fields; a message has 6`, {
        fields: values.length + 1,
      });
    }
    const raw = text.slice(start, end);
    const value = parseDecimal(raw);
    if (value === undefined) {
      // An empty field is the usual sign of a line whose fields a gateway would have shifted.
      const what = raw === '' ? 'is empty' : `${describeValue(raw)} is not a decimal number`;
      return fail(code, `${label} field ${what}`, { field });
    }
    values.push(value);
    start = end + 1;
  }
  const [nodeId, childId, command, echo, type] = values as [number, number, number, number, number];
  if (echo > 1) {
    return fail(ErrorCode.BAD_ECHO, `echo field ${echo} is not 0 or 1`, { field: 'echo' });
  }
  // validateMessage does the range checks and the payload rules: one set of rules for every codec.
  return validateMessage({ nodeId, childId, command, echo: echo === 1, type, payload: text.slice(start) });
}

/**
 * The line for a message, ending in '\n'. Throws MySealError with validateMessage's code when the
 * message is invalid, so no line leaves MySeal that a gateway would cut, shift or overflow on.
 * Valid messages always fit: at most 66 bytes before the '\n', well under the 100-byte limit.
 */
export function formatLine(m: MySensorsMessage): string {
  const v = assertValidMessage(m);
  return `${v.nodeId};${v.childId};${v.command};${v.echo ? 1 : 0};${v.type};${v.payload}\n`;
}
