import { MESSENGER_TEXT_LIMIT } from '../domain/render-message.ts';
import { MESSAGING_WINDOW_MS } from '../domain/subscriber.ts';
import type { Channel, ChannelMessage } from '../ports/channel.ts';
import type { Messenger, SendRequest } from '../ports/messenger.ts';

/**
 * Messenger as a channel: a reply is a Send API `RESPONSE`, an alert an `UPDATE` (the page's
 * own initiative inside the 24 h window), a template a `UTILITY` message (docs/channels.md).
 * The page sends everything, so `from` is not used.
 */
export class MessengerChannel implements Channel {
  readonly name = 'messenger' as const;
  readonly limits = { windowMs: MESSAGING_WINDOW_MS, maxAnswers: 13, maxTextChars: MESSENGER_TEXT_LIMIT };

  constructor(private readonly sendApi: Messenger) {}

  async send(message: ChannelMessage): Promise<{ messageId: string; sentAs: string }> {
    const request = toSendRequest(message);
    const { messageId } = await this.sendApi.send(request);
    return { messageId, sentAs: request.messagingType };
  }
}

export function toSendRequest(message: ChannelMessage): SendRequest {
  if (message.kind === 'template') {
    const { name, language, parameters } = message.template;
    return { psid: message.to, messagingType: 'UTILITY', template: { name, language, parameters } };
  }
  return {
    psid: message.to,
    messagingType: message.kind === 'reply' ? 'RESPONSE' : 'UPDATE',
    message: message.message,
  };
}
