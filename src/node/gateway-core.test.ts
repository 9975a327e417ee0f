import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, Internal, SetReq } from '../core/mysensors/enums.ts';
import { SimGateway } from './gateway-core.ts';
import { formatGatewayLine } from './gateway-output.ts';
import { PlainVirtualNode } from './virtual-node.ts';
import type { VirtualNode } from './virtual-node.ts';

/** A gateway whose printout is collected as text lines. */
function collect(gw: SimGateway): string[] {
  const lines: string[] = [];
  gw.on('output', (m) => lines.push(new TextDecoder().decode(formatGatewayLine(m)).trimEnd()));
  return lines;
}

test('announce: startup complete, then the presentation as node 0', () => {
  const gw = new SimGateway();
  const out = collect(gw);
  gw.announce();
  assert.deepEqual(out, ['0;255;3;0;14;Gateway startup complete.', '0;255;0;0;18;2.3.2']);
});

test('the gateway answers I_VERSION itself, with or without a payload', () => {
  const gw = new SimGateway();
  const out = collect(gw);
  gw.controllerLine('0;255;3;0;2;');
  gw.controllerLine('0;255;3;0;2');
  assert.deepEqual(out, ['0;255;3;0;2;2.3.2', '0;255;3;0;2;2.3.2']);
});

test('a message to the gateway with an echo request is echoed by the gateway, then handled', () => {
  const gw = new SimGateway();
  const out = collect(gw);
  gw.controllerLine('0;255;3;1;2;');
  // The echo carries the parsed payload: the 0 byte an empty payload became.
  assert.deepEqual(out, ['0;255;3;1;2;0', '0;255;3;0;2;2.3.2']);
});

test('I_PRESENTATION and I_HEARTBEAT_REQUEST to node 0 are answered; other messages to node 0 go to the sketch', () => {
  const seen: number[] = [];
  const gw = new SimGateway({ clock: () => 1234, onGatewayMessage: (m) => seen.push(m.type) });
  const out = collect(gw);
  gw.controllerLine(`0;255;3;0;${Internal.I_PRESENTATION};`);
  gw.controllerLine(`0;255;3;0;${Internal.I_HEARTBEAT_REQUEST};`);
  gw.controllerLine('0;1;1;0;2;1');
  assert.deepEqual(out, ['0;255;0;0;18;2.3.2', '0;255;3;0;22;0']);
  assert.deepEqual(seen, [2]);
});

test('node 0 is the gateway\'s own sketch: it gets messages to node 0 without the radio, answers and reports as sender 0, and hears no broadcast', () => {
  // A radio that loses everything: node 0's traffic never crosses it.
  const gw = new SimGateway({ radio: { dropRate: 1 } });
  const out = collect(gw);
  const own = new PlainVirtualNode({ nodeId: 0, confirmSets: true });
  gw.addNode(own);
  gw.controllerLine('0;1;1;0;2;1');
  assert.equal(own.value(1, SetReq.V_STATUS), '1');
  assert.equal(gw.received(0)[0]?.sender, 0);
  gw.controllerLine('0;255;3;0;2;');
  gw.controllerLine('255;1;1;0;2;0');
  own.change(2, SetReq.V_TEMP, '21.5');
  assert.deepEqual(out, ['0;1;1;0;2;1', '0;255;3;0;2;2.3.2', '0;2;1;0;0;21.5']);
  assert.equal(gw.received(0).length, 1, 'internal messages are the gateway\'s, broadcasts go over the radio');
});

test('messages are routed by destination; unknown nodes are dropped like a failed radio send', () => {
  const relay = new PlainVirtualNode({ nodeId: 7, initial: [{ child: 1, type: SetReq.V_STATUS, value: '0' }] });
  const gw = new SimGateway({ nodes: [relay] });
  const out = collect(gw);
  gw.controllerLine('7;1;1;0;2;1');
  assert.equal(relay.value(1, SetReq.V_STATUS), '1');
  gw.controllerLine('7;1;2;0;2;');
  assert.deepEqual(out, ['7;1;1;0;2;1']);
  gw.controllerLine('9;1;1;0;2;1');
  assert.deepEqual(gw.drops.at(-1), { reason: 'unknown-node', nodeId: 9 });
  assert.equal(gw.received(7).length, 2);
  assert.equal(gw.received(7)[0]!.text, '1');
  assert.equal(gw.received(7)[1]!.command, Command.C_REQ);
});

