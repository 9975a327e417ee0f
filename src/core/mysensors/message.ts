/**
 * The MySensors message as MySeal handles it on the controller side, and the one set of rules that
 * decides whether a message can be sent to (or accepted from) a gateway unchanged.
 *
 * Everything MySeal builds goes through validateMessage, so it never hands a gateway something the
 * gateway would quietly alter: cut at ';', cut to 25 bytes, overflow a buffer with long stream hex.
 */
import { ErrorCode, fail, MySealError, ok, type Result } from '../errors.ts';
import { fromHex, toHex } from '../bytes.ts';
import { Command } from './enums.ts';
import { describeValue, hasControlChar, hasLoneSurrogate, utf8Length } from './text.ts';

export interface MySensorsMessage {
  /** 0 is the gateway, 255 broadcast. */
  nodeId: number;
  /** 255 is the node itself. */
  childId: number;
  command: Command;
  /** From the controller: ask the destination for an echo. From the gateway: this is an echo. */
  echo: boolean;
  /** Read against the enum the command selects (see typeName); any byte is accepted. */
  type: number;
  /** As on the wire: text, or upper/lower-case hex for C_STREAM. */
  payload: string;
}

/** MAX_PAYLOAD_SIZE: a 32-byte radio frame minus the 7-byte header. Longer strings get cut. */
export const MAX_PAYLOAD_BYTES = 25;

/** Two hex digits per payload byte; the gateway's stream decoder has no bounds check beyond this. */
export const MAX_STREAM_HEX_CHARS = 2 * MAX_PAYLOAD_BYTES;

export interface ValidateOptions {
  /**
   * MQTT carries the payload apart from the topic, so a ';' there cuts nothing (the reference says
   * MQTT payloads may hold it). On a serial or TCP line it would end the payload: keep false there.
   */
  allowSemicolon?: boolean;
}

/** Number fields are shown in messages (they are not secret); anything else only by its length. */
function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return describeValue(value);
  return `of type ${typeof value}`;
}

function checkByte(value: unknown, field: string, label: string, code: ErrorCode, max = 255): Result<number> {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return ok(value);
  return fail(code, `${label} ${show(value)} is not an integer 0-${max}`, { field });
}

/** Rules for a C_STREAM payload, shared by validateMessage and streamPayloadToBytes. */
function checkStreamHex(payload: string): Result<Uint8Array> {
  // Length first, so a megabyte of garbage costs nothing more than this comparison.
  if (payload.length === 0) {
    // The gateway sends an empty payload as one 0 byte, so "nothing" cannot be sent: say so.
    return fail(ErrorCode.BAD_STREAM_HEX, 'stream payload is empty (a gateway would send one 0 byte)', {
      field: 'payload',
      length: 0,
    });
  }
  if (payload.length > MAX_STREAM_HEX_CHARS) {
    return fail(
      ErrorCode.BAD_STREAM_HEX,
      `stream payload has ${payload.length} hex characters; at most ${MAX_STREAM_HEX_CHARS} fit in 25 bytes`,
      { field: 'payload', length: payload.length },
    );
  }
  const bytes = fromHex(payload);
  if (bytes === null) {
    const why = payload.length % 2 === 1 ? 'an odd number of' : 'non-hex';
    return fail(ErrorCode.BAD_STREAM_HEX, `stream payload of ${payload.length} characters has ${why} characters`, {
      field: 'payload',
      length: payload.length,
    });
  }
  return ok(bytes);
}

/** Rules for any payload: text the gateway passes on unchanged; then the per-command size rule. */
function checkPayload(payload: unknown, command: Command, allowSemicolon: boolean): Result<string> {
  if (typeof payload !== 'string') {
    return fail(ErrorCode.PAYLOAD_NOT_TEXT, `payload ${show(payload)} is not a string`, { field: 'payload' });
  }
  const length = payload.length;
  if (hasLoneSurrogate(payload)) {
    return fail(ErrorCode.PAYLOAD_NOT_TEXT, `payload of ${length} characters has a lone surrogate (no UTF-8 form)`, {
      field: 'payload',
      length,
    });
  }
  // Control characters include '\n' and '\r' (they would end the line early) and NUL (it ends a C
  // string in the gateway). ';' would end the payload on a line.
  if (hasControlChar(payload) || (!allowSemicolon && payload.includes(';'))) {
    const what = allowSemicolon ? 'a control character' : "a control character or ';'";
    return fail(ErrorCode.PAYLOAD_FORBIDDEN_CHAR, `payload of ${length} characters holds ${what}`, {
      field: 'payload',
      length,
    });
  }
  if (command === Command.C_STREAM) {
    const bytes = checkStreamHex(payload);
    return bytes.ok ? ok(payload) : bytes;
  }
  const bytes = utf8Length(payload);
  if (bytes > MAX_PAYLOAD_BYTES) {
    return fail(
      ErrorCode.PAYLOAD_TOO_LONG,
      `payload is ${bytes} bytes of UTF-8; a gateway cuts anything past ${MAX_PAYLOAD_BYTES}`,
      { field: 'payload', length: bytes },
    );
  }
  return ok(payload);
}

