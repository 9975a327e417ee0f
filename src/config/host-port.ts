/**
 * HOST:PORT listen addresses (`127.0.0.1:5003`, `[::1]:8080`, `localhost:5003`), and whether one is
 * reachable only from this machine. That question decides whether the HTTP API may run without a
 * token, so it answers "loopback" only for addresses that cannot be anything else.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { badConfig, show } from './fields.ts';
import type { Origin } from './fields.ts';
import type { HostPort } from './types.ts';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Parses `HOST:PORT`; IPv6 addresses go in brackets, as in URLs. Port 1-65535. */
export function parseHostPort(value: unknown, field: string, origin: Origin = {}): HostPort {
  if (typeof value !== 'string') throw badConfig(field, `${show(value)} is not a HOST:PORT string`, origin);
  const expected = 'expected HOST:PORT, e.g. 127.0.0.1:5003 or [::1]:5003';
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') throw badConfig(field, `${show(value)} is not HOST:PORT (${expected})`, origin);
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (!isIPv6(host)) throw badConfig(field, `${show(value)}: ${show(host)} in brackets is not an IPv6 address`, origin);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw badConfig(field, `${show(value)} has no port (${expected})`, origin);
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) {
      throw badConfig(field, `${show(value)}: an IPv6 address goes in brackets, e.g. [::1]:5003`, origin);
    }
    if (!isIPv4(host) && !HOSTNAME.test(host)) {
      throw badConfig(field, `${show(value)}: ${show(host)} is not an IP address or a host name`, origin);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw badConfig(field, `${show(value)}: the port is not an integer 1-65535`, origin);
  }
  return { host, port: Number(portText) };
}

/** Back to text, with brackets around IPv6 hosts so the port stays unambiguous. */
export function formatHostPort(hp: HostPort): string {
  return isIPv6(hp.host) ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/**
 * True for 127.0.0.0/8, ::1 (also written out in full, or IPv4-mapped) and `localhost`, which
 * resolvers answer with a loopback address (RFC 6761). Every other name is treated as reachable from
 * the network: a name could resolve to anything.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (!isIPv6(h)) return false;
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped?.[1] !== undefined) return mapped[1].startsWith('127.');
  return expandIPv6(h) === '0000:0000:0000:0000:0000:0000:0000:0001';
}

/** The 8 groups of an IPv6 address written out in full (no embedded IPv4: the caller checked). */
function expandIPv6(h: string): string {
  const [head = '', tail] = h.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.padStart(4, '0')).join(':');
}
