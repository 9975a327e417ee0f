/**
 * PINs travel and are stored as 4 bytes of packed BCD: digits high nibble first, padded with 0xF.
 * "1234" -> 12 34 FF FF; "12345678" -> 12 34 56 78. Fixed length, so a frame never shows how many
 * digits a PIN has, and the node compares two 4-byte arrays in constant time.
 */
import { ErrorCode, MySealError } from '../errors.ts';
import { PIN_ENCODED_LENGTH, PIN_MAX_DIGITS, PIN_MIN_DIGITS } from './constants.ts';

const PIN_PATTERN = new RegExp(`^[0-9]{${PIN_MIN_DIGITS},${PIN_MAX_DIGITS}}$`);

export function isValidPin(pin: string): boolean {
  return PIN_PATTERN.test(pin);
}

/** Throws BAD_PIN (without echoing the PIN) unless it is 4 to 8 decimal digits. */
export function encodePin(pin: string): Uint8Array {
  if (!isValidPin(pin)) {
    throw new MySealError(ErrorCode.BAD_PIN, `a PIN is ${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits`, {
      length: pin.length,
    });
  }
  const out = new Uint8Array(PIN_ENCODED_LENGTH).fill(0xff);
  for (let i = 0; i < pin.length; i++) {
    const digit = pin.charCodeAt(i) - 48;
    const shift = i % 2 === 0 ? 4 : 0;
    const byte = out[i >> 1]!;
    out[i >> 1] = (byte & ~(0xf << shift)) | (digit << shift);
  }
  return out;
}

/** Checks the layout: 4 to 8 digits, then only 0xF nibbles. Null when malformed. */
export function decodePin(encoded: Uint8Array): string | null {
  if (encoded.length !== PIN_ENCODED_LENGTH) return null;
  let pin = '';
  let ended = false;
  for (let i = 0; i < PIN_MAX_DIGITS; i++) {
    const byte = encoded[i >> 1]!;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0xf;
    if (nibble === 0xf) {
      ended = true;
    } else if (nibble <= 9 && !ended) {
      pin += String(nibble);
    } else {
      return null;
    }
  }
  return pin.length >= PIN_MIN_DIGITS ? pin : null;
}