/**
 * Checks every field and returns a fresh message holding exactly the six fields (extra properties
 * are dropped, so results compare with deepEqual). Never throws. Codes, checked in field order:
 * BAD_NODE_ID, BAD_CHILD_ID, BAD_COMMAND, BAD_ECHO, BAD_TYPE, then for the payload PAYLOAD_NOT_TEXT,
 * PAYLOAD_FORBIDDEN_CHAR, and BAD_STREAM_HEX (C_STREAM: 2-50 hex digits, even count, either case;
 * empty is refused) or PAYLOAD_TOO_LONG (others: more than 25 bytes of UTF-8).
 */
export function validateMessage(m: MySensorsMessage, options: ValidateOptions = {}): Result<MySensorsMessage> {
  if (typeof m !== 'object' || m === null) {
    return fail(ErrorCode.BAD_NODE_ID, `message ${show(m)} is not an object`, { field: 'nodeId' });
  }
  const nodeId = checkByte(m.nodeId, 'nodeId', 'node id', ErrorCode.BAD_NODE_ID);
  if (!nodeId.ok) return nodeId;
  const childId = checkByte(m.childId, 'childId', 'child id', ErrorCode.BAD_CHILD_ID);
  if (!childId.ok) return childId;
  const command = checkByte(m.command, 'command', 'command', ErrorCode.BAD_COMMAND, Command.C_STREAM);
  if (!command.ok) return command;
  if (typeof m.echo !== 'boolean') {
    return fail(ErrorCode.BAD_ECHO, `echo ${show(m.echo)} is not a boolean`, { field: 'echo' });
  }
  const type = checkByte(m.type, 'type', 'type', ErrorCode.BAD_TYPE);
  if (!type.ok) return type;
  const payload = checkPayload(m.payload, command.value, options.allowSemicolon === true);
  if (!payload.ok) return payload;
  return ok({
    nodeId: nodeId.value,
    childId: childId.value,
    command: command.value,
    echo: m.echo,
    type: type.value,
    payload: payload.value,
  });
}

/** validateMessage for builders: the message, or the validation error thrown. */
export function assertValidMessage(m: MySensorsMessage, options: ValidateOptions = {}): MySensorsMessage {
  const r = validateMessage(m, options);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * The bytes a node receives for a C_STREAM payload. Same rules as validateMessage: 2-50 hex digits,
 * an even count, either case; anything else is BAD_STREAM_HEX (PAYLOAD_NOT_TEXT if not a string).
 * Never throws.
 */
export function streamPayloadToBytes(payload: string): Result<Uint8Array> {
  if (typeof payload !== 'string') {
    return fail(ErrorCode.PAYLOAD_NOT_TEXT, `stream payload ${show(payload)} is not a string`, { field: 'payload' });
  }
  return checkStreamHex(payload);
}

/**
 * A C_STREAM payload for 1-25 bytes, in upper-case hex as a gateway prints binary. Throws MySealError
 * PAYLOAD_TOO_LONG above 25 bytes and BAD_STREAM_HEX for none (a gateway would send one 0 byte).
 */
export function bytesToStreamPayload(bytes: Uint8Array): string {
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    throw new MySealError(ErrorCode.PAYLOAD_TOO_LONG, `stream payload is ${bytes.length} bytes; at most 25 fit`, {
      field: 'payload',
      length: bytes.length,
    });
  }
  if (bytes.length === 0) {
    throw new MySealError(ErrorCode.BAD_STREAM_HEX, 'stream payload is empty (a gateway would send one 0 byte)', {
      field: 'payload',
      length: 0,
    });
  }
  return toHex(bytes, true);
}
