/**
 * How a MySensors 2.3.2 gateway reads what the controller sends (core/MyProtocol.cpp,
 * protocolSerial2MyMessage and protocolMQTT2MyMessage), quirks included: strtok collapses empty
 * fields, the payload is the sixth token (cut at its first ';'), numbers are atoi'd, a missing
 * payload becomes one 0 byte, strings are cut to 25 bytes, and the C_STREAM hex decoder writes
 * into a 25-byte stack buffer without a bounds check.
 *
 * Where the real gateway would run off the end of a buffer, this one records a GatewayFault and
 * drops the message instead: tests use that to prove MySeal never sends such a thing.
 */
import { Command, PayloadType } from '../core/mysensors/enums.ts';
import { MAX_PAYLOAD_BYTES, MAX_STREAM_HEX_CHARS } from '../core/mysensors/message.ts';
import { atoi, cString, decodeStreamHex, strtok, toUint8 } from './c-string.ts';
import { stringPayload } from './radio-message.ts';
import type { RadioMessage } from './radio-message.ts';

export type GatewayFaultKind =
  /** More than 50 hex characters: the decoder writes past its 25-byte stack buffer (issue #1622). */
  | 'stream-overflow'
  /** An odd number of hex characters: the decoder reads the terminating NUL and on past it. */
  | 'stream-odd-length'
  /** MQTT: the decoder ran past the payload into stale bytes of PubSubClient's packet buffer. */
  | 'stream-read-past-payload';

export interface GatewayFault {
  kind: GatewayFaultKind;
  via: 'line' | 'mqtt';
  /** Hex characters the decoder consumed. */
  hexLength: number;
  /** The destination field, when it had been read. */
  nodeId?: number;
}

export type InputDropReason = 'too-few-fields';

export interface ParsedInput {
  /** What the gateway acts on; null when it drops the input. */
  message: RadioMessage | null;
  faults: GatewayFault[];
  drop?: InputDropReason;
}

const SEMICOLON = 0x3b;
const SLASH = 0x2f;
const CR = 0x0d;
const LF = 0x0a;

function header(): RadioMessage {
  // protocolSerial2MyMessage sets sender and last to the gateway and clears the echo flag; the
  // other fields are whatever the tokens say.
  return {
    sender: 0,
    destination: 0,
    childId: 0,
    command: 0,
    requestEcho: false,
    isEcho: false,
    type: 0,
    payloadType: PayloadType.P_BYTE,
    data: new Uint8Array([0]),
  };
}

/**
 * The C_STREAM decoder. `chars` is what `while (*str)` walks over. Returns the payload, or null
 * after recording a fault where the real decoder would have corrupted memory.
 */
function decodeStream(chars: Uint8Array, via: GatewayFault['via'], nodeId: number, faults: GatewayFault[]): Uint8Array | null {
  if (chars.length > MAX_STREAM_HEX_CHARS) {
    faults.push({ kind: 'stream-overflow', via, hexLength: chars.length, nodeId });
    return null;
  }
  if (chars.length % 2 === 1) {
    faults.push({ kind: 'stream-odd-length', via, hexLength: chars.length, nodeId });
    return null;
  }
  return decodeStreamHex(chars);
}

/**
 * One controller line (without its line end, as the transport's reader cut it; string lines are
 * taken as UTF-8). Fewer than five fields: dropped without a word, as the gateway does.
 */
export function parseControllerLine(input: Uint8Array | string): ParsedInput {
  const bytes = cString(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  const tokens = strtok(bytes, SEMICOLON);
  const faults: GatewayFault[] = [];
  if (tokens.length < 5) return { message: null, faults, drop: 'too-few-fields' };
  const [node, child, command, echo, type] = tokens as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const m = header();
  m.destination = toUint8(atoi(node));
  m.childId = toUint8(atoi(child));
  // The local `command` keeps the whole int for the C_STREAM test; the header keeps 3 bits.
  const commandValue = atoi(command);
  m.command = commandValue & 7;
  m.requestEcho = atoi(echo) !== 0;
  m.type = toUint8(atoi(type));
  // strtok stopped after five tokens, so the payload is the sixth: cut at its first ';'.
  const payload = tokens[5];
  if (payload === undefined) return { message: m, faults }; // set((uint8_t)0)
  if (commandValue === Command.C_STREAM) {
    const data = decodeStream(payload, 'line', m.destination, faults);
    if (data === null) return { message: null, faults };
    m.payloadType = PayloadType.P_CUSTOM;
    m.data = data;
    return { message: m, faults };
  }
  // One trailing '\r' or '\n' is removed (the serial transport ends lines at '\n' only, so a
  // controller sending '\r\n' leaves a '\r' here).
  const last = payload[payload.length - 1];
  const text = last === CR || last === LF ? payload.subarray(0, -1) : payload;
  Object.assign(m, stringPayload(text));
  return { message: m, faults };
}

/**
 * One MQTT message on `<inPrefix>/node/child/command/echo/type`. `streamChars` is what the stream
 * decoder's `while (*payload)` reads: by default the payload up to a 0 byte; the MQTT front passes
 * the longer run its PubSubClient buffer model yields when stale bytes follow the payload.
 */
export function parseControllerMqtt(topic: string, payload: Uint8Array, inPrefix: string, streamChars?: Uint8Array): ParsedInput {
  // topic + strlen(prefix) + 1: the prefix is skipped by length, never compared (the broker's
  // subscription match is trusted).
  const rest = new TextEncoder().encode(topic).subarray(new TextEncoder().encode(inPrefix).length + 1);
  const tokens = strtok(cString(rest), SLASH);
  const faults: GatewayFault[] = [];
  const m = header();
  let index = 0;
  for (const token of tokens) {
    if (index >= 5) break;
    switch (index) {
      case 0:
        m.destination = toUint8(atoi(token));
        break;
      case 1:
        m.childId = toUint8(atoi(token));
        break;
      case 2: {
        // The payload is decoded here, before echo and type are read: a stream overflow happens
        // even when the topic turns out to be short of levels.
        const commandValue = atoi(token);
        m.command = commandValue & 7;
        if (commandValue === Command.C_STREAM) {
          const data = decodeStream(streamChars ?? cString(payload), 'mqtt', m.destination, faults);
          if (data === null) return { message: null, faults };
          const own = cString(payload).length;
          if (streamChars !== undefined && streamChars.length > own) {
            faults.push({ kind: 'stream-read-past-payload', via: 'mqtt', hexLength: streamChars.length, nodeId: m.destination });
          }
          m.payloadType = PayloadType.P_CUSTOM;
          m.data = data.subarray(0, MAX_PAYLOAD_BYTES);
        } else {
          // value[length] = '\0': the payload ends at its length (or an earlier NUL).
          Object.assign(m, stringPayload(cString(payload)));
        }
        break;
      }
      case 3:
        m.requestEcho = atoi(token) !== 0;
        break;
      case 4:
        m.type = toUint8(atoi(token));
        break;
    }
    index++;
  }
  if (index < 5) return { message: null, faults, drop: 'too-few-fields' };
  return { message: m, faults };
}
