import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ErrorCode, type MySealError } from '../core/errors.ts';
import { Command } from '../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import { frameToMessage } from '../core/protocol/carriage.ts';
import { FRAME_LINK_QUEUE_LIMIT, GatewayFrameLink } from './frame-link.ts';
import type { GatewayEvents, GatewayTransport } from './transport.ts';

class FakeTransport extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly description = 'fake';
  connected = true;
  sent: MySensorsMessage[] = [];
  start(): void {}
  async stop(): Promise<void> {}
  send(m: MySensorsMessage): boolean {
    if (!this.connected) return false;
    this.sent.push(m);
    return true;
  }
}

const frame = (n: number): Uint8Array => Uint8Array.from({ length: 14 }, (_, i) => (i + n) & 0xff);

test('send: a C_STREAM type-83 message to the node; GATEWAY_DOWN when the gateway is down', async () => {
  const t = new FakeTransport();
  const link = new GatewayFrameLink(t, 5);
  await link.send(1, frame(0));
  assert.deepEqual(t.sent, [frameToMessage(5, 1, frame(0))]);
  t.connected = false;
  await assert.rejects(link.send(1, frame(1)), (e: MySealError) => e.code === ErrorCode.GATEWAY_DOWN);
  link.close();
});

test('receive: the next frame from this node; others, plain messages and echoes are ignored', async () => {
  const t = new FakeTransport();
  const link = new GatewayFrameLink(t, 5);
  const waiting = link.receive(1_000);
  t.emit('message', frameToMessage(6, 1, frame(1))); // other node
  t.emit('message', { ...frameToMessage(5, 1, frame(2)), echo: true }); // our own frame echoed
  t.emit('message', { nodeId: 5, childId: 1, command: Command.C_SET, echo: false, type: 36, payload: '1' });
  t.emit('message', { ...frameToMessage(5, 1, frame(3)), type: 5 }); // another stream type
  t.emit('message', frameToMessage(5, 2, frame(4)));
  assert.deepEqual(await waiting, { child: 2, frame: frame(4) });
  link.close();
});

test('receive: null at the timeout; frames that came meanwhile are queued in order', async () => {
  const t = new FakeTransport();
  const link = new GatewayFrameLink(t, 5);
  const started = performance.now();
  assert.equal(await link.receive(50), null);
  assert.ok(performance.now() - started >= 45);
  t.emit('message', frameToMessage(5, 1, frame(1)));
  t.emit('message', frameToMessage(5, 1, frame(2)));
  assert.deepEqual((await link.receive(10))?.frame, frame(1));
  assert.deepEqual((await link.receive(10))?.frame, frame(2));
  assert.equal(await link.receive(0), null);
  link.close();
});

test('the queue is bounded; close() resolves waiters with null and detaches', async () => {
  const t = new FakeTransport();
  const link = new GatewayFrameLink(t, 5);
  for (let i = 0; i < FRAME_LINK_QUEUE_LIMIT + 3; i++) t.emit('message', frameToMessage(5, 1, frame(i)));
  assert.equal(link.dropped, 3);
  assert.deepEqual((await link.receive(10))?.frame, frame(3));
  for (let i = 1; i < FRAME_LINK_QUEUE_LIMIT; i++) await link.receive(10);
  const waiting = link.receive(5_000);
  link.close();
  assert.equal(await waiting, null);
  assert.equal(t.listenerCount('message'), 0);
});
