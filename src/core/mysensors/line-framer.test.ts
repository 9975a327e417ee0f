import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, isMySealError } from '../errors.ts';
import { concatBytes } from '../bytes.ts';
import { LineFramer, type FramerOutput } from './line-framer.ts';
import { parseLine } from './line.ts';
import { cutBytes } from '../../../test/support/cut-bytes.ts';

/** Outputs as plain data, so deepEqual compares error codes and messages, not object identity. */
type Seen = { line: string } | { error: string; message: string };

function seen(outputs: FramerOutput[]): Seen[] {
  return outputs.map((o) => ('line' in o ? { line: o.line } : { error: o.error.codeName, message: o.error.message }));
}

function feed(chunks: (Uint8Array | string)[], framer = new LineFramer()): Seen[] {
  return chunks.flatMap((c) => seen(framer.push(c)));
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  concatBytes(...parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : new Uint8Array(p))));

const STARTUP = '0;255;3;0;14;Gateway startup complete.';
const PRESENT = '0;255;0;0;17;2.3.2';
const TEXT = '1;1;1;0;47;uKvGG7z440r/1pln4IJbNQ==';
const STREAM = '1;255;4;0;3;0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01';
const UTF8 = '1;1;1;0;47;Tür zu €😀';
const TOO_LONG = { error: 'LINE_TOO_LONG', message: 'LINE_TOO_LONG: line longer than 100 bytes; skipping to the next line end' };

test('one whole frame', () => {
  assert.deepEqual(feed([bytes(`${STARTUP}\n`)]), [{ line: STARTUP }]);
  assert.deepEqual(feed([`${STARTUP}\n`]), [{ line: STARTUP }]);
});

test('a line is held until its end arrives', () => {
  const framer = new LineFramer();
  assert.deepEqual(framer.push(bytes(STARTUP)), []);
  assert.equal(framer.bufferedBytes, STARTUP.length);
  assert.deepEqual(seen(framer.push(bytes('\n'))), [{ line: STARTUP }]);
  assert.equal(framer.bufferedBytes, 0);
});

test('several frames in one chunk, every line end style', () => {
  const stream = bytes(`${STARTUP}\n${PRESENT}\r\n${TEXT}\r${STREAM}\n`);
  assert.deepEqual(feed([stream]), [{ line: STARTUP }, { line: PRESENT }, { line: TEXT }, { line: STREAM }]);
});

test('empty lines are dropped, so \\r\\n, \\n\\r and blank lines make no empty output', () => {
  assert.deepEqual(feed([bytes(`\n\r\n\r\r\n${PRESENT}\n\r\n\n`)]), [{ line: PRESENT }]);
  assert.deepEqual(feed([bytes('\n\r')]), []);
});

test('\\r\\n split between chunks ends exactly one line', () => {
  assert.deepEqual(feed([bytes(`${PRESENT}\r`), bytes(`\n${TEXT}\r`), bytes('\n')]), [{ line: PRESENT }, { line: TEXT }]);
  assert.deepEqual(feed([`${PRESENT}\r`, '\n', '\r', '\n']), [{ line: PRESENT }]);
});

test('a stream split at every byte position gives the same output as whole', () => {
  const stream = bytes(`${STARTUP}\r\n${UTF8}\n${STREAM}\r${TEXT}\n`);
  const whole = feed([stream]);
  assert.deepEqual(whole, [{ line: STARTUP }, { line: UTF8 }, { line: STREAM }, { line: TEXT }]);
  for (let i = 0; i <= stream.length; i++) {
    assert.deepEqual(feed([stream.subarray(0, i), stream.subarray(i)]), whole, `split at ${i}`);
  }
  // Every pair of cut points, over a shorter stream with multi-byte characters and a \r\n.
  const short = bytes(`${UTF8}\r\n${PRESENT}\n`);
  const shortWhole = feed([short]);
  for (let i = 0; i <= short.length; i++) {
    for (let j = i; j <= short.length; j++) {
      assert.deepEqual(feed([short.subarray(0, i), short.subarray(i, j), short.subarray(j)]), shortWhole, `cuts ${i},${j}`);
    }
  }
  // One byte at a time.
  assert.deepEqual(feed([...stream].map((b) => new Uint8Array([b]))), whole);
});

test('a UTF-8 character split across chunks is joined', () => {
  // 'ü' is C3 BC; '😀' is F0 9F 98 80.
  assert.deepEqual(feed([bytes('1;1;1;0;47;T', [0xc3]), bytes([0xbc], 'r\n')]), [{ line: '1;1;1;0;47;Tür' }]);
  assert.deepEqual(feed([bytes('x', [0xf0, 0x9f]), bytes([0x98]), bytes([0x80], '\n')]), [{ line: 'x😀' }]);
});

