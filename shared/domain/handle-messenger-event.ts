import { type ChannelEventPorts, type EventOutcome, handleChannelEvent } from './handle-channel-event.ts';
import { type MessagingEvent, messengerChannelEvent } from './messenger-webhook-schema.ts';

export { commandOf } from './commands.ts';
export type { EventOutcome } from './handle-channel-event.ts';

export type MessengerEventPorts = ChannelEventPorts;

/**
 * Handles one Messenger event once (docs/contract.md#customer-messaging): Messenger's item
 * becomes Vigil's own event (echoes and items without a message, postback or referral are
 * ignored), handled as every channel's is.
 */
export async function handleMessengerEvent(
  event: MessagingEvent,
  ports: MessengerEventPorts,
): Promise<EventOutcome> {
  const channelEvent = messengerChannelEvent(event);
  if (channelEvent === undefined) return 'ignored';
  return handleChannelEvent(channelEvent, ports);
}
