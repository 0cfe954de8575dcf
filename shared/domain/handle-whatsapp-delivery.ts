import { type ChannelEventPorts, handleChannelEvent } from './handle-channel-event.ts';
import type { WebhookDeliveryOutcome } from './handle-webhook-delivery.ts';
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
  const outcomes: string[] = [];
  const skipped: { type: string; reason: string; field?: string }[] = [];
  let failure: { error: unknown } | undefined;
  for (const item of whatsappItems(body)) {
    if (item.act === false) {
      skipped.push({
        type: item.type,
        reason: item.reason,
        ...(item.field !== undefined && { field: item.field }),
      });
      continue;
    }
    try {
      outcomes.push(
        item.act === 'message'
          ? await handleChannelEvent(item.event, ports)
          : `${item.type}_${await recordDeliveryStatus(item.update, ports)}`,
      );
    } catch (error) {
      outcomes.push('failed');
      failure ??= { error };
    }
  }
  return { outcomes, skipped, ...(failure !== undefined && { failure }) };
}
