import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { controllerAccess } from '../edges/proxy/controller-access.ts';
import { formatAddressRange, parseAddressRange } from './address-range.ts';

test('addresses and networks, IPv4 and IPv6; host names, bad prefixes and junk refused with BAD_CONFIG', () => {
  assert.deepEqual(parseAddressRange('192.168.1.20'), { ok: true, value: { address: '192.168.1.20', prefix: 32, family: 'ipv4' } });
  assert.deepEqual(parseAddressRange('10.0.0.0/8'), { ok: true, value: { address: '10.0.0.0', prefix: 8, family: 'ipv4' } });
  assert.deepEqual(parseAddressRange('fd00::/8'), { ok: true, value: { address: 'fd00::', prefix: 8, family: 'ipv6' } });
  assert.deepEqual(parseAddressRange('::1'), { ok: true, value: { address: '::1', prefix: 128, family: 'ipv6' } });
  for (const bad of ['', 'localhost', 'controller.lan', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '1.2.3', 'a/b/c', ' 10.0.0.1', 'fe80::1%eth0', 12, null, ['10.0.0.1']]) {
    const r = parseAddressRange(bad);
    assert.equal(r.ok, false, String(bad));
    if (!r.ok) assert.equal(r.error.codeName, 'BAD_CONFIG');
  }
});

test('property: never throws, whatever the value; what it accepts formats back to an equal range', () => {
  const piece = fc.constantFrom('1', '0', '255', '256', '.', ':', '::', '/', 'ff', 'ffff', 'a', '%', 'eth0', ' ', '8', '32', '128', '-');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), fc.ipV4(), fc.ipV6(), fc.anything()), (value) => {
      const r = parseAddressRange(value);
      if (!r.ok) return;
      assert.deepEqual(parseAddressRange(formatAddressRange(r.value)), r);
      // And the proxy can build its allow-list from it.
      assert.equal(typeof controllerAccess('127.0.0.1', [r.value]).allows('127.0.0.1'), 'boolean');
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
      const r = parseAddressRange(`${ip}/${prefix}`);
      assert.ok(r.ok);
      assert.equal(r.value.prefix, prefix);
    }),
  );
});
