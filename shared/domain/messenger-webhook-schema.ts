import { createHash } from 'node:crypto';
import { actionOfPayload, actionOfText, type ChannelEvent, type CustomerAction } from './channel-event.ts';
import * as z from './zod.ts';

// The webhook payload Meta posts (Messenger Platform, "Webhook events"): entries, each with
// messaging items. Meta answers a failing webhook with retries and, in the end, by disabling it,
// and a single batch can mix items Vigil uses (messages, postbacks, referrals) with items it does
// not (deliveries, reads, echoes, reactions, policy notices...). So only the envelope is checked
// as a whole; every item is read on its own, and an item Vigil does not use or cannot read is
// skipped, never the batch. See docs/channels.md.

/**
 * Commands are a few characters: only the start of a text is read (and kept in memory). A
 * customer may write any length; the Send API's 2,000-character limit is about what a page sends.
 */
export const COMMAND_TEXT_CHARS = 64;

const id = z.string().check(z.minLength(1), z.maxLength(64));

/** Milliseconds since the epoch; some of Meta's reference pages show them as numeric strings. */
const timestamp = z.union([
  z.number().check(z.int(), z.nonnegative()),
  z.pipe(z.string().check(z.regex(/^\d{1,16}$/)), z.transform(Number)),
]);

const referralSchema = z.object({
  ref: z.optional(z.string().check(z.maxLength(512))),
  source: z.optional(z.string().check(z.maxLength(64))),
  type: z.optional(z.string().check(z.maxLength(64))),
});

/** The items Vigil acts on: a customer's message, postback or referral. */
export const messagingEventSchema = z.object({
  sender: z.object({ id }),
  recipient: z.object({ id }),
  timestamp,
  message: z.optional(
    z.object({
      mid: z.string().check(z.minLength(1), z.maxLength(512)),
      text: z.optional(
        z.pipe(
          z.string(),
          z.transform((text) => text.slice(0, COMMAND_TEXT_CHARS)),
        ),
      ),
      quick_reply: z.optional(z.object({ payload: z.string().check(z.maxLength(1000)) })),
      is_echo: z.optional(z.boolean()),
    }),
  ),
  postback: z.optional(
    z.object({
      mid: z.optional(z.string().check(z.maxLength(512))),
      payload: z.optional(z.string().check(z.maxLength(1000))),
      referral: z.optional(referralSchema),
    }),
  ),
  referral: z.optional(referralSchema),
});

/**
 * The envelope: a page's webhook (`object: "page"`). `whatsapp_business_account` is accepted
 * as an envelope so that a later WhatsApp channel can share the endpoint; its entries are
 * skipped for now.
 */
export const webhookPayloadSchema = z.object({
  object: z.enum(['page', 'whatsapp_business_account']),
  entry: z.array(z.unknown()),
});

export type MessagingEvent = z.infer<typeof messagingEventSchema>;
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** What a messaging item is, named after Meta's webhook fields; `unknown` for anything else. */
export type ItemType =
  | 'message'
  | 'message_echo'
  | 'postback'
  | 'referral'
  | 'delivery'
  | 'read'
  | 'reaction'
  | 'message_edit'
  | 'optin'
  | 'account_linking'
  | 'pass_thread_control'
  | 'take_thread_control'
  | 'request_thread_control'
  | 'app_roles'
  | 'policy_enforcement'
  | 'change'
  | 'whatsapp'
  | 'entry'
  | 'unknown';

/**
 * Why an item was skipped: `not_used` (Vigil has nothing to do with it), `standby` (another
 * app owns the conversation), `not_enrollment_link` (a referral without a `ref`, or from an ad or
 * the chat plugin),
 * `invalid` (not readable; `field` names where, never a value).
 */
export type SkipReason = 'not_used' | 'standby' | 'not_enrollment_link' | 'invalid';

export type WebhookItem =
  | { readonly act: true; readonly type: ItemType; readonly event: MessagingEvent }
  | { readonly act: false; readonly type: ItemType; readonly reason: SkipReason; readonly field?: string };

/** The field that names each kind of messaging item, in the order they are looked for. */
const ITEM_FIELDS: readonly (readonly [string, ItemType])[] = [
  ['message', 'message'],
  ['postback', 'postback'],
  ['referral', 'referral'],
  ['delivery', 'delivery'],
  ['read', 'read'],
  ['reaction', 'reaction'],
  ['message_edit', 'message_edit'],
  ['optin', 'optin'],
  ['account_linking', 'account_linking'],
  ['pass_thread_control', 'pass_thread_control'],
  ['take_thread_control', 'take_thread_control'],
  ['request_thread_control', 'request_thread_control'],
  ['app_roles', 'app_roles'],
  ['policy_enforcement', 'policy_enforcement'],
];

