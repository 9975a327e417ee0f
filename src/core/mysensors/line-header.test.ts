import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatLine, parseLine } from './line.ts';
import { headerChild, headerCommand, headerEcho, headerNode, headerType, NOT_READ, packHeader, readLineHeader } from './line-header.ts';
import { nearLine, validMessage } from '../../../test/support/mysensors-arbitraries.ts';

const encoder = new TextEncoder();
const isAscii = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) < 0x80);

/**
 * The byte reader against parseLine, for a line as the framer hands it over (no line end): what
 * it reads, parseLine accepts with the same header; what parseLine accepts in ASCII, it reads.
 */
function agrees(line: string): void {
  // Read at an offset inside a larger buffer, as it is in a chunk.
  const bytes = encoder.encode(`xx${line}yy`);
  const header = readLineHeader(bytes, 2, bytes.length - 2);
  const parsed = parseLine(line);
  if (header !== NOT_READ) {
    assert.ok(parsed.ok, `read, but parseLine refuses ${JSON.stringify(line)}`);
    assert.equal(header, packHeader(parsed.value));
  } else if (isAscii(line)) {
    assert.ok(!parsed.ok, `parseLine accepts, but not read: ${JSON.stringify(line)}`);
  }
}

/** Lines as the framer hands them over: without line ends (which parseLine would strip). */
const framedLine = (s: string): string => s.replace(/[\r\n]+$/, '');

test('real gateway lines are read, with every header field', () => {
  const line = '5;1;4;1;83;0123456789abcdefABCDEF';
  const bytes = encoder.encode(line);
  const h = readLineHeader(bytes, 0, bytes.length);
  assert.deepEqual([headerNode(h), headerChild(h), headerCommand(h), headerEcho(h), headerType(h)], [5, 1, 4, true, 83]);
  for (const ok of ['0;255;3;0;14;Gateway startup complete.', '7;0;1;0;0;21.5', '0;255;3;0;2;', '255;255;0;0;255;x', '007;0;1;0;0;1']) agrees(ok);
  for (const ok of ['0;255;3;0;14;Gateway startup complete.', '7;0;1;0;0;21.5', '0;255;3;0;2;']) {
    const b = encoder.encode(ok);
    assert.notEqual(readLineHeader(b, 0, b.length), NOT_READ, ok);
  }
});

test('refusals: each field, the payload rules, the length; what is not ASCII is left to parseLine', () => {
  const refused = [
    '', ';;;;;', '1;1;1;0;2', '256;1;1;0;2;1', '1;256;1;0;2;1', '1;1;5;0;2;1', '1;1;1;2;2;1', '1;1;1;0;256;1', '+1;1;1;0;2;1',
    ' 1;1;1;0;2;1', '1;1;1;0;2;a;b', '1;1;1;0;2;a\tb', '1;1;1;0;2;\x7f', '1;1;1;0;2;' + 'x'.repeat(26), '1;1;4;0;2;',
    '1;1;4;0;2;abc', '1;1;4;0;2;zz', '1;1;4;0;2;' + 'ab'.repeat(26), '0'.repeat(90) + '1;1;1;0;2;1', '1;1;1;0;2;Tür',
  ];
  for (const line of refused) {
    const b = encoder.encode(line);
    assert.equal(readLineHeader(b, 0, b.length), NOT_READ, JSON.stringify(line));
    agrees(line);
  }
  agrees('1;1;1;0;2;' + 'x'.repeat(25));
  agrees('1;1;4;0;2;' + 'ab'.repeat(25));
  agrees('0'.repeat(88) + '1;1;1;0;2;1');
});

test('property: the byte reader accepts exactly what parseLine accepts, over near-valid lines', () => {
  fc.assert(fc.property(nearLine, (line) => agrees(framedLine(line))), { numRuns: 5000 });
});

test('property: the byte reader accepts exactly what parseLine accepts, over arbitrary text', () => {
  const unit = fc.oneof(fc.constantFrom(...'0123456789;;;;;'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
  fc.assert(fc.property(fc.string({ unit, maxLength: 120 }), (line) => agrees(framedLine(line))), { numRuns: 5000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (line) => agrees(framedLine(line))), { numRuns: 2000 });
});

test('property: every valid message as a line is read, with its own header', () => {
  fc.assert(
    fc.property(validMessage(), (m) => {
      const line = formatLine(m).slice(0, -1);
      const bytes = encoder.encode(line);
      const h = readLineHeader(bytes, 0, bytes.length);
      if (isAscii(line)) assert.equal(h, packHeader(m));
      else assert.ok(h === NOT_READ || h === packHeader(m));
    }),
    { numRuns: 3000 },
  );
});
