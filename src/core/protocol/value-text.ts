/**
 * Sealed values and the text MySensors lines carry: a report is relayed to controllers as the plain
 * line a node would have sent, and a controller's plain set is sealed as the smallest value type
 * that holds its text exactly.
 */
import { ErrorCode, MySealError } from '../errors.ts';
import { PayloadType } from '../mysensors/enums.ts';
import { toHex } from '../bytes.ts';
import type { SensorValue } from './body.ts';
import { MAX_SET_VALUE_LENGTH } from './body.ts';

/** The payload text a MySensors gateway would print for this value. */
export function valueToText(v: SensorValue): string {
  const view = new DataView(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  switch (v.payloadType) {
    case PayloadType.P_STRING:
      return new TextDecoder().decode(v.data);
    case PayloadType.P_BYTE:
      return String(view.getUint8(0));
    case PayloadType.P_INT16:
      return String(view.getInt16(0, true));
    case PayloadType.P_UINT16:
      return String(view.getUint16(0, true));
    case PayloadType.P_LONG32:
      return String(view.getInt32(0, true));
    case PayloadType.P_ULONG32:
      return String(view.getUint32(0, true));
    case PayloadType.P_FLOAT32:
      return String(Number(view.getFloat32(0, true).toPrecision(7)));
    case PayloadType.P_CUSTOM:
      return toHex(v.data, true);
  }
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** The value a controller's plain payload text means, in the smallest type that keeps it exact. */
export function textToValue(type: number, text: string): SensorValue {
  const numeric = (payloadType: PayloadType, length: number, write: (v: DataView) => void): SensorValue => {
    const data = new Uint8Array(length);
    write(new DataView(data.buffer));
    return { type, payloadType, data };
  };
  if (DECIMAL.test(text)) {
    const n = Number(text);
    if (n >= 0 && n <= 0xff) return numeric(PayloadType.P_BYTE, 1, (d) => d.setUint8(0, n));
    if (n >= -0x8000 && n <= 0x7fff) return numeric(PayloadType.P_INT16, 2, (d) => d.setInt16(0, n, true));
    if (n >= 0 && n <= 0xffff) return numeric(PayloadType.P_UINT16, 2, (d) => d.setUint16(0, n, true));
    if (n >= -0x80000000 && n <= 0x7fffffff) return numeric(PayloadType.P_LONG32, 4, (d) => d.setInt32(0, n, true));
    if (n >= 0 && n <= 0xffffffff) return numeric(PayloadType.P_ULONG32, 4, (d) => d.setUint32(0, n, true));
  }
  const data = new TextEncoder().encode(text);
  if (data.length > MAX_SET_VALUE_LENGTH) {
    throw new MySealError(ErrorCode.VALUE_TOO_LONG, `a sealed value holds at most ${MAX_SET_VALUE_LENGTH} bytes`, {
      length: data.length,
    });
  }
  if (!data.every((b) => b >= 0x20 && b < 0x7f && b !== 0x3b)) {
    throw new MySealError(ErrorCode.BAD_BODY, 'a sealed text value is printable ASCII without ";"', { length: data.length });
  }
  return { type, payloadType: PayloadType.P_STRING, data };
}
