import { createHmac } from 'node:crypto';

// Erasure wins every race (docs/security.md, "Erasure"). Erasing a customer leaves a marker that
// holds only a keyed hash of the bank and customer ids (the erasure ref) and the time of the
// erasure. Every record that can bring data back (a stored event, an alert) carries the ref and
// the time its event was received; scoring, customer notification and callback queuing check
// the marker before they write, and again after, removing what they wrote when an erasure landed
// meanwhile. A record received before the erasure is dropped; one received after it (a fresh
// enrollment, a new consent) is handled as usual, so a customer can subscribe again at once.

/**
 * Markers outlive every record in flight: the dead letters that an operator may redrive are kept
 * 14 days, stored events 7 days, stream records 24 hours.
 */
export const ERASURE_MARKER_RETENTION_SECONDS = 15 * 24 * 60 * 60;

/** The erasure ref: HMAC-SHA256 of the bank and customer ids under the stack's erasure key. */
export function erasureRefOf(key: Buffer, bankId: string, customerId: string): string {
  return `er_${createHmac('sha256', key).update(`${bankId}\u0000${customerId}`).digest('base64url')}`;
}

/** What a record carries to be checked against erasures. */
export interface ErasableRecord {
  readonly erasureRef?: string | undefined;
  /** When the bank event behind the record was received (ISO time). */
  readonly receivedAt: string;
}

/** True when an erasure at `erasedAt` covers the record: its event was received before it. */
export function coveredByErasure(erasedAt: string | undefined, record: ErasableRecord): boolean {
  return erasedAt !== undefined && record.receivedAt <= erasedAt;
}
