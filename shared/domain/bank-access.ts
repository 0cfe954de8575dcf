import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { BankProfile } from './bank-profile.ts';
import { ClientError } from './errors.ts';

// Per-bank restrictions on where a bank's signed requests may come from (docs/security.md):
// checked after the signature, so that every signature failure stays one 401 and a refusal here
// tells nothing to someone without the bank's secret.

/** Who called, as API Gateway saw it. */
export interface Caller {
  readonly sourceIp?: string | undefined;
  /** The subject of the client certificate verified by the custom domain's mutual TLS. */
  readonly clientCertificateSubject?: string | undefined;
}

export class CallerNotAllowedError extends ClientError {
  override readonly name = 'CallerNotAllowedError';
  constructor(detail: string) {
    super(403, 'caller-not-allowed', 'Caller not allowed', detail);
  }
}

/**
 * Refuses a request from outside the bank's allow-list (`allowedSourceIps`, addresses or CIDR
 * blocks), or without the client certificate the bank's settings name. A bank without these
 * settings is not restricted.
 */
export function checkBankAccess(bank: BankProfile | undefined, caller: Caller): void {
  const allowList = bank?.allowedSourceIps ?? [];
  if (allowList.length > 0 && !inAllowList(caller.sourceIp, allowList)) {
    throw new CallerNotAllowedError("The request does not come from an address in the bank's allow-list.");
  }
  const subject = bank?.clientCertificateSubject;
  if (subject !== undefined && caller.clientCertificateSubject !== subject) {
    throw new CallerNotAllowedError("The request does not carry the bank's client certificate.");
  }
}

/** IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`): a caller over IPv6 with an IPv4 address. */
const ipv4Mapped = new BlockList();
ipv4Mapped.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * Whether the caller's address is in the allow-list (canonical `address/prefix` entries, as
 * `parseSourceAllowList` stores them; one that is not is skipped). An IPv4-mapped IPv6 address is
 * its IPv4 address; IPv4 addresses match IPv4 entries only, IPv6 addresses IPv6 entries only.
 * Node's own `BlockList`, so that the event function bundles no address library.
 */
function inAllowList(sourceIp: string | undefined, allowList: readonly string[]): boolean {
  if (sourceIp === undefined) return false;
  const family = isIPv4(sourceIp) ? 'ipv4' : isIPv6(sourceIp) ? 'ipv6' : undefined;
  if (family === undefined) return false;
  const asIpv4 = family === 'ipv4' || ipv4Mapped.check(sourceIp, 'ipv6');
  const ranges = new BlockList();
  for (const entry of allowList) {
    const [address = '', prefix, ...rest] = entry.split('/');
    if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) continue;
    const entryFamily = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    if (entryFamily !== (asIpv4 ? 'ipv4' : 'ipv6')) continue;
    try {
      ranges.addSubnet(address, Number(prefix), entryFamily);
    } catch {
      // A prefix longer than the address: not a block.
    }
  }
  // A mapped address is checked as itself: the IPv4 blocks cover their mapped forms.
  return ranges.check(sourceIp, family);
}
