import ipaddr from 'ipaddr.js';
import { ClientError } from './errors.ts';

// A bank's source allow-list as an operator sets it (`--allowed-ips` of the CLI's bank commands);
// `bank-access.ts` checks requests against what this stores.

/**
 * An allow-list as stored: each entry an IPv4 or IPv6 address or CIDR block, in canonical form.
 * Throws a 400 naming the first entry that is not one.
 */
export function parseSourceAllowList(entries: readonly string[]): string[] {
  return entries.map((entry) => {
    const text = entry.trim();
    try {
      const [address, prefix] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), undefined];
      const bits = prefix ?? (address.kind() === 'ipv4' ? 32 : 128);
      return `${address.toString()}/${bits}`;
    } catch {
      throw new ClientError(
        400,
        'invalid-allow-list',
        'Invalid allow-list',
        `${JSON.stringify(text)} is not an IP address or CIDR block.`,
      );
    }
  });
}
