/**
 * Who may connect to the controller port. Whoever connects there reads everything the gateway says
 * and may send plain commands to every node MySeal does not guard, so by default only this machine
 * may: while the port listens on a loopback address, loopback clients only. A port opened to the
 * network takes anyone who reaches it unless `controllers.allow` names who may, and says so at
 * start-up, since a firewall elsewhere may well be the user's plan.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { formatAddressRange } from '../../config/address-range.ts';
import type { AddressRange } from '../../config/address-range.ts';
import { isLoopbackHost } from '../../config/host-port.ts';

export interface ControllerAccess {
  /** Whether a controller connecting from this address may stay. */
  allows(address: string | undefined): boolean;
  /** What is allowed, for the start-up log. */
  readonly description: string;
  /** Set when the port takes anyone who reaches it. */
  readonly warning?: string;
}

const LOOPBACK: readonly AddressRange[] = [
  { address: '127.0.0.0', prefix: 8, family: 'ipv4' },
  { address: '::1', prefix: 128, family: 'ipv6' },
];

/** An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; it is matched as a.b.c.d. */
function plainAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return { address: mapped[1], family: 'ipv4' };
  if (isIPv4(address)) return { address, family: 'ipv4' };
  if (isIPv6(address)) return { address: address.replace(/%.*$/, ''), family: 'ipv6' };
  return undefined;
}

export function controllerAccess(listenHost: string, allow: readonly AddressRange[] | undefined): ControllerAccess {
  const openToAll = allow === undefined && !isLoopbackHost(listenHost);
  if (openToAll) {
    return {
      allows: () => true,
      description: 'any address',
      warning:
        `the controller port listens on ${listenHost}, off loopback, and controllers.allow is not set: any host that ` +
        'reaches it reads what the gateway says and can send plain commands; list your controllers in controllers.allow',
    };
  }
  const ranges = allow ?? LOOPBACK;
  const list = new BlockList();
  for (const r of ranges) list.addSubnet(r.address, r.prefix, r.family);
  return {
    allows: (address) => {
      const plain = address === undefined ? undefined : plainAddress(address);
      return plain !== undefined && list.check(plain.address, plain.family);
    },
    description: allow === undefined ? 'loopback clients only' : ranges.map(formatAddressRange).join(', '),
  };
}
