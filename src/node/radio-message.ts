/**
 * A MySensors message as it exists inside the gateway and on the radio (core/MyMessage.h): header
 * fields, a payload type and up to 25 raw bytes. The controller never sees this form; it sees the
 * gateway's printout of it (gateway-output.ts).
 */
import { Command, PayloadType } from '../core/mysensors/enums.ts';
import { MAX_PAYLOAD_BYTES } from '../core/mysensors/message.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { fromHex, toHex } from '../core/bytes.ts';

export interface RadioMessage {
  sender: number;
  destination: number;
  childId: number;
  /** The 3-bit command field: 0-7, 5-7 being invalid but representable. */
  command: number;
  requestEcho: boolean;
  isEcho: boolean;
  type: number;
  payloadType: PayloadType;
  /** At most 25 bytes (MAX_PAYLOAD_SIZE). */
  data: Uint8Array;
  /** Decimals a P_FLOAT32 prints with (MyMessage keeps them beside the value). */
  floatDecimals?: number;
}

/** What a node's sketch sees in receive(): the message plus its payload as getString(buffer) gives it. */
export interface NodeMessage extends RadioMessage {
  text: string;
}

/** MyMessage::set(const char*): the bytes, cut to 25, typed P_STRING. */
export function stringPayload(bytes: Uint8Array): Pick<RadioMessage, 'payloadType' | 'data'> {
  return { payloadType: PayloadType.P_STRING, data: Uint8Array.from(bytes.subarray(0, MAX_PAYLOAD_BYTES)) };
}

/** dtostrf(value, 2, decimals): fixed decimals, at least two characters wide. */
function dtostrf(value: number, decimals: number): string {
  return value.toFixed(decimals).padStart(2, ' ');
}

/**
 * MyMessage::getString(buffer): strings raw (to the first NUL), numbers in decimal, P_CUSTOM as
 * upper-case hex. This is what the gateway prints after the fifth ';' and publishes over MQTT.
 */
export function renderPayload(m: RadioMessage): Uint8Array {
  const d = m.data;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  // Short data reads as zeros, as the fixed-size union in MyMessage would.
  const padded = (n: number): DataView => {
    if (d.length >= n) return view;
    const copy = new Uint8Array(n);
    copy.set(d);
    return new DataView(copy.buffer);
  };
  switch (m.payloadType) {
    case PayloadType.P_STRING: {
      const end = d.indexOf(0);
      return Uint8Array.from(end < 0 ? d : d.subarray(0, end));
    }
    case PayloadType.P_BYTE:
      return text(String(d[0] ?? 0));
    case PayloadType.P_INT16:
      return text(String(padded(2).getInt16(0, true)));
    case PayloadType.P_UINT16:
      return text(String(padded(2).getUint16(0, true)));
    case PayloadType.P_LONG32:
      return text(String(padded(4).getInt32(0, true)));
    case PayloadType.P_ULONG32:
      return text(String(padded(4).getUint32(0, true)));
    case PayloadType.P_FLOAT32:
      return text(dtostrf(padded(4).getFloat32(0, true), Math.min(m.floatDecimals ?? 2, 8)));
    case PayloadType.P_CUSTOM:
    default:
      return text(toHex(d, true));
  }
}

/** The payload as a sketch's getString(buffer) would hand it over, as a JS string. */
export function payloadText(m: RadioMessage): string {
  return new TextDecoder().decode(renderPayload(m));
}

export function asNodeMessage(m: RadioMessage): NodeMessage {
  return { ...m, data: Uint8Array.from(m.data), text: payloadText(m) };
}

/**
 * A message a virtual node sends, from the controller-side form a node implementation writes:
 * C_STREAM payloads are hex and become P_CUSTOM bytes (as a sketch's set(buffer, length)); all
 * others are strings, cut to 25 bytes like MyMessage::set does. nodeId is the sender and is
 * overwritten with the node's own id, as the radio stamps it.
 */
export function fromNodeMessage(nodeId: number, m: MySensorsMessage): RadioMessage {
  let payload: Pick<RadioMessage, 'payloadType' | 'data'>;
  if (m.command === Command.C_STREAM) {
    const bytes = fromHex(m.payload);
    if (bytes === null || bytes.length > MAX_PAYLOAD_BYTES) {
      // A bug in the virtual node, not input to simulate: say so at once.
      throw new TypeError(`virtual node ${nodeId} sent a stream payload that is not 0-25 bytes of hex`);
    }
    payload = { payloadType: PayloadType.P_CUSTOM, data: bytes };
  } else {
    payload = stringPayload(new TextEncoder().encode(m.payload));
  }
  return {
    sender: nodeId,
    destination: 0,
    childId: m.childId & 0xff,
    command: m.command & 7,
    requestEcho: false,
    isEcho: false,
    type: m.type & 0xff,
    ...payload,
  };
}
