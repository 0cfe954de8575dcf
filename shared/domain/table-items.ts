import { z } from 'zod';
import { CHANNEL_NAMES } from '../ports/channel.ts';
import type { Alert } from './alert.ts';
import type { CallbackDelivery } from './callback-delivery.ts';
import type { Subscriber } from './subscriber.ts';

// The items of the tables whose streams Vigil consumes, as zod schemas: a stream record is read
// with its table's schema (shared/runtime/stream-records.ts), never cast. Each schema checks every
// field the consumers read and keeps the others as they are. The events table's schema is
// `storedEventSchema` (stored-event.ts). A subscriber's and an alert's address are read in the
// domain's terms: shared/adapters/stored-address.ts maps the stored attribute names first.

const reasonSchema = z.looseObject({
  rule: z.string(),
  observed: z.union([z.number(), z.string()]),
  limit: z.union([z.number(), z.string(), z.array(z.string())]),
  currency: z.string().optional(),
});

const displaySchema = z.union([
  z.looseObject({
    cardLast4: z.string(),
    amount: z.number(),
    currency: z.string(),
    merchantName: z.string(),
    merchantCountry: z.string(),
    occurredAt: z.string(),
  }),
  z.looseObject({
    accountLast4: z.string(),
    available: z.number(),
    currency: z.string(),
    occurredAt: z.string(),
  }),
]);

const memberSchema = z.looseObject({
  transactionId: z.string(),
  score: z.number(),
  reasons: z.array(reasonSchema),
  display: displaySchema,
  joinedAt: z.string(),
  erasureRef: z.string().optional(),
  receivedAt: z.string().optional(),
});

const alertObjectSchema = z.looseObject({
  alertId: z.string().min(1),
  ref: z.string().min(1),
  bankId: z.string().min(1),
  customerId: z.string().min(1),
  customerKey: z.string().min(1),
  kind: z.enum(['fraud_check', 'low_balance']),
  status: z.enum(['pending', 'sent', 'confirmed', 'disputed', 'expired', 'undeliverable', 'grouped']),
  eventId: z.string().min(1),
  transactionId: z.string().optional(),
  score: z.number().optional(),
  reasons: z.array(reasonSchema),
  display: displaySchema,
  createdAt: z.string(),
  erasureRef: z.string().optional(),
  receivedAt: z.string().optional(),
  expiresAt: z.number(),
  address: z.string().optional(),
  channel: z.enum(CHANNEL_NAMES).optional(),
  sendClaimedAt: z.string().optional(),
  checkId: z.string().optional(),
  members: z.record(z.string(), memberSchema).optional(),
  summarized: z.set(z.string()).optional(),
  lastFollowUpAt: z.string().optional(),
});

/** An alert as stored (alert.ts). */
export const alertSchema = alertObjectSchema.transform((item) => item as unknown as Alert);

/**
 * The alerts table's other items, which are no alerts: a customer's open fraud check and the
 * hourly message counters. They carry no `kind`.
 */
const alertsBookkeepingSchema = z.looseObject({ alertId: z.string().min(1), kind: z.never().optional() });

/**
 * Reads an item with the schema `pick` chooses by its shape, so that a failure names the fields
 * of that schema (a plain union would only say that no branch matched).
 */
export function itemByShape<T>(pick: (item: Readonly<Record<string, unknown>>) => z.ZodType<T>) {
  return z.record(z.string(), z.unknown()).transform((item, ctx): T => {
    const result = pick(item).safeParse(item);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.code, path: issue.path });
    return z.NEVER;
  });
}

/** Any item of the alerts table: an alert, or a bookkeeping item (`kind` undefined). */
export const alertsTableItemSchema = itemByShape<
  Alert | { readonly alertId: string; readonly kind?: undefined }
>((item) =>
  item.kind === undefined
    ? alertsBookkeepingSchema.transform((other) => ({ ...other, kind: undefined }))
    : alertSchema,
);

/**
 * A subscription as stored (subscriber.ts). Its stream's consumer (notify-bank) reads who, which
 * channel and address, the status and the consent time: those are checked; the locale, the enrollment and the
 * update time, which it does not need, may be absent.
 */
export const subscriberSchema = z
  .looseObject({
    bankId: z.string().min(1),
    customerId: z.string().min(1),
    address: z.string().min(1),
    channel: z.enum(CHANNEL_NAMES).optional(),
    status: z.enum(['pending_consent', 'active', 'revoked']),
    locale: z.string().optional(),
    enrollmentId: z.string().optional(),
    consentVersion: z.string().optional(),
    consentedAt: z.string().optional(),
    lastInboundAt: z.string().optional(),
    updatedAt: z.string().optional(),
    pendingAddress: z.string().optional(),
    pendingChannel: z.enum(CHANNEL_NAMES).optional(),
    pendingEnrollmentId: z.string().optional(),
    pendingLocale: z.string().optional(),
  })
  .transform((item) => item as unknown as Subscriber);

/** A callback in the outbox (callback-delivery.ts). */
export const callbackDeliverySchema = z
  .looseObject({
    deliveryId: z.string().min(1),
    bankId: z.string().min(1),
    type: z.string().min(1),
    // The exact JSON the bank receives; dropped once delivered (docs/data-inventory.md).
    body: z.string().optional(),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int().nonnegative(),
    createdAt: z.string(),
    nextAttemptAt: z.string().optional(),
    deliveredAt: z.string().optional(),
    lastError: z.string().optional(),
    expiresAt: z.number(),
  })
  .refine((item) => item.status === 'delivered' || item.body !== undefined, {
    path: ['body'],
    message: 'A callback not yet delivered keeps its body.',
  })
  .transform((item) => item as unknown as CallbackDelivery);
