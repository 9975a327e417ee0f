import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineBatch, LineView, NOT_A_LINE, REFUSED_LINE } from './line-batch.ts';
import { LineFramer } from './line-framer.ts';
import { parseLine } from './line.ts';
import type { MySensorsMessage } from './message.ts';
import { cutBytes } from '../../../test/support/cut-bytes.ts';
import { nearLine } from '../../../test/support/mysensors-arbitraries.ts';

type Seen = { message: MySensorsMessage; text: string } | { error: string; text?: string };

/** The line-by-line reading: the framer's lines as text, each parsed. */
function oneByOne(chunks: Uint8Array[]): Seen[] {
  const framer = new LineFramer();
  return chunks.flatMap((c) =>
    framer.push(c).map((o): Seen => {
      if ('error' in o) return { error: o.error.message };
      const parsed = parseLine(o.line);
      return parsed.ok ? { message: parsed.value, text: o.line } : { error: parsed.error.message, text: o.line };
    }),
  );
}

/** The same chunks read as batches. */
function batched(chunks: Uint8Array[]): Seen[] {
  const framer = new LineFramer();
  const out: Seen[] = [];
  for (const c of chunks) {
    const batch = new LineBatch(framer.frame(c));
    const view = new LineView(batch);
    for (let i = 0; i < batch.size; i++) {
      const header = batch.header(i);
      if (header >= 0) {
        assert.ok(view.moveTo(i));
        const m = batch.message(i)!;
        // The view shows the header without reading the message, and the same payload when asked.
        assert.deepEqual({ nodeId: view.nodeId, childId: view.childId, command: view.command, echo: view.echo, type: view.type, payload: view.payload }, m);
        assert.equal(batch.error(i), undefined);
        out.push({ message: m, text: batch.text(i)! });
      } else {
        assert.equal(view.moveTo(i), false);
        assert.equal(batch.message(i), undefined);
        const text = batch.text(i);
        assert.equal(header === NOT_A_LINE, text === undefined);
        assert.ok(header === REFUSED_LINE || header === NOT_A_LINE);
        out.push(text === undefined ? { error: batch.error(i)!.message } : { error: batch.error(i)!.message, text });
      }
    }
  }
  return out;
}

test('a chunk of gateway lines, refused ones and framing errors in between, reads as line by line', () => {
  const stream = Buffer.concat([
    Buffer.from('0;255;3;0;14;Gateway startup complete.\r\n7;0;1;0;0;21.5\n7;0;1;0;47;a;b\n'),
    Buffer.from([0xff, 0x0a]),
    Buffer.from(`${'x'.repeat(150)}\n5;1;4;0;83;00AABB\n1;1;1;0;47;Tür zu\rgarbage\n7;0;1;0;0;2`),
  ]);
  const expected = oneByOne([stream]);
  assert.equal(expected.length, 8);
  assert.deepEqual(batched([stream]), expected);
  for (let i = 0; i <= stream.length; i += 7) assert.deepEqual(batched(cutBytes(stream, [i])), expected, `cut at ${i}`);
});

test('property: batches read exactly as the framer and parseLine do line by line, however the stream is cut', () => {
  const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '\n\n');
  const stream = fc
    .array(fc.tuple(fc.oneof(nearLine, fc.string({ unit: 'binary', maxLength: 30 })), lineEnd), { maxLength: 30 })
    .map((parts) => Buffer.from(parts.map(([l, e]) => l + e).join('')));
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (data, points) => {
      assert.deepEqual(batched(cutBytes(data, points)), oneByOne([data]));
    }),
    { numRuns: 1000 },
  );
});
