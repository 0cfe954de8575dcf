import { z } from 'zod';
import type { CallbackType } from './bank-callback.ts';
import { customerIdSchema, opaqueIdSchema } from './bank-event.ts';
import { ruleNames } from './thresholds.ts';

// The bodies Vigil posts to a bank's callback URL (docs/bank-integration.md, Callbacks), as zod
// schemas: the OpenAPI document's `webhooks` are generated from them, and a test parses the
// callbacks Vigil builds with them.

const callbackIdSchema = z
  .string()
  .regex(/^cb_[A-Za-z0-9_-]+$/)
  .meta({
    description: 'The `webhook-id`: stable across retries; deduplicate by it.',
  });
const occurredAtSchema = z.iso
  .datetime({ offset: true })
  .meta({ description: 'When it changed; order by it.' });

/** Who is subscribed, without saying who: the channel and a keyed hash of the address. */
const subscriberFields = {
  channel: z.literal('messenger'),
  subscriberRef: z
    .string()
    .regex(/^sr_[A-Za-z0-9_-]{32}$/)
    .meta({
      description:
        'A stable keyed hash of the subscriber’s channel address (never the address): it changes when another person takes over the subscription.',
    }),
};

const reasonSchema = z.strictObject({
  rule: z.enum([...ruleNames, 'lowBalance']),
  observed: z.union([z.number(), z.string()]),
  limit: z.union([z.number(), z.string(), z.array(z.string())]),
  currency: z.string().optional().meta({ description: 'For amounts: minor units of this currency.' }),
});

const alertData = z.strictObject({
  alertId: z.string(),
  customerId: customerIdSchema,
  kind: z.enum(['fraud_check', 'low_balance']),
  transactionId: opaqueIdSchema.optional().meta({ description: 'For a fraud check.' }),
  score: z.int().optional().meta({ description: 'For a fraud check.' }),
  reasons: z.array(reasonSchema),
});

const undeliverableReason = z
  .string()
  .regex(/^(not_subscribed|outside_window|send_unconfirmed|send_error_\w+)$/)
  .meta({ description: '`not_subscribed`, `outside_window`, `send_error_<code>` or `send_unconfirmed`' });

function callback<Type extends CallbackType, Data extends z.ZodType>(
  type: Type,
  data: Data,
  description: string,
) {
  return z
    .strictObject({ type: z.literal(type), id: callbackIdSchema, occurredAt: occurredAtSchema, data })
    .meta({ description });
}

/** Each callback type's body. */
export const callbackSchemas = {
  'customer.subscribed': callback(
    'customer.subscribed',
    z.strictObject({ customerId: customerIdSchema, ...subscriberFields, consentVersion: z.string() }),
    'The customer agreed in Messenger to alerts from the bank.',
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
  'alert.sent': callback('alert.sent', alertData, 'The fraud check or notice reached Messenger.'),
  'alert.confirmed': callback('alert.confirmed', alertData, 'The customer answered Yes: it was them.'),
  'alert.disputed': callback('alert.disputed', alertData, 'The customer answered No: it was not them.'),
  'alert.expired': callback('alert.expired', alertData, 'No answer before the deadline.'),
  'alert.undeliverable': callback(
    'alert.undeliverable',
    alertData.extend({ reason: undeliverableReason }),
    'The alert could not be sent: fall back to SMS.',
  ),
} satisfies Record<CallbackType, z.ZodType>;
