/**
 * The gateway's lines reach the service either one by one ('message', 'invalid': MQTT, test
 * gateways) or a chunk at a time ('lines': TCP, serial). Both ways must come to the same: the same
 * bytes to controllers in the same order, the same counts, the same audit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { formatLine } from '../../core/mysensors/line.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { GatewayLink } from '../../gateway/link.ts';
import type { GatewayStream, StreamSink } from '../../gateway/link.ts';
import type { GatewayEvents, GatewayTransport } from '../../gateway/transport.ts';
import type { AuditInput } from '../../audit/schema.ts';
import { cutBytes } from '../../../test/support/cut-bytes.ts';
import { nearLine } from '../../../test/support/mysensors-arbitraries.ts';
import { until } from '../../../test/support/until.ts';
import { Daemon } from '../daemon.ts';
import type { ChildOptions } from '../daemon.ts';
import type { Outbound } from '../ports.ts';

/** A link whose one connection the test feeds by hand. */
function handFedLink(): { link: GatewayLink<string>; feed: (chunk: Uint8Array) => void } {
  let sink: StreamSink | undefined;
  const open = async (s: StreamSink): Promise<GatewayStream<string>> => {
    sink = s;
    return { write: () => undefined, ended: new Promise<string>(() => undefined), close: async () => undefined };
  };
  const link = new GatewayLink<string>({ description: 'hand-fed', open, encode: formatLine });
  return { link, feed: (chunk) => sink!.bytes(chunk) };
}

/** The link's lines handed on one by one, as a transport without batches does. */
class OneByOne extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly description = 'one by one';
  constructor(private readonly link: GatewayLink<string>) {
    super();
    link.on('message', (m, raw) => this.emit('message', m, raw));
    link.on('invalid', (e, raw) => this.emit('invalid', e, raw));
    link.on('connected', () => this.emit('connected'));
  }
  get connected(): boolean {
    return this.link.connected;
  }
  start(): void {
    this.link.start();
  }
  stop(): Promise<void> {
    return this.link.stop();
  }
  send(m: MySensorsMessage): boolean {
    return this.link.send(m);
  }
}

/** What controllers were handed, as a line-based controller would get it, with what a message-based one would. */
function wire(items: Outbound[]): { text: string; messages: (MySensorsMessage | undefined)[] } {
  let text = '';
  const messages: (MySensorsMessage | undefined)[] = [];
  for (const o of items) {
    if (o.lines) {
      const bytes = Buffer.from(o.lines.bytes).toString('utf8');
      text += bytes;
      const lines: string[] = [];
      for (let i = 0; i < o.lines.count; i++) {
        const m = o.lines.message(i);
        const peeked = o.lines.peek(i);
        assert.deepEqual(peeked && { ...pick(peeked), payload: m!.payload }, m && { ...m });
        messages.push(m);
        lines.push(`${o.lines.line(i)}\n`);
      }
      assert.equal(lines.join(''), bytes);
    } else {
      text += o.notice !== undefined ? `notice ${o.notice}\n` : o.line !== undefined ? `${o.line}\n` : formatLine(o.message!);
      messages.push(o.message);
    }
  }
  return { text, messages };
}

const pick = (m: MySensorsMessage) => ({ nodeId: m.nodeId, childId: m.childId, command: m.command, echo: m.echo, type: m.type });

async function run(chunks: Uint8Array[], batches: boolean) {
  const p = makePair();
  const { link, feed } = handFedLink();
  const gateway = batches ? link : new OneByOne(link);
  const audit: AuditInput[] = [];
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map([[5, { children: new Map<number, ChildOptions>([[2, { kind: 'sensor', policy: 'pass', acceptPlain: true }]]) }]]),
    audit: { append: (e) => audit.push(e) },
    clock: () => 1000,
  });
  const seen: Outbound[] = [];
  daemon.attach({ id: 'ctl', send: (o) => seen.push(o) });
  daemon.start();
  await until(() => link.connected, 'connected');
  for (const c of chunks) feed(c);
  await daemon.stop();
  return { ...wire(seen), counters: daemon.counterValues(), heard: daemon.health().nodes, audit };
}

/** Lines of every kind the router treats apart. */
const gatewayLine = fc.oneof(
  nearLine.map((l) => l.replace(/[\r\n]+$/, '')),
  fc.constantFrom(
    '7;0;1;0;0;21.5', // plain, passed
    '5;1;1;0;2;1', // plain value from a sealed child: dropped
    '5;2;1;0;0;20', // a sealed node's child that takes plain values: passed
    '5;1;0;0;3;', // a presentation: passed
    '9;1;4;0;83;00112233', // a sealed frame from a node without a key
    '5;1;4;1;83;00112233', // the echo of a frame sent
    '0;255;3;0;2;2.3.2', // the answer to the watch's probe, then a version for a controller
    '7;0;1;0;47;a;b', // refused, but legal gateway output: passed as is
    '5;1;4;0;83;ab;cd', // refused; a sealed-frame line is never passed
    '7;0;1;0;0;x\ty', // refused
    'x'.repeat(120), // too long for the framer
  ),
);

test('property: a chunk at a time or one line at a time, controllers, counts and audit come out the same', async () => {
  const stream = fc
    .array(fc.tuple(gatewayLine, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 25 })
    .map((parts) => Buffer.from(parts.map(([l, e]) => l + e).join('')));
  await fc.assert(
    fc.asyncProperty(stream, fc.array(fc.nat(), { maxLength: 6 }), async (data, points) => {
      const chunks = cutBytes(data, points);
      const batched = await run(chunks, true);
      const oneByOne = await run(chunks, false);
      assert.deepEqual(batched, oneByOne);
    }),
    { numRuns: 150 },
  );
});

test('a chunk passed on whole is handed to controllers as the bytes that came, ending in \\n', async () => {
  const chunk = Buffer.from('7;0;1;0;0;21.5\n7;0;1;0;0;21.6\n7;0;1;0;47;a;b\n5;1;1;0;2;1\n7;0;1;0;0;21.7\r\n');
  const out = await run([chunk], true);
  assert.equal(out.text, '7;0;1;0;0;21.5\n7;0;1;0;0;21.6\n7;0;1;0;47;a;b\n7;0;1;0;0;21.7\n');
  assert.equal(out.counters['gateway:PLAIN_FROM_SEALED_NODE'], 1);
  assert.equal(out.counters['gateway:PAYLOAD_FORBIDDEN_CHAR'], 1);
  assert.deepEqual(out.heard.map((h) => [h.node, h.messages]), [[5, 1], [7, 3]]);
});
