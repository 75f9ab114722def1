import { BlockList, isIP } from 'node:net';

/**
 * Where an address points. Only `public` destinations are delivered to, unless the operator lists
 * the host or address in WEBHOOK_ALLOWED_HOSTS.
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'cgnat'
  | 'unique-local'
  | 'multicast'
  | 'reserved'
  | 'invalid';

const V4: [string, number, AddressClass][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.100.100.200', 32, 'metadata'], // Alibaba Cloud (inside CGNAT space; checked first)
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean...
  ['169.254.170.2', 32, 'metadata'], // AWS ECS task metadata
  ['169.254.0.0', 16, 'link-local'],
  ['168.63.129.16', 32, 'metadata'], // Azure wire server: a public address that is not
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
];

const V6: [string, number, AddressClass][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'metadata'], // AWS IMDS over IPv6
  ['64:ff9b:1::', 48, 'reserved'], // local-use NAT64
  ['100::', 64, 'reserved'], // discard-only
  ['2001::', 23, 'reserved'], // IETF protocol assignments, Teredo
  ['2001:db8::', 32, 'reserved'], // documentation
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // deprecated site-local
  ['ff00::', 8, 'multicast'],
];

/** Ranges checked in order: the first that contains the address decides (specific ones come first). */
const rules = [
  ...V4.map(([net, bits, cls]) => ({ list: blockOf(net, bits, 'ipv4'), cls, family: 4 })),
  ...V6.map(([net, bits, cls]) => ({ list: blockOf(net, bits, 'ipv6'), cls, family: 6 })),
];

function blockOf(net: string, bits: number, type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(net, bits, type);
  return list;
}

/**
 * Canonicalises any spelling of an address to dotted IPv4 or compressed IPv6, as the URL parser
 * does: `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` are all 127.0.0.1. Returns null for
 * anything that is not an address (a host name).
 */
export function canonicalAddress(input: string): string | null {
  let host = input.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  // A zone id (fe80::1%eth0) only ever names a link-local address; drop it before parsing.
  const zone = host.indexOf('%');
  if (zone >= 0 && host.includes(':')) host = host.slice(0, zone);
  if (isIP(host) === 6) {
    try {
      return new URL(`http://[${host}]/`).hostname.slice(1, -1);
    } catch {
      return null;
    }
  }
  if (!/^[0-9a-fx.]+$/.test(host)) return null;
  try {
    const parsed = new URL(`http://${host}/`).hostname;
    return isIP(parsed) === 4 ? parsed : null;
  } catch {
    return null;
  }
}

/** The eight 16-bit groups of a canonical IPv6 address. */
function groups(v6: string): number[] {
  const [head, tail] = v6.includes('::') ? v6.split('::') : [v6, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':') : []).flatMap((g) => {
    if (g.includes('.')) {
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    }
    return [parseInt(g, 16)];
  });
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

const v4FromGroups = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries and that a packet to it would reach: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedV4(v6: string): string | null {
  const g = groups(v6);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6]!, g[7]!);
  if (zeros(0, 6) && (g[6]! !== 0 || g[7]! > 1)) return v4FromGroups(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4FromGroups(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4FromGroups(g[1]!, g[2]!);
  return null;
}

/** Classifies an address in any spelling; host names and garbage are `invalid`. */
export function classifyAddress(input: string): AddressClass {
  const address = canonicalAddress(input);
  if (!address) return 'invalid';
  const family = isIP(address);
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4) return classifyAddress(v4);
  }
  for (const rule of rules) {
    if (rule.family === family && rule.list.check(address, family === 4 ? 'ipv4' : 'ipv6')) return rule.cls;
  }
  return 'public';
}
