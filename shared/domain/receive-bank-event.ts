import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { SubscriberDirectory } from '../ports/subscriber-directory.ts';
import { bankEventSchema, bankIdPattern } from './bank-event.ts';
import {
  ConflictError,
  MalformedJsonError,
  PanDetectedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';
import { jsonContainsPan } from './pan-guard.ts';
import { hashEvent, toStoredEvent } from './stored-event.ts';
import { parseOrThrow } from './validate.ts';
import { type SignedRequest, verifyBankSignature } from './verify-bank-signature.ts';

export const MAX_BODY_BYTES = 64 * 1024;
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface BankEventRequest extends SignedRequest {
  readonly bankId: string;
}

export type ReceiveOutcome =
  | { readonly id: string; readonly status: 'accepted' }
  | { readonly id: string; readonly status: 'duplicate' }
  | { readonly id: string; readonly status: 'ignored'; readonly reason: 'not_subscribed' };

export interface ReceiveBankEventPorts {
  readonly secrets: BankSecrets;
  readonly subscribers: SubscriberDirectory;
  readonly events: EventStore;
  readonly clock: Clock;
}

/**
 * Checks a bank's event request from the cheapest test to the dearest and stores it exactly once.
 * Every refusal throws a ClientError before anything is written.
 */
export async function receiveBankEvent(
  request: BankEventRequest,
  { secrets, subscribers, events, clock }: ReceiveBankEventPorts,
): Promise<ReceiveOutcome> {
  if (request.body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (!isJsonContentType(request.headers['content-type'])) throw new UnsupportedMediaTypeError();

  const bankSecrets = bankIdPattern.test(request.bankId) ? await secrets.signingSecrets(request.bankId) : [];
  if (!verifyBankSignature(bankSecrets, request)) throw new UnauthorizedError();

  const eventId = request.headers['webhook-id'] ?? '';
  if (!EVENT_ID_PATTERN.test(eventId)) {
    throw new ValidationError([
      {
        path: 'header:webhook-id',
        message: 'Must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-".',
      },
    ]);
  }

  const text = decodeUtf8(request.body);
  const json = parseJson(text);
  if (jsonContainsPan(text)) throw new PanDetectedError();
  const event = parseOrThrow(bankEventSchema, json);

  if (!(await subscribers.isSubscribed(request.bankId, event.customerId))) {
    return { id: eventId, status: 'ignored', reason: 'not_subscribed' };
  }

  const result = await events.putIfAbsent(toStoredEvent(request.bankId, eventId, event, clock.now()));
  if (result.stored) return { id: eventId, status: 'accepted' };
  if (result.existing.bodyHash === hashEvent(event)) return { id: eventId, status: 'duplicate' };
  throw new ConflictError('An event with this webhook-id was already received with a different body.');
}

/** `application/json` or `application/<anything>+json`, optionally with a UTF-8 charset. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (!/^application\/(?:[a-z0-9.+-]+\+)?json$/.test(mediaType)) return false;
  return parameters.every(
    (parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter),
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new MalformedJsonError();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
}
