/**
 * The simulated Ethernet gateway over real loopback sockets: what a controller sees.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SetReq } from '../core/mysensors/enums.ts';
import { SimGateway } from './gateway-core.ts';
import type { Dropped } from './gateway-core.ts';
import type { GatewayFault } from './controller-input.ts';
import { RawController } from '../../test/support/raw-controller.ts';
import { SimTcpFront } from './tcp-front.ts';
import type { SimTcpFrontOptions } from './tcp-front.ts';
import { PlainVirtualNode } from './virtual-node.ts';

const STARTUP = '0;255;3;0;14;Gateway startup complete.';
/** A gateway with a radio presents itself as a repeater: S_ARDUINO_REPEATER_NODE (18). */
const PRESENTATION = '0;255;0;0;18;2.3.2';

async function setup(t: TestContext, opts: SimTcpFrontOptions = {}) {
  const relay = new PlainVirtualNode({ nodeId: 5, confirmSets: true });
  const gw = new SimGateway({ nodes: [relay] });
  const front = new SimTcpFront(gw, opts);
  const port = await front.listen();
  const controllers: RawController[] = [];
  t.after(async () => {
    await Promise.all(controllers.map((c) => c.close()));
    await front.close();
    gw.close();
  });
  const connect = async (): Promise<RawController> => {
    const c = await RawController.connect(port);
    controllers.push(c);
    return c;
  };
  return { gw, front, port, relay, connect };
}

function nextEvent<T>(subscribe: (f: (v: T) => void) => void, timeoutMs = 2_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event did not come')), timeoutMs);
    subscribe((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

test('on connect: startup complete, then the presentation', { timeout: 10_000 }, async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  await c.waitForLine(PRESENTATION);
  assert.deepEqual(c.lines, [STARTUP, PRESENTATION]);
});

test('I_VERSION is answered by the gateway', { timeout: 10_000 }, async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  await c.waitForLine(PRESENTATION);
  c.write('0;255;3;0;2;\n');
  await c.waitForLine('0;255;3;0;2;2.3.2');
});

test('a payload with ; is cut at the ;', { timeout: 10_000 }, async (t) => {
  const { connect, gw } = await setup(t);
  const c = await connect();
  c.write('5;1;1;0;47;left;right\n');
  await c.waitForLine('5;1;1;0;47;left');
  assert.equal(gw.received(5)[0]?.text, 'left');
});

test('a 26-byte payload is cut to 25', { timeout: 10_000 }, async (t) => {
  const { connect, gw } = await setup(t);
  const c = await connect();
  c.write(`5;1;1;0;47;${'a'.repeat(26)}\n`);
  await c.waitForLine(`5;1;1;0;47;${'a'.repeat(25)}`);
  assert.equal(gw.received(5)[0]?.data.length, 25);
});

test('a 52-hex stream line is recorded as a gateway fault and dropped', { timeout: 10_000 }, async (t) => {
  const { connect, gw } = await setup(t);
  const c = await connect();
  const fault = nextEvent<GatewayFault>((f) => gw.once('gatewayFault', f));
  c.write(`5;1;4;0;83;${'AB'.repeat(26)}\n`);
  assert.deepEqual(await fault, { kind: 'stream-overflow', via: 'line', hexLength: 52, nodeId: 5 });
  assert.equal(gw.received(5).length, 0);
  // The connection carries on (the echo request makes the node stack answer).
  c.write('5;1;4;1;83;AB\n');
  await c.waitForLine('5;1;4;1;83;AB');
});

test('a 101-character line is dropped', { timeout: 10_000 }, async (t) => {
  const { connect, gw } = await setup(t);
  const c = await connect();
  await c.waitForLine(PRESENTATION);
  const drop = nextEvent<Dropped>((f) => gw.once('dropped', f));
  const long = `5;1;1;0;47;${'b'.repeat(90)}`;
  assert.equal(long.length, 101);
  c.write(`${long}\n`);
  assert.deepEqual(await drop, { reason: 'line-too-long' });
  c.write('5;1;1;0;47;after\n');
  await c.waitForLine('5;1;1;0;47;after');
  assert.deepEqual(
    gw.received(5).map((m) => m.text),
    ['after'],
  );
});

test('0;;1;0;2;1 is read with the fields shifted: a presentation to the gateway, echo requested', { timeout: 10_000 }, async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  await c.waitForLine(PRESENTATION);
  c.write('0;;1;0;2;1\n');
  // Node 0, child 1, command 0 (presentation), echo 2 (so: yes), type 1: the gateway echoes it.
  await c.waitForLine('0;1;0;1;1;0', 2_000, 2);
});

