import type { OutgoingMessage } from '../domain/render-message.ts';
import { MESSAGING_WINDOW_MS } from '../domain/subscriber.ts';
import { type Channel, type ChannelMessage, SendApiError } from '../ports/channel.ts';
import { appSecretProof } from './graph-api-messenger.ts';

/**
 * Cloud API error codes worth another try (docs/channels.md, "WhatsApp"): the Graph API's
 * 1 unknown, 2 service, 4 app rate limit, 80007 WhatsApp Business Account rate limit; 130429
 * throughput reached, 131000 something went wrong, 131016 service unavailable, 131056 too many
 * messages to one customer, 133004 server temporarily unavailable. Anything else (re-engagement:
 * outside the 24 h window 131047, undeliverable 131026, template problems 132xxx, invalid
 * parameter 100, bad token 190) is final.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);

/** Limits of an interactive message: 3 reply buttons of 20 characters, a list of 10 rows of 24. */
export const WHATSAPP_LIMITS = {
  windowMs: MESSAGING_WINDOW_MS,
  maxAnswers: 10,
  maxTextChars: 1024,
} as const;
const MAX_BUTTONS = 3;
const BUTTON_TITLE_CHARS = 20;
const ROW_TITLE_CHARS = 24;
/** The label of the button that opens a list (the answers are the rows). */
const LIST_BUTTON = '☰';

export interface CloudApiSettings {
  /** https://graph.facebook.com in AWS; the emulator's URL in local mode. */
  readonly baseUrl: string;
  /** e.g. v27.0 */
  readonly version: string;
  readonly timeoutMs?: number;
}

export interface CloudApiCredentials {
  /** A system user's access token with `whatsapp_business_messaging`. */
  readonly accessToken: string;
  /** The Meta app's secret: signs every call (`appsecret_proof`). */
  readonly appSecret: string;
}

/**
 * WhatsApp as a channel: `POST /{version}/{phone-number-id}/messages` with the access token and
 * its `appsecret_proof`. Inside the customer service window a reply or an alert is a text, or an
 * interactive message with reply buttons; outside it only the bank's approved template, with
 * quick-reply buttons, may go.
 */
export class CloudApiWhatsApp implements Channel {
  readonly name = 'whatsapp' as const;
  readonly limits = WHATSAPP_LIMITS;

  constructor(
    private readonly settings: CloudApiSettings,
    private readonly credentials: () => Promise<CloudApiCredentials>,
  ) {}

  async send(message: ChannelMessage): Promise<{ messageId: string; sentAs: string }> {
    if (message.from === undefined) {
      throw new SendApiError('No WhatsApp phone number id to send from', 0, undefined, undefined, false);
    }
    const { baseUrl, version, timeoutMs = 5000 } = this.settings;
    const { accessToken, appSecret } = await this.credentials();
    const url = new URL(`${baseUrl}/${version}/${encodeURIComponent(message.from)}/messages`);
    url.searchParams.set('appsecret_proof', appSecretProof(accessToken, appSecret));
    const body = toCloudApiRequest(message);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SendApiError(
        `Cloud API unreachable: ${(error as Error).name}`,
        0,
        undefined,
        undefined,
        true,
      );
    }
    const answer = (await response.json().catch(() => ({}))) as {
      messages?: { id?: string }[];
      error?: { code?: number; error_subcode?: number; message?: string };
    };
    const messageId = answer.messages?.[0]?.id;
    if (response.ok && typeof messageId === 'string') return { messageId, sentAs: String(body.type) };
    const { code, error_subcode: subcode, message: text = 'no error body' } = answer.error ?? {};
    const transient =
      response.status >= 500 || response.status === 429 || (code !== undefined && TRANSIENT_CODES.has(code));
    throw new SendApiError(
      `Cloud API ${response.status}: ${text}`,
      response.status,
      code,
      subcode,
      transient,
    );
  }
}

/**
 * The Cloud API body (Meta's "Messages" reference): `messaging_product: "whatsapp"`, the
 * recipient's WhatsApp id, and a text, an interactive message (reply buttons, or a list beyond
 * three answers) or a template. `biz_opaque_callback_data` carries the alert's opaque ref, which
 * Meta hands back with the message's statuses.
 */
export function toCloudApiRequest(message: ChannelMessage): Record<string, unknown> {
  const envelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to,
    ...(message.ref !== undefined && { biz_opaque_callback_data: message.ref }),
  };
  if (message.kind === 'template') {
    const { name, language, parameters, answers = [] } = message.template;
    return {
      ...envelope,
      type: 'template',
      template: {
        name,
        language: { code: language },
        components: [
          { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) },
          // One component per quick-reply button of the approved template, by its index.
          ...answers.map((payload, index) => ({
            type: 'button',
            sub_type: 'quick_reply',
            index: String(index),
            parameters: [{ type: 'payload', payload }],
          })),
        ],
      },
    };
  }
  return { ...envelope, ...toCloudApiMessage(message.message) };
}

function toCloudApiMessage(message: OutgoingMessage): Record<string, unknown> {
  const text = cut(message.text, WHATSAPP_LIMITS.maxTextChars);
  const answers = message.quickReplies ?? [];
  if (answers.length === 0) return { type: 'text', text: { preview_url: false, body: text } };
  if (answers.length <= MAX_BUTTONS) {
    return {
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text },
        action: {
          buttons: answers.map(({ title, payload }) => ({
            type: 'reply',
            reply: { id: payload, title: cut(title, BUTTON_TITLE_CHARS) },
          })),
        },
      },
    };
  }
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text },
      action: {
        button: LIST_BUTTON,
        sections: [
          {
            rows: answers.slice(0, WHATSAPP_LIMITS.maxAnswers).map(({ title, payload }) => ({
              id: payload,
              title: cut(title, ROW_TITLE_CHARS),
            })),
          },
        ],
      },
    },
  };
}

function cut(text: string, chars: number): string {
  const all = [...text];
  return all.length <= chars ? text : `${all.slice(0, chars - 1).join('')}…`;
}