const ACTED_ON = new Set<ItemType>(['message', 'postback', 'referral']);

/** Referral sources whose `ref` is not an enrollment token (the ad's or the plugin's own). */
const FOREIGN_REFERRAL_SOURCES = new Set(['ADS', 'CUSTOMER_CHAT_PLUGIN']);

/** Every item of a payload, in order: those to act on, and those skipped with the reason. */
export function webhookItems(payload: WebhookPayload): WebhookItem[] {
  const items: WebhookItem[] = [];
  for (const entry of payload.entry) {
    if (payload.object !== 'page') {
      items.push({ act: false, type: 'whatsapp', reason: 'not_used' });
      continue;
    }
    if (!isRecord(entry)) {
      items.push({ act: false, type: 'entry', reason: 'invalid' });
      continue;
    }
    for (const item of arrayOf(entry.messaging)) items.push(readMessagingItem(item));
    for (const item of arrayOf(entry.standby)) {
      items.push({ act: false, type: itemTypeOf(item), reason: 'standby' });
    }
    for (const _change of arrayOf(entry.changes))
      items.push({ act: false, type: 'change', reason: 'not_used' });
  }
  return items;
}

/** One item of an entry's `messaging` array. */
export function readMessagingItem(item: unknown): WebhookItem {
  if (!isRecord(item)) return { act: false, type: 'unknown', reason: 'invalid' };
  const type = itemTypeOf(item);
  if (!ACTED_ON.has(type)) return { act: false, type, reason: 'not_used' };
  const result = messagingEventSchema.safeParse(item);
  if (!result.success) {
    const path = result.error.issues[0]?.path ?? [];
    return { act: false, type, reason: 'invalid', field: path.map(String).join('.') || '$' };
  }
  const event = withoutForeignReferrals(result.data);
  if (type === 'referral' && event.referral === undefined) {
    return { act: false, type, reason: 'not_enrollment_link' };
  }
  return { act: true, type, event };
}

function itemTypeOf(item: unknown): ItemType {
  if (!isRecord(item)) return 'unknown';
  const found = ITEM_FIELDS.find(([field]) => item[field] !== undefined)?.[1] ?? 'unknown';
  if (found === 'message' && isRecord(item.message) && item.message.is_echo === true) return 'message_echo';
  return found;
}

/**
 * Only an m.me link's `ref` can be an enrollment token: a referral without one, or from an ad or
 * the chat plugin (whose `ref` is theirs), is dropped.
 */
function withoutForeignReferrals(event: MessagingEvent): MessagingEvent {
  const foreign = (referral: MessagingEvent['referral']) =>
    referral !== undefined &&
    (!referral.ref || (referral.source !== undefined && FOREIGN_REFERRAL_SOURCES.has(referral.source)));
  const { referral, postback, ...rest } = event;
  return {
    ...rest,
    ...(referral !== undefined && !foreign(referral) && { referral }),
    ...(postback !== undefined && {
      postback: foreign(postback.referral) ? withoutReferral(postback) : postback,
    }),
  };
}

function withoutReferral<T extends { referral?: unknown }>(value: T): Omit<T, 'referral'> {
  const { referral: _dropped, ...rest } = value;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The key a delivery is deduplicated by: the message id, or for referrals a hash of who and when
 * (the inbound table outlives an erasure by up to a week, so it must not hold the sender's id).
 */
export function deliveryKey(event: MessagingEvent): string {
  const mid = event.message?.mid ?? event.postback?.mid;
  if (mid !== undefined && mid !== '') return mid;
  const who = createHash('sha256').update(`${event.sender.id}:${event.timestamp}`).digest('base64url');
  return `${event.referral ? 'referral' : 'postback'}:${who}`;
}

/**
 * Messenger's item as Vigil's own event (docs/channels.md): an m.me link's `ref` is an opened
 * enrollment link; a quick reply's or postback's payload is what it stands for; otherwise the
 * text. Echoes and items without a message, postback or referral are no event.
 */
export function messengerChannelEvent(event: MessagingEvent): ChannelEvent | undefined {
  if (event.message?.is_echo) return undefined;
  if (!event.message && !event.postback && !event.referral) return undefined;
  const ref = event.referral?.ref ?? event.postback?.referral?.ref;
  const payload = event.message?.quick_reply?.payload ?? event.postback?.payload;
  const action: CustomerAction = ref
    ? { type: 'opened_link', token: ref }
    : ((payload !== undefined ? actionOfPayload(payload) : undefined) ??
      actionOfText(event.message?.text ?? ''));
  return {
    channel: 'messenger',
    address: event.sender.id,
    via: event.recipient.id,
    key: deliveryKey(event),
    at: new Date(event.timestamp),
    action,
  };
}