test('string chunks: a surrogate pair split across chunks is joined; a lone one is not text', () => {
  assert.deepEqual(feed(['x\ud83d', '\ude00\n']), [{ line: 'x😀' }]);
  assert.deepEqual(feed(['\ud83d', '\ude00', '\n']), [{ line: '😀' }]);
  const lone = [
    ['x\ud83d\n', 'ok\n'],
    ['x\ude00\n', 'ok\n'],
    ['x\ud83d', 'y\nok\n'],
    ['x\ud83d', '\n', 'ok\n'],
  ];
  for (const chunks of lone) {
    const out = feed(chunks);
    assert.equal(out.length, 2, JSON.stringify(chunks));
    assert.equal((out[0] as { error: string }).error, 'LINE_NOT_TEXT');
    assert.deepEqual(out[1], { line: 'ok' });
  }
  // A pending high surrogate followed by bytes: lone after all.
  const out = feed(['x\ud83d', bytes('\nok\n')]);
  assert.equal((out[0] as { error: string }).error, 'LINE_NOT_TEXT');
  assert.deepEqual(out[1], { line: 'ok' });
  // Strings and bytes mix in one stream.
  assert.deepEqual(feed(['0;255;3;0;14;', bytes('Gateway startup complete.\r'), '\n']), [{ line: STARTUP }]);
});

test('corrupt bytes: invalid UTF-8 is LINE_NOT_TEXT for that line only', () => {
  const corrupt: number[][] = [
    [0xff],
    [0xc3, 0x28], // bad continuation
    [0xc0, 0xaf], // overlong '/'
    [0xed, 0xa0, 0x80], // UTF-8-encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0x61, 0xe2, 0x82], // cut before the line end
    [0x80],
  ];
  for (const bad of corrupt) {
    const out = feed([bytes(`${PRESENT}\n`, bad, `\n${TEXT}\n`)]);
    assert.equal(out.length, 3, JSON.stringify(bad));
    assert.deepEqual(out[0], { line: PRESENT });
    assert.equal((out[1] as { error: string }).error, 'LINE_NOT_TEXT');
    assert.deepEqual(out[2], { line: TEXT });
  }
  // Control characters are text as far as the framer goes; parseLine refuses them.
  const [nul] = feed([bytes('a', [0], 'b\n')]);
  assert.deepEqual(nul, { line: 'a\0b' });
  const parsed = parseLine((nul as { line: string }).line);
  assert.ok(!parsed.ok && parsed.error.code === ErrorCode.LINE_NOT_TEXT);
  // A BOM is kept (and parseLine then refuses the node id), not silently dropped.
  assert.deepEqual(feed([bytes([0xef, 0xbb, 0xbf], `${PRESENT}\n`)]), [{ line: `\ufeff${PRESENT}` }]);
});

test('100 bytes is a line; 101 is LINE_TOO_LONG once, then the framer resynchronises', () => {
  const line100 = '0'.repeat(88) + '1;1;1;0;2;1';
  assert.equal(line100.length, 99);
  const exactly = `${line100}x`;
  assert.deepEqual(feed([`${exactly}\r\n`]), [{ line: exactly }]);
  assert.deepEqual(feed([bytes(`${exactly}y\n${PRESENT}\n`)]), [TOO_LONG, { line: PRESENT }]);
  // The error comes as soon as the limit is passed, before any line end.
  const framer = new LineFramer();
  assert.deepEqual(seen(framer.push('z'.repeat(101))), [TOO_LONG]);
  assert.equal(framer.bufferedBytes, 0);
  assert.deepEqual(seen(framer.push('z'.repeat(500))), []);
  assert.deepEqual(seen(framer.push(`zz\r\n${PRESENT}\n`)), [{ line: PRESENT }]);
  // Multi-byte: 99 characters, 101 bytes.
  assert.deepEqual(feed([`${'x'.repeat(98)}€\n${PRESENT}\n`]), [TOO_LONG, { line: PRESENT }]);
});

test('a 1 MB chunk without a line end: one error, bounded memory, recovery', () => {
  const framer = new LineFramer();
  const junk = new Uint8Array(1 << 20).fill(0x41);
  assert.deepEqual(seen(framer.push(junk)), [TOO_LONG]);
  assert.equal(framer.bufferedBytes, 0);
  assert.deepEqual(seen(framer.push(junk)), []);
  assert.deepEqual(seen(framer.push(bytes(`\n${STARTUP}\n`))), [{ line: STARTUP }]);
  // Many long lines in one chunk: one error each.
  const many = bytes(`${'B'.repeat(300)}\n`.repeat(1000), `${PRESENT}\n`);
  const out = seen(framer.push(many));
  assert.equal(out.length, 1001);
  assert.deepEqual(out[1000], { line: PRESENT });
  // The same as a string: no 0xff-style artefacts, same result.
  assert.equal(seen(new LineFramer().push('C'.repeat(1 << 20))).length, 1);
});

