import { CHANNEL_NAMES } from '../ports/channel.ts';
import type { Alert } from './alert.ts';
import type { CallbackDelivery } from './callback-delivery.ts';
import type { Subscriber } from './subscriber.ts';
import * as z from './zod.ts';

// The items of the tables whose streams Vigil consumes, as zod schemas: a stream record is read
// with its table's schema (shared/runtime/stream-records.ts), never cast. Each schema checks every
// field the consumers read and keeps the others as they are. The events table's schema is
// `storedEventSchema` (stored-event-schema.ts). A subscriber's and an alert's address are read in the
// domain's terms: shared/adapters/stored-address.ts maps the stored attribute names first.

const reasonSchema = z.looseObject({
  rule: z.string(),
  observed: z.union([z.number(), z.string()]),
  limit: z.union([z.number(), z.string(), z.array(z.string())]),
  currency: z.optional(z.string()),
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
  erasureRef: z.optional(z.string()),
  receivedAt: z.optional(z.string()),
});

const alertObjectSchema = z.looseObject({
  alertId: z.string().check(z.minLength(1)),
  ref: z.string().check(z.minLength(1)),
  bankId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  customerKey: z.string().check(z.minLength(1)),
  kind: z.enum(['fraud_check', 'low_balance']),
  status: z.enum(['pending', 'sent', 'confirmed', 'disputed', 'expired', 'undeliverable', 'grouped']),
  eventId: z.string().check(z.minLength(1)),
  transactionId: z.optional(z.string()),
  score: z.optional(z.number()),
  reasons: z.array(reasonSchema),
  display: displaySchema,
  createdAt: z.string(),
  erasureRef: z.optional(z.string()),
  receivedAt: z.optional(z.string()),
  expiresAt: z.number(),
  address: z.optional(z.string()),
  channel: z.optional(z.enum(CHANNEL_NAMES)),
  sendClaimedAt: z.optional(z.string()),
  checkId: z.optional(z.string()),
  members: z.optional(z.record(z.string(), memberSchema)),
  summarized: z.optional(z.set(z.string())),
  lastFollowUpAt: z.optional(z.string()),
});

/** An alert as stored (alert.ts). */
export const alertSchema = z.pipe(
  alertObjectSchema,
  z.transform((item) => item as unknown as Alert),
);

/**
 * The alerts table's other items, which are no alerts: a customer's open fraud check and the
 * hourly message counters. They carry no `kind`.
 */
const alertsBookkeepingSchema = z.looseObject({
  alertId: z.string().check(z.minLength(1)),
  kind: z.optional(z.never()),
});

/**
 * Reads an item with the schema `pick` chooses by its shape, so that a failure names the fields
 * of that schema (a plain union would only say that no branch matched).
 */
export function itemByShape<T>(pick: (item: Readonly<Record<string, unknown>>) => z.ZodMiniType<T>) {
  return z.pipe(
    z.record(z.string(), z.unknown()),
    z.transform((item, ctx): T => {
      const result = pick(item).safeParse(item);
      if (result.success) return result.data;
      for (const issue of result.error.issues)
        ctx.issues.push({ code: 'custom', message: issue.code, path: issue.path, input: item });
      return z.NEVER;
    }),
  );
}

/** Any item of the alerts table: an alert, or a bookkeeping item (`kind` undefined). */
export const alertsTableItemSchema = itemByShape<
  Alert | { readonly alertId: string; readonly kind?: undefined }
>((item) =>
  item.kind === undefined
    ? z.pipe(
        alertsBookkeepingSchema,
        z.transform((other) => ({ ...other, kind: undefined })),
      )
    : alertSchema,
);

/**
 * A subscription as stored (subscriber.ts). Its stream's consumer (notify-bank) reads who, which
 * channel and address, the status and the consent time: those are checked; the locale, the enrollment and the
 * update time, which it does not need, may be absent.
 */
export const subscriberSchema = z.pipe(
  z.looseObject({
    bankId: z.string().check(z.minLength(1)),
    customerId: z.string().check(z.minLength(1)),
    address: z.string().check(z.minLength(1)),
    channel: z.optional(z.enum(CHANNEL_NAMES)),
    status: z.enum(['pending_consent', 'active', 'revoked']),
    locale: z.optional(z.string()),
    enrollmentId: z.optional(z.string()),
    consentVersion: z.optional(z.string()),
    consentedAt: z.optional(z.string()),
    lastInboundAt: z.optional(z.string()),
    updatedAt: z.optional(z.string()),
    pendingAddress: z.optional(z.string()),
    pendingChannel: z.optional(z.enum(CHANNEL_NAMES)),
    pendingEnrollmentId: z.optional(z.string()),
    pendingLocale: z.optional(z.string()),
  }),
  z.transform((item) => item as unknown as Subscriber),
);

/** A callback in the outbox (callback-delivery.ts). */
export const callbackDeliverySchema = z.pipe(
  z
    .looseObject({
      deliveryId: z.string().check(z.minLength(1)),
      bankId: z.string().check(z.minLength(1)),
      type: z.string().check(z.minLength(1)),
      // The exact JSON the bank receives; dropped once delivered (docs/data-inventory.md).
      body: z.optional(z.string()),
      status: z.enum(['pending', 'delivered', 'dead']),
      attempts: z.number().check(z.int(), z.nonnegative()),
      createdAt: z.string(),
      nextAttemptAt: z.optional(z.string()),
      deliveredAt: z.optional(z.string()),
      lastError: z.optional(z.string()),
      expiresAt: z.number(),
    })
    .check(
      z.refine((item) => item.status === 'delivered' || item.body !== undefined, {
        path: ['body'],
        message: 'A callback not yet delivered keeps its body.',
      }),
    ),
  z.transform((item) => item as unknown as CallbackDelivery),
);
