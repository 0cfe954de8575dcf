import type { AlertStore } from '../ports/alert-store.ts';
import type { StatusUpdate } from './whatsapp-webhook.ts';

export type DeliveryOutcome = 'recorded' | 'not_found';

/**
 * Records a channel's status of a message Vigil sent on the alert it belongs to (found by the
 * opaque ref it was sent with; docs/channels.md, "WhatsApp"). Idempotent: a redelivered or
 * older status changes nothing, so no inbound claim is needed. Statuses of replies and
 * follow-ups, which belong to no alert's message, are not found.
 */
export async function recordDeliveryStatus(
  update: StatusUpdate,
  ports: { readonly alerts: Pick<AlertStore, 'byRef' | 'recordDelivery'> },
): Promise<DeliveryOutcome> {
  if (update.ref === undefined) return 'not_found';
  const alert = await ports.alerts.byRef(update.ref);
  if (alert === undefined) return 'not_found';
  const recorded = await ports.alerts.recordDelivery(alert.alertId, update.messageId, update.report);
  return recorded ? 'recorded' : 'not_found';
}
