import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, SetReq } from '../mysensors/enums.ts';
import { makePair } from '../protocol/memory-pair.ts';
import { FakeGateway } from '../test-helpers/fake-gateway.ts';
import { lineClient } from '../test-helpers/line-client.ts';
import type { LineClient } from '../test-helpers/line-client.ts';
import { Daemon } from '../daemon/daemon.ts';
import { GATEWAY_GREETING, TcpListener } from './tcp-listener.ts';

/** The next n lines a client has not been handed yet (waits up to 2 s). */
const handed = new WeakMap<LineClient, number>();
async function next(c: LineClient, n: number): Promise<string[]> {
  const from = handed.get(c) ?? 0;
  const deadline = Date.now() + 2000;
  while (c.lines.length < from + n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  handed.set(c, from + n);
  return c.lines.slice(from, from + n);
}

test('several controllers at once: greeted like a gateway, all hear the gateway, each can send', async (t) => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map() });
  daemon.start();
  const listener = new TcpListener(daemon, { host: '127.0.0.1', port: 0 });
  const { port } = await listener.listen();
  t.after(() => listener.close());
  const ca = lineClient(port);
  const cb = lineClient(port);
  const a = ca.socket;
  const b = cb.socket;
  const la = { next: (n = 1) => next(ca, n) };
  const lb = { next: (n = 1) => next(cb, n) };
  assert.deepEqual(await la.next(2), GATEWAY_GREETING);
  assert.deepEqual(await lb.next(2), GATEWAY_GREETING);
  assert.equal(listener.clientCount, 2);

  gateway.fromNode({ nodeId: 7, childId: 0, command: Command.C_SET, echo: false, type: SetReq.V_TEMP, payload: '21.5' }, '7;0;1;0;0;21.5');
  assert.deepEqual(await la.next(), ['7;0;1;0;0;21.5']);
  assert.deepEqual(await lb.next(), ['7;0;1;0;0;21.5']);

  // A bad line from one controller is counted; its connection and the next line survive.
  a.write('garbage\n7;3;1;0;2;1\n');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(daemon.counters.get('controller:LINE_FIELD_COUNT'), 1);
  assert.deepEqual(gateway.sent.at(-1), { nodeId: 7, childId: 3, command: Command.C_SET, echo: false, type: 2, payload: '1' });

  // A plain unlock to the sealed lock is refused by policy and never reaches the gateway.
  const before = gateway.sent.length;
  b.write('5;1;1;0;36;0\n');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(gateway.sent.length, before);
  a.destroy();
  b.destroy();
});
