import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { canonicalAddress, classifyAddress, type AddressClass } from './address';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name → addresses. The system resolver by default; tests inject their own. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
  constructor(
    message: string,
    readonly reason: AddressClass | 'scheme' | 'credentials' | 'unresolvable',
  ) {
    super(message);
  }
}

export interface Destination {
  url: URL;
  /** The checked address the connection must go to (never re-resolved). */
  address: string;
  family: 4 | 6;
}

const strip = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '');

/**
 * Names that can only mean this machine, whatever DNS says (RFC 6761 §6.3: `localhost` and every
 * name under it), in any case and with or without the root's trailing dot.
 */
export function isLocalhostName(host: string): boolean {
  const name = strip(host).replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Scheme and userinfo checks that need no DNS (also used when an endpoint is saved). */
export function checkUrlShape(raw: string, allowedHosts: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefused('Not a valid URL', 'invalid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DestinationRefused('Only http and https URLs are allowed', 'scheme');
  if (url.username || url.password) throw new DestinationRefused('URLs with credentials are not allowed', 'credentials');
  const host = strip(url.hostname);
  if (isLocalhostName(host) && !allowedHosts.includes(host) && !allowedHosts.includes(host.replace(/\.+$/, ''))) {
    throw new DestinationRefused(`Destination ${host} can only mean this machine`, 'loopback');
  }
  // The URL parser already rewrote 0x7f.1, 2130706433 and friends to dotted form; check literals now.
  const literal = canonicalAddress(host);
  if (literal) assertAllowed(host, literal, allowedHosts);
  return url;
}

function assertAllowed(host: string, address: string, allowedHosts: string[]): void {
  const cls = classifyAddress(address);
  if (cls === 'public') return;
  if (allowedHosts.includes(host) || allowedHosts.includes(canonicalAddress(address) ?? address)) return;
  throw new DestinationRefused(`Destination ${host} resolves to a ${cls} address`, cls);
}

/**
 * Resolves the URL's host once and checks every address it resolves to: if any is not public
 * (and not allowlisted), the destination is refused before a socket is opened. The caller then
 * connects to the checked address through `pinnedLookup`, so a DNS answer that changes between
 * the check and the connection (rebinding) cannot redirect the request.
 */
export async function resolveDestination(raw: string, allowedHosts: string[], resolver: Resolver = systemResolver): Promise<Destination> {
  const url = checkUrlShape(raw, allowedHosts);
  const host = strip(url.hostname);
  const literal = canonicalAddress(host);
  if (literal) return { url, address: literal, family: literal.includes(':') ? 6 : 4 };
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolver(host);
  } catch (error) {
    throw new DestinationRefused(`Cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'unresolvable');
  }
  if (addresses.length === 0) throw new DestinationRefused(`Cannot resolve ${host}`, 'unresolvable');
  for (const a of addresses) assertAllowed(host, a.address, allowedHosts);
  const chosen = addresses[0]!;
  return { url, address: canonicalAddress(chosen.address) ?? chosen.address, family: chosen.family };
}

/** A `lookup` for http.request that answers with the already-checked address only. */
export function pinnedLookup(destination: Destination): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  }) as unknown as LookupFunction;
}
