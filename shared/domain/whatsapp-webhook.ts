import type { DeliveryReport } from './alert.ts';
import { actionOfPayload, actionOfText, type ChannelEvent, type CustomerAction } from './channel-event.ts';
import { enrollmentTokenIn } from './enroll-customer.ts';
import { COMMAND_TEXT_CHARS } from './messenger-webhook-schema.ts';
import * as z from './zod.ts';

// The webhook payload of the WhatsApp Cloud API (Meta's "Webhooks" reference, field `messages`):
// `object: "whatsapp_business_account"`, entries, each with changes whose `value` holds the
// customers' `messages[]` and the `statuses[]` of messages Vigil sent. As for Messenger, only the
// envelope is read as a whole; every message and status is read on its own, and one Vigil does
// not use or cannot read is skipped, never the batch (docs/channels.md, "WhatsApp").

/** A customer's text may be long; the token and the command are found in its start. */
const TEXT_CHARS = 512;

const waId = z.string().check(z.regex(/^\d{5,20}$/));
/** Seconds since the epoch, as a numeric string. */
const seconds = z.pipe(
  z.string().check(z.regex(/^\d{1,12}$/)),
  z.transform((s) => new Date(Number(s) * 1000)),
);
const payload = z.string().check(z.maxLength(1000));

const messageSchema = z.object({
  from: waId,
  id: z.string().check(z.minLength(1), z.maxLength(512)),
  timestamp: seconds,
  type: z.string().check(z.maxLength(32)),
  text: z.optional(
    z.object({
      body: z.pipe(
        z.string(),
        z.transform((text) => text.slice(0, TEXT_CHARS)),
      ),
    }),
  ),
  interactive: z.optional(
    z.object({
      type: z.string().check(z.maxLength(32)),
      button_reply: z.optional(z.object({ id: payload, title: z.string().check(z.maxLength(64)) })),
      list_reply: z.optional(z.object({ id: payload, title: z.string().check(z.maxLength(64)) })),
    }),
  ),
  button: z.optional(
    z.object({ payload: z.optional(payload), text: z.optional(z.string().check(z.maxLength(64))) }),
  ),
});

const statusSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(512)),
  status: z.string().check(z.maxLength(32)),
  timestamp: seconds,
  biz_opaque_callback_data: z.optional(z.string().check(z.maxLength(512))),
  // The customer's WhatsApp id: whose alerts the ref is looked up among.
  recipient_id: z.optional(waId),
  errors: z.optional(z.array(z.object({ code: z.number().check(z.int()) }))),
});

export const whatsappPayloadSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.unknown()),
});

/** A message status Vigil records: the message, what happened, and the ref it was sent with. */
export interface StatusUpdate {
  readonly messageId: string;
  readonly ref: string | undefined;
  /** The customer's WhatsApp id, the message's recipient. */
  readonly recipient: string | undefined;
  readonly report: DeliveryReport;
}

export type WhatsAppItemType = 'message' | 'status' | 'change' | 'entry' | 'unknown';

export type WhatsAppItem =
  | { readonly act: 'message'; readonly type: string; readonly event: ChannelEvent }
  | { readonly act: 'status'; readonly type: string; readonly update: StatusUpdate }
  | {
      readonly act: false;
      readonly type: string;
      readonly reason: 'not_used' | 'invalid';
      readonly field?: string;
    };

/** Message types that carry nothing Vigil reads: skipped. Others (media...) are not understood. */
const NOT_USED_MESSAGES = new Set(['reaction', 'system', 'unsupported', 'errors', 'request_welcome']);
const RECORDED_STATUSES = new Set(['delivered', 'read', 'failed']);

/** Every message and status of a payload, in order, or why each was skipped. */
export function whatsappItems(body: unknown): WhatsAppItem[] {
  const envelope = whatsappPayloadSchema.safeParse(body);
  if (!envelope.success) return [{ act: false, type: 'unknown', reason: 'invalid', field: '$' }];
  const items: WhatsAppItem[] = [];
  for (const entry of envelope.data.entry) {
    if (!isRecord(entry)) {
      items.push({ act: false, type: 'entry', reason: 'invalid' });
      continue;
    }
    for (const change of arrayOf(entry.changes)) {
      if (!isRecord(change) || change.field !== 'messages' || !isRecord(change.value)) {
        items.push({ act: false, type: 'change', reason: 'not_used' });
        continue;
      }
      const value = change.value;
      const via = isRecord(value.metadata) ? value.metadata.phone_number_id : undefined;
      for (const message of arrayOf(value.messages)) {
        items.push(readMessage(message, typeof via === 'string' ? via : undefined));
      }
      for (const status of arrayOf(value.statuses)) items.push(readStatus(status));
    }
  }
  return items;
}

function readMessage(item: unknown, via: string | undefined): WhatsAppItem {
  const result = messageSchema.safeParse(item);
  if (!result.success) return invalid('message', result.error);
  const message = result.data;
  if (NOT_USED_MESSAGES.has(message.type)) return { act: false, type: message.type, reason: 'not_used' };
  return {
    act: 'message',
    type: message.type,
    event: {
      channel: 'whatsapp',
      address: message.from,
      ...(via !== undefined && { via }),
      key: message.id,
      at: message.timestamp,
      action: actionOf(message),
    },
  };
}

/**
 * A tapped reply button (interactive) or template quick-reply button stands for its payload; the
 * first text carrying an enrollment token (the `wa.me` link's prefilled text) opens the link;
 * other texts are commands or text; media and the like are text Vigil does not understand.
 */
function actionOf(message: z.infer<typeof messageSchema>): CustomerAction {
  const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
  const tapped = reply?.id ?? message.button?.payload;
  const fromPayload = tapped === undefined ? undefined : actionOfPayload(tapped);
  if (fromPayload !== undefined) return fromPayload;
  const text = message.text?.body ?? reply?.title ?? message.button?.text ?? '';
  const token = enrollmentTokenIn(text);
  if (token !== undefined) return { type: 'opened_link', token };
  return actionOfText(text.slice(0, COMMAND_TEXT_CHARS));
}

function readStatus(item: unknown): WhatsAppItem {
  const result = statusSchema.safeParse(item);
  if (!result.success) return invalid('status', result.error);
  const status = result.data;
  if (!RECORDED_STATUSES.has(status.status)) return { act: false, type: status.status, reason: 'not_used' };
  const errorCode = status.errors?.[0]?.code;
  return {
    act: 'status',
    type: status.status,
    update: {
      messageId: status.id,
      ref: status.biz_opaque_callback_data,
      recipient: status.recipient_id,
      report: {
        status: status.status as DeliveryReport['status'],
        at: status.timestamp,
        ...(errorCode !== undefined && { errorCode }),
      },
    },
  };
}

function invalid(type: string, error: z.core.$ZodError): WhatsAppItem {
  const path = error.issues[0]?.path ?? [];
  return { act: false, type, reason: 'invalid', field: path.map(String).join('.') || '$' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
