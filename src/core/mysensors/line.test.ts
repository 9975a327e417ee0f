import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../errors.ts';
import { Command, Internal, SetReq, Stream } from './enums.ts';
import { formatLine, MAX_LINE_LENGTH, parseLine } from './line.ts';
import type { MySensorsMessage } from './message.ts';
import { assertCodecResult, assertFails, assertThrowsCode, nearLine, validMessage } from '../../../test/support/mysensors-arbitraries.ts';

function parsed(line: string): MySensorsMessage {
  const r = parseLine(line);
  assert.ok(r.ok, r.ok ? '' : `${JSON.stringify(line)}: ${r.error.message}`);
  return r.value;
}

const HEX50 = '0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01';

test('real gateway lines', () => {
  assert.deepEqual(parsed('0;255;3;0;14;Gateway startup complete.\n'), {
    nodeId: 0,
    childId: 255,
    command: Command.C_INTERNAL,
    echo: false,
    type: Internal.I_GATEWAY_READY,
    payload: 'Gateway startup complete.', // exactly 25 bytes
  });
  assert.deepEqual(parsed('0;255;0;0;17;2.3.2\n'), {
    nodeId: 0,
    childId: 255,
    command: Command.C_PRESENTATION,
    echo: false,
    type: 17, // S_ARDUINO_NODE
    payload: '2.3.2',
  });
  assert.deepEqual(parsed('1;1;1;0;47;uKvGG7z440r/1pln4IJbNQ==\n'), {
    nodeId: 1,
    childId: 1,
    command: Command.C_SET,
    echo: false,
    type: SetReq.V_TEXT,
    payload: 'uKvGG7z440r/1pln4IJbNQ==',
  });
  assert.equal(HEX50.length, 50);
  assert.deepEqual(parsed(`5;255;4;0;3;${HEX50}\n`), {
    nodeId: 5,
    childId: 255,
    command: Command.C_STREAM,
    echo: false,
    type: Stream.ST_FIRMWARE_RESPONSE,
    payload: HEX50,
  });
  // Binary payloads print as upper-case hex; lower case from a controller is read the same way.
  assert.equal(parsed('7;1;4;0;4;DEADBEEF00\n').payload, 'DEADBEEF00');
  assert.equal(parsed('7;1;4;0;4;deadbeef00\n').payload, 'deadbeef00');
  // I_VERSION request from a controller: empty payload.
  assert.deepEqual(parsed('0;255;3;0;2;\n'), {
    nodeId: 0,
    childId: 255,
    command: Command.C_INTERNAL,
    echo: false,
    type: Internal.I_VERSION,
    payload: '',
  });
  // An echo of a lock command.
  assert.equal(parsed('12;1;1;1;36;1\n').echo, true);
});

test('line endings: none, \\n or \\r\\n; a lone \\r or a second ending is not text', () => {
  const want = parsed('12;1;1;0;36;1');
  assert.deepEqual(parsed('12;1;1;0;36;1\n'), want);
  assert.deepEqual(parsed('12;1;1;0;36;1\r\n'), want);
  assertFails(parseLine('12;1;1;0;36;1\r'), ErrorCode.LINE_NOT_TEXT);
  assertFails(parseLine('12;1;1;0;36;1\n\n'), ErrorCode.LINE_NOT_TEXT);
  assertFails(parseLine('12;1;1;0;36;1\n\r'), ErrorCode.LINE_NOT_TEXT);
  assertFails(parseLine('12;1;1;0;36;1\r\r\n'), ErrorCode.LINE_NOT_TEXT);
});

test('leading zeros are harmless and read as decimal', () => {
  assert.deepEqual(parsed('012;001;01;00;036;1'), parsed('12;1;1;0;36;1'));
  assert.equal(parsed('0008;0;1;0;2;1').nodeId, 8); // not octal
});

test('field count: fewer than six fields is LINE_FIELD_COUNT', () => {
  for (const line of ['', '\n', '0', '0;255', '0;255;3', '0;255;3;0', '0;255;3;0;14', 'hello world']) {
    assertFails(parseLine(line), ErrorCode.LINE_FIELD_COUNT, JSON.stringify(line));
  }
  const e = assertFails(parseLine('0;255;3;0;14'), ErrorCode.LINE_FIELD_COUNT);
  assert.match(e.message, /5 fields/);
});

