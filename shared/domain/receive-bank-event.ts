import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { Clock } from '../ports/clock.ts';
import type { ErasureKeys } from '../ports/erasure.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { SubscriberDirectory } from '../ports/subscriber-directory.ts';
import { authenticateBankEvent, type BankRequest, readJsonBody } from './authenticate-bank-request.ts';
import { bankEventSchema, eventIdPattern } from './bank-event.ts';
import { ConflictError, ValidationError } from './errors.ts';
import { hashEvent, toStoredEvent } from './stored-event.ts';
import { parseOrThrow } from './validate.ts';

export type ReceiveOutcome =
  | { readonly id: string; readonly status: 'accepted' }
  | { readonly id: string; readonly status: 'duplicate' }
  | { readonly id: string; readonly status: 'ignored'; readonly reason: 'not_subscribed' };

/** How far in the future an event's `occurredAt` may be: clocks differ, but not by more. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface ReceiveBankEventPorts {
  readonly secrets: BankSecrets;
  readonly subscribers: SubscriberDirectory;
  readonly events: EventStore;
  readonly clock: Clock;
  /** The banks' settings: source IP allow-lists and client certificates. */
  readonly banks?: BankDirectory;
  readonly erasure: ErasureKeys;
}

/**
 * Checks a bank's event request from the cheapest test to the dearest and stores it exactly once.
 * Every refusal throws a ClientError before anything is written.
 */
export async function receiveBankEvent(
  request: BankRequest,
  { secrets, subscribers, events, clock, banks, erasure }: ReceiveBankEventPorts,
): Promise<ReceiveOutcome> {
  await authenticateBankEvent(request, secrets, banks);

  const eventId = request.headers['webhook-id'] ?? '';
  if (!eventIdPattern.test(eventId)) {
    throw new ValidationError([
      {
        path: 'header:webhook-id',
        message: 'Must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-".',
      },
    ]);
  }
  // Taken before the subscription is read: an erasure that follows this read is later than
  // this time, so its marker covers the event (docs/security.md, "Erasure").
  const receivedAt = clock.now();
  const event = parseOrThrow(bankEventSchema, readJsonBody(request.body));
  if (Date.parse(event.occurredAt) > receivedAt.getTime() + MAX_FUTURE_SKEW_MS) {
    throw new ValidationError([
      { path: 'occurredAt', message: 'Must not be more than 5 minutes in the future.' },
    ]);
  }

  if (!(await subscribers.isSubscribed(request.bankId, event.customerId))) {
    return { id: eventId, status: 'ignored', reason: 'not_subscribed' };
  }

  const erasureRef = await erasure.refOf(request.bankId, event.customerId);
  const result = await events.putIfAbsent(
    toStoredEvent(request.bankId, eventId, event, receivedAt, { erasureRef }),
  );
  if (result.stored) return { id: eventId, status: 'accepted' };
  if (result.existing.bodyHash === hashEvent(event)) return { id: eventId, status: 'duplicate' };
  throw new ConflictError('An event with this webhook-id was already received with a different body.');
}
