/**
 * Address ranges for the controller port's allow-list (`controllers.allow`): one IP address
 * (`192.168.1.20`, `::1`) or a network in CIDR form (`192.168.1.0/24`, `fd00::/8`). IP literals
 * only: a host name could resolve to anything, and to something else tomorrow.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode, fail, ok } from '../core/errors.ts';
import type { Result } from '../core/errors.ts';
import { show } from './fields.ts';

export interface AddressRange {
  readonly address: string;
  /** Leading bits that must match: 32 (IPv4) or 128 (IPv6) for one address. */
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Reads `ADDRESS` or `ADDRESS/PREFIX`. Never throws; BAD_CONFIG names what is wrong. */
export function parseAddressRange(text: unknown): Result<AddressRange> {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) {
    return fail(ErrorCode.BAD_CONFIG, `${show(text)} is not an IP address or ADDRESS/PREFIX`);
  }
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  // A zone (fe80::1%eth0) names an interface, not an address a peer can be recognised by.
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (family === undefined) {
    return fail(ErrorCode.BAD_CONFIG, `${show(address)} is not an IP address (host names are not taken: they can change)`);
  }
  const max = family === 'ipv4' ? 32 : 128;
  if (slash < 0) return ok({ address, prefix: max, family });
  const prefixText = text.slice(slash + 1);
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) {
    return fail(ErrorCode.BAD_CONFIG, `${show(prefixText)} is not a prefix length 0-${max}`);
  }
  return ok({ address, prefix, family });
}

/** As the range was written: `ADDRESS` for a single address, `ADDRESS/PREFIX` otherwise. */
export function formatAddressRange(range: AddressRange): string {
  return range.prefix === (range.family === 'ipv4' ? 32 : 128) ? range.address : `${range.address}/${range.prefix}`;
}
