import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { ClientError } from './errors.ts';

// Where Vigil may send a bank's callbacks (docs/security.md, "Callback URLs that point inside"):
// https to a host whose every address is global unicast. The same rules run when a callback URL
// is set (`vigil banks add`, `vigil banks update`) and again when a callback is sent, on the
// address the connection is actually made to, so a DNS answer that changes in between is refused.

export interface CallbackUrlPolicy {
  /** Local mode: loopback hosts are allowed, over http or https. Nothing else is relaxed. */
  readonly allowLoopback: boolean;
}

/** Every address a host name resolves to, as the system resolver answers (tests pass their own). */
export type Resolve = (hostname: string) => Promise<readonly string[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** A callback URL Vigil refuses to call; `reason` says why, without echoing the URL. */
export class InvalidCallbackUrlError extends ClientError {
  override readonly name = 'InvalidCallbackUrlError';
  constructor(readonly reason: string) {
    super(400, 'invalid-callback-url', 'Invalid callback URL', `The callback URL ${reason}.`);
  }
}

/**
 * The URL if its form is one Vigil may call: https (http only to loopback in local mode), no
 * credentials, and a host that is not an address or name of an inside range. IPv4 addresses in
 * any encoding (decimal, hex, octal, shortened) arrive here normalized by the WHATWG URL parser,
 * so `https://2852039166/` is seen as 169.254.169.254. Names are checked by `resolveCallbackUrl`.
 */
export function parseCallbackUrl(value: string, policy: CallbackUrlPolicy): URL {
  if (!URL.canParse(value)) throw new InvalidCallbackUrlError('is not a URL');
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidCallbackUrlError('must use https');
  if (url.username !== '' || url.password !== '')
    throw new InvalidCallbackUrlError('must not hold credentials');
  const host = hostOf(url);
  const literal = ipaddr.isValid(host) ? host : undefined;
  const loopback = literal !== undefined ? isLoopback(literal) : isLoopbackName(host);
  if (url.protocol === 'http:' && !(policy.allowLoopback && loopback))
    throw new InvalidCallbackUrlError('must use https');
  if (literal !== undefined) {
    const reason = forbiddenAddressReason(literal, policy);
    if (reason !== undefined) throw new InvalidCallbackUrlError(`points to ${reason}`);
  } else if (isLoopbackName(host)) {
    if (!policy.allowLoopback) throw new InvalidCallbackUrlError('points to a loopback address');
  } else if (isInternalName(host)) {
    throw new InvalidCallbackUrlError('names an internal host');
  }
  return url;
}

/**
 * Checks the URL's form, then resolves its host and checks every address it resolves to. Used
 * where callback URLs are set; sending checks again at connect time (`guardedLookup`).
 */
export async function resolveCallbackUrl(
  value: string,
  policy: CallbackUrlPolicy,
  resolve: Resolve = systemResolve,
): Promise<URL> {
  const url = parseCallbackUrl(value, policy);
  const host = hostOf(url);
  if (ipaddr.isValid(host)) return url;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new InvalidCallbackUrlError('has a host name that does not resolve');
  }
  if (addresses.length === 0) throw new InvalidCallbackUrlError('has a host name that does not resolve');
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address, policy);
    if (reason !== undefined) throw new InvalidCallbackUrlError(`resolves to ${reason}`);
  }
  return url;
}

/**
 * Why Vigil may not connect to this address, or undefined when it may: only global unicast
 * addresses are allowed (and loopback in local mode). IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4, Teredo) are refused, or judged by the IPv4 address inside.
 */
export function forbiddenAddressReason(address: string, policy: CallbackUrlPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return 'an address that is not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === 'loopback') return policy.allowLoopback ? undefined : 'a loopback address';
  if (parsed.kind() === 'ipv4') {
    return range === 'unicast' ? undefined : `a ${RANGE_NAMES[range] ?? range} address`;
  }
  // IPv6: global unicast is 2000::/3, minus the special ranges ipaddr.js names.
  if (range !== 'unicast') return `a ${RANGE_NAMES[range] ?? range} address`;
  if (!parsed.match(GLOBAL_UNICAST_V6)) return 'an address outside IPv6 global unicast';
  return undefined;
}

/**
 * A `lookup` for `net.connect` / `http.request`: resolves with `resolve` and refuses the
 * connection when any answer is forbidden, so the address connected to is the address checked.
 */
export function guardedLookup(policy: CallbackUrlPolicy, resolve: Resolve = systemResolve) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string } | number,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void,
  ): void => {
    const all = typeof options === 'object' && options.all === true;
    resolve(hostname).then(
      (addresses) => {
        const reasons = addresses.map((address) => forbiddenAddressReason(address, policy));
        const refused = reasons.find((reason) => reason !== undefined);
        if (addresses.length === 0 || refused !== undefined) {
          callback(new ForbiddenAddressError(refused ?? 'no address'), all ? [] : '');
          return;
        }
        const entries = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        if (all) callback(null, entries);
        else callback(null, entries[0]?.address ?? '', entries[0]?.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, all ? [] : ''),
    );
  };
}

/** Raised at connect time when the callback host resolves to an address Vigil may not call. */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'EFORBIDDENADDRESS';
  constructor(reason: string) {
    super(`The callback host resolves to ${reason}.`);
  }
}

/** The host without IPv6 brackets or a trailing dot, lower case. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

function isLoopback(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'loopback';
}

/** `localhost` and its subdomains always mean this machine (RFC 6761). */
function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Names that only resolve inside a network or a cloud: refused whatever they resolve to. */
function isInternalName(host: string): boolean {
  return (
    !host.includes('.') ||
    /\.(internal|local|localdomain|home\.arpa|intranet|corp|lan)$/.test(host) ||
    host === 'metadata.google.internal' ||
    host.endsWith('.in-addr.arpa') ||
    host.endsWith('.ip6.arpa')
  );
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local (cloud metadata)',
  private: 'private',
  carrierGradeNat: 'carrier-grade NAT',
  reserved: 'reserved',
  uniqueLocal: 'unique local (private)',
  ipv4Mapped: 'IPv4-mapped',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
  discard: 'discard-only',
  benchmarking: 'benchmarking',
  deprecatedSiteLocal: 'site-local',
};