test('header fields: strict decimal, in range, never empty; each has its code', () => {
  const cases: [string, ErrorCode][] = [
    [';255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['256;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['+1;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['-1;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    [' 1;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['1 ;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['0x1;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['1e1;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['1.0;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['٣;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    ['99999999999999999999999;255;3;0;14;x', ErrorCode.BAD_NODE_ID],
    // Empty fields: a gateway would read this with the fields shifted, MySeal refuses it.
    ['0;;1;0;2;1', ErrorCode.BAD_CHILD_ID],
    ['1;256;1;0;2;1', ErrorCode.BAD_CHILD_ID],
    ['1;1;;0;2;1', ErrorCode.BAD_COMMAND],
    ['1;1;5;0;2;1', ErrorCode.BAD_COMMAND],
    ['1;1;7;0;2;1', ErrorCode.BAD_COMMAND],
    ['1;1;C_SET;0;2;1', ErrorCode.BAD_COMMAND],
    ['1;1;1;;2;1', ErrorCode.BAD_ECHO],
    ['1;1;1;2;2;1', ErrorCode.BAD_ECHO],
    ['1;1;1;true;2;1', ErrorCode.BAD_ECHO],
    ['1;1;1;0;;1', ErrorCode.BAD_TYPE],
    ['1;1;1;0;256;1', ErrorCode.BAD_TYPE],
    ['1;1;1;0;V_STATUS;1', ErrorCode.BAD_TYPE],
  ];
  for (const [line, code] of cases) assertFails(parseLine(line), code, line);
  const e = assertFails(parseLine('0;;1;0;2;1'), ErrorCode.BAD_CHILD_ID);
  assert.match(e.message, /child id field is empty/);
  assert.match(assertFails(parseLine('0x1;1;1;0;2;1'), ErrorCode.BAD_NODE_ID).message, /"0x1"/);
});

test('payload rules are validateMessage rules', () => {
  assert.equal(parsed(`1;1;1;0;47;${'x'.repeat(25)}`).payload.length, 25);
  assertFails(parseLine(`1;1;1;0;47;${'x'.repeat(26)}`), ErrorCode.PAYLOAD_TOO_LONG);
  assertFails(parseLine(`1;1;1;0;47;${'é'.repeat(13)}`), ErrorCode.PAYLOAD_TOO_LONG);
  assert.equal(parsed(`1;1;1;0;47;${'é'.repeat(12)}x`).payload, `${'é'.repeat(12)}x`);
  // Everything after the fifth ';' is payload, and ';' in a line payload is refused.
  assertFails(parseLine('1;1;1;0;49;55.72;13.01;18'), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assertFails(parseLine('1;1;1;0;2;1;'), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assertFails(parseLine('0;;1;0;2;1;x'), ErrorCode.BAD_CHILD_ID);
  assertFails(parseLine('1;1;4;0;3;'), ErrorCode.BAD_STREAM_HEX);
  assertFails(parseLine('1;1;4;0;3;ABC'), ErrorCode.BAD_STREAM_HEX);
  assertFails(parseLine('1;1;4;0;3;XY'), ErrorCode.BAD_STREAM_HEX);
  assertFails(parseLine(`1;1;4;0;3;${HEX50}AB`), ErrorCode.BAD_STREAM_HEX);
});

test('not text: control characters, lone surrogates, non-strings', () => {
  for (const line of ['1;1;1;0;47;a\tb', '1;1;1;0;47;a\0b', '1;1;1;0;47;\x1b[2J', '1;1;1;0;47;a\nb', '1;1\r;1;0;47;a', '\x7f1;1;1;0;2;1', '1;1;1;0;47;\x85', '1;1;1;0;47;\ud800']) {
    assertFails(parseLine(line), ErrorCode.LINE_NOT_TEXT, JSON.stringify(line));
  }
  assertFails(parseLine(undefined as unknown as string), ErrorCode.LINE_NOT_TEXT);
  assertFails(parseLine(42 as unknown as string), ErrorCode.LINE_NOT_TEXT);
  // Printable Unicode is text.
  assert.equal(parsed('1;1;1;0;47;Tür zu 😀').payload, 'Tür zu 😀');
});

test('line length: 100 bytes pass, 101 do not, counted in UTF-8 bytes without the ending', () => {
  const head = '1;1;1;0;47;x';
  const exactly100 = '0'.repeat(MAX_LINE_LENGTH - head.length) + head;
  assert.equal(exactly100.length, 100);
  assert.equal(parsed(exactly100).nodeId, 1);
  assert.equal(parsed(`${exactly100}\r\n`).nodeId, 1);
  assertFails(parseLine(`0${exactly100}`), ErrorCode.LINE_TOO_LONG);
  // 99 characters, 101 bytes.
  const multibyte = '0'.repeat(MAX_LINE_LENGTH - head.length - 1) + '1;1;1;0;47;€';
  assert.equal(multibyte.length, 99);
  assertFails(parseLine(multibyte), ErrorCode.LINE_TOO_LONG);
  const e = assertFails(parseLine('x'.repeat(1 << 20)), ErrorCode.LINE_TOO_LONG);
  assert.equal(e.detail.length, 1 << 20);
});

test('errors never quote a payload', () => {
  const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';
  for (const line of [`1;1;1;0;47;${secret}`, `1;1;1;0;47;S3cr3t;x`, `1;1;1;0;47;S3cr3t\t`, `1;1;4;0;3;S3cr3t`]) {
    const r = parseLine(line);
    assert.ok(!r.ok);
    assert.ok(!r.error.message.includes('S3cr3t'), r.error.message);
  }
});

test('formatLine builds the line with its \\n', () => {
  assert.equal(
    formatLine({ nodeId: 12, childId: 1, command: Command.C_SET, echo: true, type: SetReq.V_LOCK_STATUS, payload: '1' }),
    '12;1;1;1;36;1\n',
  );
  assert.equal(
    formatLine({ nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: Internal.I_VERSION, payload: '' }),
    '0;255;3;0;2;\n',
  );
  // The longest valid line: far under the gateway's 100-byte limit.
  const longest = formatLine({ nodeId: 255, childId: 255, command: Command.C_STREAM, echo: true, type: 255, payload: 'F'.repeat(50) });
  assert.equal(longest.length, 67);
});

test('formatLine refuses what a gateway would mangle, with the validation code', () => {
  const m: MySensorsMessage = { nodeId: 1, childId: 1, command: Command.C_SET, echo: false, type: 47, payload: 'x' };
  assertThrowsCode(() => formatLine({ ...m, nodeId: 256 }), ErrorCode.BAD_NODE_ID);
  assertThrowsCode(() => formatLine({ ...m, childId: -1 }), ErrorCode.BAD_CHILD_ID);
  assertThrowsCode(() => formatLine({ ...m, command: 5 as Command }), ErrorCode.BAD_COMMAND);
  assertThrowsCode(() => formatLine({ ...m, type: 1.5 }), ErrorCode.BAD_TYPE);
  assertThrowsCode(() => formatLine({ ...m, echo: 1 as unknown as boolean }), ErrorCode.BAD_ECHO);
  assertThrowsCode(() => formatLine({ ...m, payload: 'a;b' }), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assertThrowsCode(() => formatLine({ ...m, payload: 'a\nb' }), ErrorCode.PAYLOAD_FORBIDDEN_CHAR);
  assertThrowsCode(() => formatLine({ ...m, payload: 'x'.repeat(26) }), ErrorCode.PAYLOAD_TOO_LONG);
  assertThrowsCode(() => formatLine({ ...m, payload: '\udead' }), ErrorCode.PAYLOAD_NOT_TEXT);
  assertThrowsCode(() => formatLine({ ...m, command: Command.C_STREAM, payload: 'F'.repeat(52) }), ErrorCode.BAD_STREAM_HEX);
  assertThrowsCode(() => formatLine({ ...m, command: Command.C_STREAM, payload: '' }), ErrorCode.BAD_STREAM_HEX);
});

test('property: parseLine(formatLine(m)) deep-equals m for every valid message', () => {
  fc.assert(
    fc.property(validMessage(), (m) => {
      const line = formatLine(m);
      assert.ok(line.endsWith('\n'));
      assert.ok(Buffer.byteLength(line) - 1 <= MAX_LINE_LENGTH);
      assert.equal(line.indexOf('\n'), line.length - 1);
      assert.deepEqual(parseLine(line), { ok: true, value: m });
      assert.deepEqual(parseLine(line.slice(0, -1)), { ok: true, value: m });
    }),
    { numRuns: 2000 },
  );
});

test('property: parseLine never throws; what it accepts formats back to a canonical line', () => {
  const check = (line: string): void => {
    const r = parseLine(line);
    assertCodecResult(r);
    if (r.ok) assert.deepEqual(parseLine(formatLine(r.value)), r);
  };
  fc.assert(fc.property(fc.string(), check));
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), check));
  fc.assert(fc.property(fc.string({ unit: 'binary' }), check));
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }), check));
  fc.assert(fc.property(nearLine, check), { numRuns: 3000 });
});
