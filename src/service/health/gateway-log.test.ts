import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { GatewayEvents, GatewayTransport } from '../../gateway/transport.ts';
import { watchGatewayLink } from './gateway-log.ts';

function setup(): { gateway: EventEmitter<GatewayEvents>; lines: string[] } {
  const gateway = Object.assign(new EventEmitter<GatewayEvents>(), { description: 'tcp://gw:5003' });
  const lines: string[] = [];
  const put = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  watchGatewayLink(gateway as unknown as GatewayTransport, { info: put('info'), warn: put('warn'), error: put('error'), debug: put('debug') }, { up: () => {}, lost: () => {} });
  return { gateway, lines };
}

test('a failure is said once per cause with when it retries, and again only when the wait reaches another step', () => {
  const { gateway, lines } = setup();
  // The backoff's delays, jittered: 250 ms, 500 ms, 1 s, ... up to 30 s, then 30 s again and again.
  const delays = [240, 260, 510, 980, 2100, 3900, 8300, 15_500, 31_000, 27_000, 33_500, 29_000, 35_000];
  for (const d of delays) gateway.emit('failed', 'ECONNREFUSED', d);
  assert.match(lines[0]!, /^error gateway connection failed, retrying in 240 ms /);
  const retries = lines.filter((l) => /retrying in/.test(l));
  assert.equal(lines.length, retries.length, 'every line says when it retries');
  assert.ok(lines.length < delays.length, 'not a line per attempt');
  assert.ok(lines.some((l) => /retrying in 31 s/.test(l)), 'the wait at its cap is said');
  const atCap = lines.filter((l) => /retrying in (2[4-9]|3[0-6]) s/.test(l));
  assert.equal(atCap.length, 1, 'the cap is said once, whatever its jitter');
  assert.match(lines.at(-1)!, /"retryInMs":31000/);

  gateway.emit('failed', 'EHOSTUNREACH', 30_000);
  assert.match(lines.at(-1)!, /^error gateway connection failed, retrying in 30 s .*EHOSTUNREACH/, 'a new cause is said');
  gateway.emit('connected');
  gateway.emit('failed', 'EHOSTUNREACH', 250);
  assert.match(lines.at(-1)!, /^error gateway connection failed, retrying in 250 ms/, 'after a connection, said again');
});

test('a connection lost says when the next attempt comes', () => {
  const { gateway, lines } = setup();
  gateway.emit('connected');
  gateway.emit('disconnected', 'ECONNRESET', 260);
  assert.match(lines.at(-1)!, /^warn gateway disconnected, reconnecting in 260 ms .*"reason":"ECONNRESET".*"retryInMs":260/);
  gateway.emit('disconnected', 'stopped');
  assert.match(lines.at(-1)!, /^warn gateway disconnected \{/);
});
