import { createHash } from 'node:crypto';
import { z } from 'zod';

// The webhook payload Meta posts (Messenger Platform, "Webhook events"): entries, each with
// messaging events. Only the fields Vigil uses are read; Meta adds fields over time, so unknown
// ones are allowed.

const referralSchema = z.object({ ref: z.string().max(512).optional() });

export const messagingEventSchema = z.object({
  sender: z.object({ id: z.string().min(1).max(64) }),
  recipient: z.object({ id: z.string().min(1).max(64) }),
  timestamp: z.number(),
  message: z
    .object({
      mid: z.string().min(1).max(256),
      text: z.string().max(2000).optional(),
      quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
      is_echo: z.boolean().optional(),
    })
    .optional(),
  postback: z
    .object({
      mid: z.string().max(256).optional(),
      payload: z.string().max(1000).optional(),
      referral: referralSchema.optional(),
    })
    .optional(),
  referral: referralSchema.optional(),
});

export const webhookPayloadSchema = z.object({
  object: z.literal('page'),
  entry: z
    .array(
      z.object({
        id: z.string(),
        time: z.number(),
        messaging: z.array(messagingEventSchema).max(1000).optional(),
      }),
    )
    .max(1000),
});

export type MessagingEvent = z.infer<typeof messagingEventSchema>;
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * The key a delivery is deduplicated by: the message id, or for referrals a hash of who and when
 * (the inbound table outlives an erasure by up to a week, so it must not hold the PSID).
 */
export function deliveryKey(event: MessagingEvent): string {
  const mid = event.message?.mid ?? event.postback?.mid;
  if (mid !== undefined && mid !== '') return mid;
  const who = createHash('sha256').update(`${event.sender.id}:${event.timestamp}`).digest('base64url');
  return `${event.referral ? 'referral' : 'postback'}:${who}`;
}