test('an echo request to a node: the node stack echoes (echo=1) before the sketch answers', () => {
  const relay = new PlainVirtualNode({ nodeId: 7, confirmSets: true });
  const gw = new SimGateway({ nodes: [relay] });
  const out = collect(gw);
  gw.controllerLine('7;1;1;1;2;1');
  assert.deepEqual(out, ['7;1;1;1;2;1', '7;1;1;0;2;1']);
  gw.controllerLine('7;3;4;1;83;0aff');
  assert.equal(out.at(-1), '7;3;4;1;83;0AFF'); // stream payloads print upper-case
});

test('nodes send unasked through their uplink; broadcasts reach every node', () => {
  const a = new PlainVirtualNode({ nodeId: 3 });
  const b = new PlainVirtualNode({ nodeId: 4 });
  const gw = new SimGateway({ nodes: [a, b] });
  const out = collect(gw);
  a.change(2, SetReq.V_TRIPPED, '1');
  assert.deepEqual(out, ['3;2;1;0;16;1']);
  gw.controllerLine('255;1;1;0;2;1');
  assert.equal(a.value(1, 2), '1');
  assert.equal(b.value(1, 2), '1');
});

test('node strings are cut to 25 bytes; node stream payloads must be hex', () => {
  const talker: VirtualNode = {
    nodeId: 8,
    receive: () => [{ nodeId: 8, childId: 1, command: Command.C_SET, echo: false, type: 47, payload: 'q'.repeat(30) }],
  };
  const gw = new SimGateway({ nodes: [talker] });
  const out = collect(gw);
  gw.controllerLine('8;1;2;0;47;');
  assert.deepEqual(out, [`8;1;1;0;47;${'q'.repeat(25)}`]);
  assert.throws(() => gw.fromNode(8, [{ nodeId: 8, childId: 1, command: Command.C_STREAM, echo: false, type: 83, payload: 'xyz' }]), TypeError);
});

test('faults are recorded and the line dropped; the gateway carries on', () => {
  const relay = new PlainVirtualNode({ nodeId: 5 });
  const gw = new SimGateway({ nodes: [relay] });
  const faults: string[] = [];
  gw.on('gatewayFault', (f) => faults.push(f.kind));
  gw.controllerLine(`5;1;4;0;83;${'00'.repeat(26)}`);
  gw.controllerLine('5;1;4;0;83;000');
  assert.deepEqual(faults, ['stream-overflow', 'stream-odd-length']);
  assert.equal(gw.received(5).length, 0);
  gw.controllerLine('5;1;4;0;83;00');
  assert.equal(gw.received(5).length, 1);
});

test('radio faults: a seeded loss pattern repeats exactly; delays hold messages back', async () => {
  const run = (): boolean[] => {
    const relay = new PlainVirtualNode({ nodeId: 2 });
    const gw = new SimGateway({ nodes: [relay], radio: { dropRate: 0.5, seed: 42 } });
    const got: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const before = gw.received(2).length;
      gw.controllerLine(`2;1;1;0;2;${i}`);
      got.push(gw.received(2).length > before);
    }
    return got;
  };
  const first = run();
  assert.deepEqual(run(), first);
  assert.ok(first.includes(true) && first.includes(false), 'some lost, some delivered');

  const relay = new PlainVirtualNode({ nodeId: 2, confirmSets: true });
  const gw = new SimGateway({ nodes: [relay], radio: { delayMs: 30 } });
  const out = collect(gw);
  gw.controllerLine('2;1;1;0;2;1');
  assert.equal(gw.received(2).length, 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gw.received(2).length, 1);
  assert.deepEqual(out, ['2;1;1;0;2;1']); // reply delayed too, and arrived
  gw.controllerLine('2;1;1;0;2;0');
  gw.close(); // in the air: gone
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(gw.received(2).length, 1);
});

test('node ids must be 0-254 and unique', () => {
  const gw = new SimGateway();
  assert.throws(() => gw.addNode(new PlainVirtualNode({ nodeId: 255 })), RangeError);
  assert.throws(() => gw.addNode(new PlainVirtualNode({ nodeId: -1 })), RangeError);
  gw.addNode(new PlainVirtualNode({ nodeId: 1 }));
  assert.throws(() => gw.addNode(new PlainVirtualNode({ nodeId: 1 })));
});
