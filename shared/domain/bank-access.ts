import ipaddr from 'ipaddr.js';
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

function inAllowList(sourceIp: string | undefined, allowList: readonly string[]): boolean {
  if (sourceIp === undefined || !ipaddr.isValid(sourceIp)) return false;
  let address = ipaddr.parse(sourceIp);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  return allowList.some((entry) => {
    try {
      const range = ipaddr.parseCIDR(entry);
      return address.kind() === range[0].kind() && address.match(range);
    } catch {
      return false;
    }
  });
}