test('maxLineLength option', () => {
  const framer = new LineFramer({ maxLineLength: 5 });
  assert.equal(framer.maxLineLength, 5);
  assert.deepEqual(seen(framer.push('12345\n123456\nabc\n')), [
    { line: '12345' },
    { error: 'LINE_TOO_LONG', message: 'LINE_TOO_LONG: line longer than 5 bytes; skipping to the next line end' },
    { line: 'abc' },
  ]);
  assert.equal(new LineFramer({}).maxLineLength, 100);
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 21]) {
    assert.throws(() => new LineFramer({ maxLineLength: bad }), RangeError);
  }
});

test('reset forgets the line in progress', () => {
  const framer = new LineFramer();
  framer.push('half a li');
  framer.reset();
  assert.deepEqual(seen(framer.push(`${PRESENT}\n`)), [{ line: PRESENT }]);
  framer.push('x'.repeat(200));
  framer.reset();
  assert.deepEqual(seen(framer.push(`${PRESENT}\n`)), [{ line: PRESENT }]);
  framer.push('\ud83d');
  framer.reset();
  // The pending high surrogate is gone, so the low one arrives alone.
  assert.deepEqual(seen(framer.push('\ude00\n')), [
    { error: 'LINE_NOT_TEXT', message: 'LINE_NOT_TEXT: line of 1 bytes is not UTF-8' },
  ]);
});

test('push reports a chunk of the wrong type instead of throwing', () => {
  const out = new LineFramer().push(42 as unknown as string);
  assert.equal(out.length, 1);
  const [first] = out;
  assert.ok(first && 'error' in first && isMySealError(first.error, ErrorCode.LINE_NOT_TEXT));
});

/** Bytes biased towards line ends, so lines are short and frequent. */
const streamBytes = fc
  .array(fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x3b, 0x30, 0x31, 0xc3, 0xbc, 0xf0, 0x9f, 0xff), fc.integer({ min: 0, max: 255 })), {
    maxLength: 400,
  })
  .map((a) => new Uint8Array(a));

test('property: never throws; lines are non-empty, without line ends, within the limit; memory bounded', () => {
  fc.assert(
    fc.property(fc.oneof(streamBytes, fc.uint8Array({ maxLength: 600 })), fc.integer({ min: 1, max: 120 }), (data, max) => {
      const framer = new LineFramer({ maxLineLength: max });
      for (const o of framer.push(data)) {
        if ('line' in o) {
          assert.ok(o.line.length > 0);
          assert.ok(!/[\r\n]/.test(o.line));
          assert.ok(Buffer.byteLength(o.line) <= max);
        } else {
          assert.ok(isMySealError(o.error, ErrorCode.LINE_TOO_LONG) || isMySealError(o.error, ErrorCode.LINE_NOT_TEXT));
        }
      }
      assert.ok(framer.bufferedBytes <= max);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))), (chunks) => {
      const framer = new LineFramer();
      for (const c of chunks) framer.push(c);
      assert.ok(framer.bufferedBytes <= 100);
    }),
  );
});

test('property: any split of a byte stream gives the same output as feeding it whole', () => {
  fc.assert(
    fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 40 }), (data, points, max) => {
      const whole = feed([data], new LineFramer({ maxLineLength: max }));
      assert.deepEqual(feed(cutBytes(data, points), new LineFramer({ maxLineLength: max })), whole);
    }),
    { numRuns: 1000 },
  );
});

test('property: any split of a string gives the same output as feeding it whole', () => {
  const text = fc.string({
    unit: fc.oneof(fc.constantFrom('\n', '\r', ';', '1', 'ü', '😀', '\ud83d', '\ude00'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 200,
  });
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (s, points) => {
      const at = [...new Set(points.map((p) => p % (s.length + 1)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let from = 0;
      for (const p of at) {
        chunks.push(s.slice(from, p));
        from = p;
      }
      chunks.push(s.slice(from));
      assert.deepEqual(feed(chunks, new LineFramer({ maxLineLength: 30 })), feed([s], new LineFramer({ maxLineLength: 30 })));
    }),
    { numRuns: 1000 },
  );
});

test('property: string chunks frame like their UTF-8 bytes when well-formed', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r\n', '\r'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (s) => {
      assert.deepEqual(feed([s]), feed([new TextEncoder().encode(s)]));
    }),
  );
});