test('lines end at \\r as well on Ethernet', { timeout: 10_000 }, async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  c.write('5;1;1;0;2;1\r5;1;1;0;2;0\r\n');
  await c.waitForLine('5;1;1;0;2;0');
  assert.deepEqual(c.lines.slice(2), ['5;1;1;0;2;1', '5;1;1;0;2;0']);
});

test('slots (MY_GATEWAY_MAX_CLIENTS=1): a second client is accepted and closed at once; the first keeps working', { timeout: 10_000 }, async (t) => {
  const { connect, front } = await setup(t);
  const first = await connect();
  await first.waitForLine(PRESENTATION);
  const rejected = nextEvent<void>((f) => front.once('rejected', f));
  const second = await connect();
  await rejected;
  await second.closed;
  assert.deepEqual(second.lines, []);
  first.write('5;1;1;0;2;1\n');
  await first.waitForLine('5;1;1;0;2;1');
  // Once the gateway has seen the first leave, the slot is free again.
  await first.close();
  while (front.clientCount > 0) await new Promise((r) => setTimeout(r, 5));
  const third = await connect();
  await third.waitForLine(PRESENTATION);
  assert.equal(front.clientCount, 1);
});

test('slots, maxClients 2 (ESP examples): both are served; a client connecting sends every client the startup lines', { timeout: 10_000 }, async (t) => {
  const { connect } = await setup(t, { maxClients: 2 });
  const first = await connect();
  await first.waitForLine(PRESENTATION);
  const second = await connect();
  await second.waitForLine(PRESENTATION);
  await first.waitForLine(PRESENTATION, 2_000, 2);
  assert.deepEqual(first.lines, [STARTUP, PRESENTATION, STARTUP, PRESENTATION]);
  assert.deepEqual(second.lines, [STARTUP, PRESENTATION]);
  // Node output goes to both.
  second.write('5;1;1;0;2;1\n');
  await first.waitForLine('5;1;1;0;2;1');
  await second.waitForLine('5;1;1;0;2;1');
  const third = await connect();
  await third.closed;
  assert.deepEqual(third.lines, []);
});

test('w5100: no startup until a client sends; a second client that sends replaces the first', { timeout: 10_000 }, async (t) => {
  const { connect, front } = await setup(t, { policy: 'w5100' });
  const first = await connect();
  await first.settle(100);
  assert.deepEqual(first.lines, []);
  first.write('0;255;3;0;2;\n');
  await first.waitForLine('0;255;3;0;2;2.3.2');
  assert.deepEqual(first.lines, [STARTUP, PRESENTATION, '0;255;3;0;2;2.3.2']);
  // A silent second connection already gets everything the gateway prints.
  const second = await connect();
  first.write('5;1;1;0;2;1\n');
  await second.waitForLine('5;1;1;0;2;1');
  const replaced = nextEvent<void>((f) => front.once('replaced', f));
  second.write('5;1;1;0;2;0\n');
  await replaced;
  await first.closed;
  await second.waitForLine('5;1;1;0;2;0');
  assert.equal(second.lines.includes(STARTUP), true);
});

test('w5100: the replaced client\'s half line prefixes the new client\'s first line', { timeout: 10_000 }, async (t) => {
  const { connect, relay } = await setup(t, { policy: 'w5100' });
  const first = await connect();
  first.write('5;1;1;0;2;1\n5;1;1;0;');
  await first.waitForLine('5;1;1;0;2;1');
  const second = await connect();
  second.write(`${SetReq.V_TEXT};hello\n`);
  await second.waitForLine('5;1;1;0;47;hello');
  assert.equal(relay.value(1, SetReq.V_TEXT), 'hello');
});
