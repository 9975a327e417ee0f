import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { parseAddressRange } from '../../config/address-range.ts';
import type { AddressRange } from '../../config/address-range.ts';
import { Daemon } from '../../service/daemon.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { lineClient } from '../../../test/support/line-client.ts';
import { until } from '../../../test/support/until.ts';
import { controllerAccess } from './controller-access.ts';
import { GATEWAY_GREETING } from './gateway-greeting.ts';
import { TcpListener } from './tcp-listener.ts';

const ranges = (...texts: string[]): AddressRange[] =>
  texts.map((t) => {
    const r = parseAddressRange(t);
    assert.ok(r.ok, t);
    return r.value;
  });

test('default: loopback clients only on a loopback address; off loopback anyone, with a warning', () => {
  for (const host of ['127.0.0.1', '::1', 'localhost']) {
    const a = controllerAccess(host, undefined);
    assert.equal(a.warning, undefined);
    assert.equal(a.description, 'loopback clients only');
    for (const ok of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) assert.equal(a.allows(ok), true, ok);
    for (const no of ['192.168.1.20', '10.0.0.1', '::2', 'fe80::1', '::ffff:192.168.1.20', undefined, 'garbage']) assert.equal(a.allows(no), false, String(no));
  }
  const open = controllerAccess('0.0.0.0', undefined);
  assert.match(open.warning ?? '', /controllers\.allow is not set/);
  assert.equal(open.allows('192.168.1.20'), true);
});

test('an allow-list: addresses and networks, IPv4 clients of a dual-stack socket included; no warning', () => {
  const a = controllerAccess('0.0.0.0', ranges('192.168.1.20', '10.1.0.0/16', 'fd00::/8'));
  assert.equal(a.warning, undefined);
  assert.equal(a.description, '192.168.1.20, 10.1.0.0/16, fd00::/8');
  for (const ok of ['192.168.1.20', '::ffff:192.168.1.20', '10.1.200.3', 'fd12::5']) assert.equal(a.allows(ok), true, ok);
  for (const no of ['192.168.1.21', '10.2.0.1', '127.0.0.1', '::1', 'fe80::1']) assert.equal(a.allows(no), false, no);
});

test('the proxy port: a client outside the allow-list is cut off unanswered, counted and logged; one inside is greeted', async (t) => {
  const p = makePair();
  const gateway = new FakeGateway();
  gateway.addSealedNode(p.node);
  const warnings: object[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (o: object) => void warnings.push(o) };
  const daemon = new Daemon({ gateway, keys: p.keys, counters: p.counters, nodes: new Map(), logger });
  daemon.start();
  const listener = new TcpListener(daemon, { host: '127.0.0.1', port: 0, access: controllerAccess('127.0.0.1', ranges('127.0.0.2')) });
  const { port } = await listener.listen();
  t.after(() => listener.close());

  const outsider = lineClient(port, '127.0.0.1');
  await until(() => outsider.closed, 'the outsider to be cut off');
  assert.deepEqual(outsider.lines, [], 'not even the greeting');
  assert.equal(daemon.counters.get('proxy:ADDRESS_NOT_ALLOWED'), 1);
  assert.deepEqual(warnings, [{ where: 'proxy', code: 'ADDRESS_NOT_ALLOWED', detail: { address: '127.0.0.1' } }]);

  const lines: string[] = [];
  const insider = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  t.after(() => insider.destroy());
  insider.setEncoding('utf8');
  insider.on('data', (d: string) => lines.push(...d.split('\n').filter((l) => l !== '')));
  await until(() => lines.length >= 2, 'the greeting for an allowed address');
  assert.deepEqual(lines, GATEWAY_GREETING);
  insider.write('7;3;1;0;2;1\n');
  await until(() => gateway.sent.some((m) => m.nodeId === 7), 'its line to reach the gateway');
  assert.equal(listener.clientCount, 1);
});
