/**
 * fast-check generators shared by the codec tests: valid messages (every field at every legal
 * value, payloads up to exactly the limits) and near-valid lines that reach the deep checks.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { ErrorCode, isMySealError, type MySealError, type Result } from '../../src/core/errors.ts';
import { toHex } from '../../src/core/bytes.ts';
import { Command } from '../../src/core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../src/core/mysensors/message.ts';
import { hasControlChar, utf8Length } from '../../src/core/mysensors/text.ts';

/** One character a text payload may hold: ASCII, any code point, whole graphemes (emoji, accents). */
function payloadChar(allowSemicolon: boolean): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom(...'0123456789.-:=/+ ;abcXYZ'),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    )
    .filter((c) => !hasControlChar(c) && (allowSemicolon || !c.includes(';')));
}

/** Text payloads of 0-25 UTF-8 bytes: characters are taken while they still fit. */
export function textPayload(allowSemicolon = false): fc.Arbitrary<string> {
  return fc.array(payloadChar(allowSemicolon), { maxLength: 30 }).map((chars) => {
    let s = '';
    for (const c of chars) {
      if (utf8Length(s + c) > 25) break;
      s += c;
    }
    return s;
  });
}

/** C_STREAM payloads: 1-25 bytes as hex in upper, lower or mixed case. */
export const streamPayload: fc.Arbitrary<string> = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 25 }), fc.constantFrom('upper', 'lower', 'mixed'))
  .map(([bytes, style]) => {
    const hex = toHex(bytes);
    if (style === 'upper') return hex.toUpperCase();
    if (style === 'lower') return hex;
    return [...hex].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
  });

export function validMessage(allowSemicolon = false): fc.Arbitrary<MySensorsMessage> {
  const byte = fc.integer({ min: 0, max: 255 });
  return fc
    .record({
      nodeId: byte,
      childId: byte,
      command: fc.constantFrom(
        Command.C_PRESENTATION,
        Command.C_SET,
        Command.C_REQ,
        Command.C_INTERNAL,
        Command.C_STREAM,
      ),
      echo: fc.boolean(),
      type: byte,
    })
    .chain((h) =>
      (h.command === Command.C_STREAM ? streamPayload : textPayload(allowSemicolon)).map((payload) => ({
        ...h,
        payload,
      })),
    );
}

/** Field text that is nearly right: the inputs that find parser bugs. */
const fieldText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '1', '4', '5', '255', '256', '00', '007', '', '+1', '-1', ' 1', '1 ', '0x1', '1e1', '1.0', 'ff'),
  fc.string({ maxLength: 4 }),
  fc.nat({ max: 1000 }).map(String),
);

/**
 * Lines that reach every check of parseLine: a valid line (either line codec's payload rules), then
 * maybe one mutation - a field replaced, a field or ';' added or removed, the payload swapped for
 * any text, a different line ending.
 */
export const nearLine: fc.Arbitrary<string> = fc
  .tuple(
    validMessage(true),
    fc.nat({ max: 6 }),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fieldText },
      { weight: 1, arbitrary: fc.constantFrom('drop', 'dup') },
      { weight: 1, arbitrary: fc.oneof(textPayload(true), streamPayload, fc.string({ unit: 'grapheme' })).map((p) => ({ p })) },
    ),
    fc.constantFrom('', '\n', '\r\n', '\n', '', '\r', '\n\n'),
  )
  .map(([m, at, mutation, end]) => {
    const fields = [m.nodeId, m.childId, m.command, m.echo ? 1 : 0, m.type].map(String);
    let payload = m.payload;
    if (typeof mutation === 'string') {
      if (mutation === 'drop') fields.splice(at % 5, 1);
      else if (mutation === 'dup') fields.splice(at % 5, 0, fields[at % 5] ?? '');
      else fields[at % 5] = mutation;
    } else if (mutation !== undefined) {
      payload = mutation.p;
    }
    return `${fields.join(';')};${payload}${end}`;
  });

/** A failed Result must carry a MySealError with a 1xx code; an ok one passes through. */
export function assertCodecResult<T>(r: Result<T>): void {
  if (r.ok) return;
  assert.ok(isMySealError(r.error), 'error is a MySealError');
  assert.ok(r.error.code >= 100 && r.error.code < 200, `code ${r.error.code} is in the 1xx block`);
  assert.ok(ErrorCode[r.error.code] !== undefined);
}

/** Asserts a failed Result with the given code, and returns its error for more checks. */
export function assertFails<T>(r: Result<T>, code: ErrorCode, what = ''): MySealError {
  assert.equal(r.ok, false, `${what} should fail with ${ErrorCode[code]}`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.error.codeName, ErrorCode[code], `${what}: ${r.error.message}`);
  return r.error;
}

/** Asserts fn throws a MySealError with the given code. */
export function assertThrowsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isMySealError(e), `threw a MySealError, got ${String(e)}`);
    assert.equal(e.codeName, ErrorCode[code], e.message);
    return true;
  });
}
