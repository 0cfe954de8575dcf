import { VigilError } from '../domain/errors.ts';
import type { OutgoingMessage } from '../domain/render-message.ts';

/** The messaging channels a customer can subscribe on (docs/channels.md). */
export const CHANNEL_NAMES = ['messenger', 'whatsapp'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** A bank's approved template, filled in: values in the order of its placeholders. */
export interface FilledTemplate {
  readonly name: string;
  readonly language: string;
  readonly parameters: readonly string[];
  /** The payloads of its quick-reply buttons, in the template's button order (Yes, No). */
  readonly answers?: readonly string[];
}

/**
 * What Vigil sends on a channel, whatever the channel:
 * - `reply`: a conversation message answering what the customer just wrote;
 * - `alert`: a message on Vigil's own initiative (an alert with two answers, a follow-up, a
 *   notice), only inside the channel's window;
 * - `template`: the bank's approved template, the only thing that may go outside the window.
 *
 * `to` is the customer's address on the channel; `from` the sending identity when a channel has
 * several (a bank's WhatsApp phone number id); `ref` an opaque reference the channel may hand
 * back with delivery statuses (an alert's ref, never personal data).
 */
export type ChannelMessage =
  | {
      readonly kind: 'reply' | 'alert';
      readonly to: string;
      readonly from?: string;
      readonly ref?: string;
      readonly message: OutgoingMessage;
    }
  | {
      readonly kind: 'template';
      readonly to: string;
      readonly from?: string;
      readonly ref?: string;
      readonly template: FilledTemplate;
    };

export interface ChannelLimits {
  /** How long after the customer's last message free-form messages may be sent. */
  readonly windowMs: number;
  /** The most quick replies (buttons) one message can carry. */
  readonly maxAnswers: number;
  /** The longest text of one message. */
  readonly maxTextChars: number;
}

/** One messaging channel, outbound: it sends Vigil's messages in its own API's terms. */
export interface Channel {
  readonly name: ChannelName;
  readonly limits: ChannelLimits;
  /** Sends one message; `sentAs` is the channel's own name for what was sent (for metrics). */
  send(message: ChannelMessage): Promise<{ readonly messageId: string; readonly sentAs: string }>;
}

/** The channels this deployment can send on; a channel not configured is absent. */
export type Channels = Readonly<Partial<Record<ChannelName, Channel>>>;

/** A subscriber's channel: subscriptions stored before there were several are Messenger's. */
export function channelOf(subscriber: { readonly channel?: ChannelName }): ChannelName {
  return subscriber.channel ?? 'messenger';
}

/** A failed send, with the platform's error code and whether trying again may succeed. */
export class SendApiError extends VigilError {
  override readonly name = 'SendApiError';
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    readonly transient: boolean,
  ) {
    super(message);
  }
}
