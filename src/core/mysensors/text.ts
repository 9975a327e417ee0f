/**
 * Text checks shared by the MySensors codecs, kept in one place so that the line codec, the topic
 * codec and the framer agree on what "text", "a decimal field" and "UTF-8 length" mean.
 */

/** C0 controls, DEL and C1 controls: none belongs in a gateway line (NUL alone would cut a C string). */
const CONTROL = /\p{Cc}/u;

/**
 * A UTF-16 surrogate without its partner. It has no UTF-8 encoding (an encoder substitutes U+FFFD),
 * so a string holding one would not survive the trip to the gateway and back.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasControlChar(s: string): boolean {
  return CONTROL.test(s);
}

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** Splits a string at its lone surrogates (for the framer, which marks each one as invalid UTF-8). */
export function splitAtLoneSurrogates(s: string): string[] {
  return s.split(new RegExp(LONE_SURROGATE.source, 'g'));
}

/** Bytes of a well-formed string in UTF-8, which is what the gateway's 25-byte payload limit counts. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// fatal: invalid bytes are an error, not U+FFFD. ignoreBOM: a leading EF BB BF is kept as U+FEFF
// rather than silently dropped, so decoding never changes what the bytes said.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding; undefined when the bytes are not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

const DIGITS = /^[0-9]+$/;

/**
 * A strict decimal field: digits only, at least one. No sign, spaces, hex or exponent (Number()
 * would accept all of those, and atoi would read '' as 0). Leading zeros are harmless and allowed.
 * Returns undefined for anything else; a huge digit string comes back as a huge number for the
 * caller's range check.
 */
export function parseDecimal(text: string): number | undefined {
  return DIGITS.test(text) ? Number(text) : undefined;
}

/**
 * How an error message may show a header value: quoted when short and plain printable ASCII,
 * otherwise only its length. Payloads are never shown, whatever their size: only their length.
 */
export function describeValue(value: string, maxShown = 16): string {
  return value.length <= maxShown && /^[\x20-\x7e]*$/.test(value) ? `"${value}"` : `of ${value.length} characters`;
}
