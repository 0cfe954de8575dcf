import { type ChannelEventPorts, handleChannelEvent } from './handle-channel-event.ts';
import { handleEachItem, type WebhookDeliveryOutcome } from './handle-webhook-delivery.ts';
import { recordDeliveryStatus } from './record-delivery.ts';
import { whatsappItems } from './whatsapp-webhook.ts';

/**
 * One signed WhatsApp webhook delivery (docs/channels.md, "WhatsApp"): every message and status
 * is read on its own; what Vigil does not use or cannot read (even a body that is no webhook
 * payload) is skipped, never refused. An item that fails does not stop the others: Meta's retry
 * of the whole delivery finds the handled messages claimed, and a status recorded twice changes
 * nothing.
 */
export async function handleWhatsAppDelivery(
  body: unknown,
  ports: ChannelEventPorts,
): Promise<WebhookDeliveryOutcome> {
  return handleEachItem(whatsappItems(body), async (item) =>
    item.act === 'message'
      ? handleChannelEvent(item.event, ports)
      : `${item.type}_${await recordDeliveryStatus(item.update, ports)}`,
  );
}
