import type { CallbackType } from './bank-callback.ts';
import { customerIdSchema, opaqueIdSchema } from './bank-event.ts';
import { ruleNames } from './thresholds.ts';
import * as z from './zod.ts';

// The bodies Vigil posts to a bank's callback URL (docs/bank-integration.md, Callbacks), as zod
// schemas: the OpenAPI document's `webhooks` are generated from them, and a test parses the
// callbacks Vigil builds with them.

const callbackIdSchema = z.string().check(
  z.regex(/^cb_[A-Za-z0-9_-]+$/),
  z.meta({
    description: 'The `webhook-id`: stable across retries; deduplicate by it.',
  }),
);
const occurredAtSchema = z
  .isoDateTime({ offset: true })
  .check(z.meta({ description: 'When it changed; order by it.' }));

/** Who is subscribed, without saying who: the channel and a keyed hash of the address. */
const subscriberFields = {
  channel: z
    .enum(['messenger', 'whatsapp'])
    .check(z.meta({ description: 'The channel the customer subscribed on.' })),
  subscriberRef: z.string().check(
    z.regex(/^sr_[A-Za-z0-9_-]{32}$/),
    z.meta({
      description:
        'A stable keyed hash of the subscriber’s channel address (never the address): it changes when another person takes over the subscription.',
    }),
  ),
};

const reasonSchema = z.strictObject({
  rule: z.enum([...ruleNames, 'lowBalance', 'customerAlertAmount']),
  observed: z.union([z.number(), z.string()]),
  limit: z.union([z.number(), z.string(), z.array(z.string())]),
  currency: z
    .optional(z.string())
    .check(z.meta({ description: 'For amounts: minor units of this currency.' })),
});

const alertData = z.strictObject({
  alertId: z.string(),
  customerId: customerIdSchema,
  kind: z.enum(['fraud_check', 'low_balance']),
  transactionId: z.optional(opaqueIdSchema).check(z.meta({ description: 'For a fraud check.' })),
  score: z.optional(z.int()).check(z.meta({ description: 'For a fraud check.' })),
  reasons: z.array(reasonSchema),
  checkId: z.optional(z.string()).check(
    z.meta({
      description:
        'For a fraud check: the check the transaction belongs to (the `alertId` of its first transaction). One customer has at most one open check; suspicious transactions while it is open join it, and its outcome is sent once per transaction, each with its own `alertId` and `transactionId`.',
    }),
  ),
});

const undeliverableReason = z.string().check(
  z.regex(
    /^(not_subscribed|outside_window|channel_unavailable|rate_limited|send_unconfirmed|send_error_\w+)$/,
  ),
  z.meta({
    description:
      '`not_subscribed`, `outside_window`, `channel_unavailable` (the customer’s channel is not set up for the bank), `rate_limited` (the hourly ceiling of messages per customer), `send_error_<code>` or `send_unconfirmed`',
  }),
);

function callback<Type extends CallbackType, Data extends z.ZodMiniType>(
  type: Type,
  data: Data,
  description: string,
) {
  return z
    .strictObject({ type: z.literal(type), id: callbackIdSchema, occurredAt: occurredAtSchema, data })
    .check(z.meta({ description }));
}

/** Each callback type's body. */
export const callbackSchemas = {
  'customer.subscribed': callback(
    'customer.subscribed',
    z.strictObject({ customerId: customerIdSchema, ...subscriberFields, consentVersion: z.string() }),
    'The customer agreed to alerts from the bank, on the channel named by `channel` (Messenger or WhatsApp).',
  ),
  'customer.unsubscribed': callback(
    'customer.unsubscribed',
    z.strictObject({
      customerId: customerIdSchema,
      ...subscriberFields,
      reason: z.enum(['stopped', 'erased']),
    }),
    'The customer wrote STOP (`stopped`), or the bank erased them (`erased`).',
  ),
  'customer.preferences_changed': callback(
    'customer.preferences_changed',
    z.strictObject({
      customerId: customerIdSchema,
      travel: z
        .optional(
          z.strictObject({
            country: z.string().check(z.regex(/^[A-Z]{2}$/)),
            until: z.isoDateTime({ offset: true }),
          }),
        )
        .check(
          z.meta({
            description:
              'A travel notice: `foreignCountry` does not fire for payments in `country` before `until` (the end of the last day, UTC).',
          }),
        ),
      alertsOver: z
        .optional(
          z.strictObject({
            amount: z.int().check(z.minimum(0)),
            currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
          }),
        )
        .check(
          z.meta({
            description:
              'The customer is asked about every payment over `amount` (minor units of `currency`), even below your thresholds (reason `customerAlertAmount`).',
          }),
        ),
    }),
    'The customer changed their own controls in the chat (TRAVEL, ALERTS OVER, SETTINGS): their preferences as they are now; absent fields are not set.',
  ),
  'alert.sent': callback(
    'alert.sent',
    alertData,
    'The fraud check or notice was accepted by the customer’s channel (Messenger or WhatsApp).',
  ),
  'alert.delivered': callback(
    'alert.delivered',
    alertData,
    'The channel reports the alert on the customer’s phone (WhatsApp’s delivery status; Messenger does not report it). Once per alert, at most; it may come after the answer.',
  ),
  'alert.confirmed': callback(
    'alert.confirmed',
    alertData,
    'The customer answered Yes: it was them. Sent for every transaction of the fraud check.',
  ),
  'alert.disputed': callback(
    'alert.disputed',
    alertData,
    'The customer answered No: it was not them. Sent for every transaction of the fraud check.',
  ),
  'alert.expired': callback(
    'alert.expired',
    alertData,
    'No answer before the deadline. Sent for every transaction of the fraud check.',
  ),
  'alert.undeliverable': callback(
    'alert.undeliverable',
    z.extend(alertData, { reason: undeliverableReason }),
    'The alert could not be sent: fall back to SMS.',
  ),
} satisfies Record<CallbackType, z.ZodMiniType>;
