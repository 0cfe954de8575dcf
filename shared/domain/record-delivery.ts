import type { AlertStore } from '../ports/alert-store.ts';
import { channelOf } from '../ports/channel.ts';
import type { SubscriberStore } from '../ports/subscriber-store.ts';
import type { Alert } from './alert.ts';
import type { Subscriber } from './subscriber.ts';
import type { StatusUpdate } from './whatsapp-webhook.ts';

export type DeliveryOutcome = 'recorded' | 'not_found';

/**
 * Records a channel's status of a message Vigil sent on the alert it belongs to (found by the
 * opaque ref it was sent with, among the alerts of the recipient's WhatsApp subscriptions;
 * docs/channels.md, "WhatsApp"). Idempotent: a redelivered or older status changes nothing, so
 * no inbound claim is needed. Statuses of replies and follow-ups, which belong to no alert's
 * message, are not found.
 */
export async function recordDeliveryStatus(
  update: StatusUpdate,
  ports: {
    readonly alerts: Pick<AlertStore, 'byRef' | 'recordDelivery'>;
    readonly subscribers: Pick<SubscriberStore, 'byAddress'>;
  },
): Promise<DeliveryOutcome> {
  if (update.ref === undefined || update.recipient === undefined) return 'not_found';
  const subscriptions = (await ports.subscribers.byAddress(update.recipient)).filter(
    (s) => channelOf(s) === 'whatsapp',
  );
  const alert = await alertOfSubscriptions(ports.alerts, subscriptions, update.ref);
  if (alert === undefined) return 'not_found';
  const recorded = await ports.alerts.recordDelivery(alert.alertId, update.messageId, update.report);
  return recorded ? 'recorded' : 'not_found';
}

/**
 * The alert an opaque ref points to among the alerts of a person's subscriptions (one per bank
 * they follow on that address): the alerts are found by customer and ref
 * (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md).
 */
export async function alertOfSubscriptions(
  alerts: Pick<AlertStore, 'byRef'>,
  subscriptions: readonly Pick<Subscriber, 'bankId' | 'customerId'>[],
  ref: string,
): Promise<Alert | undefined> {
  for (const subscription of subscriptions) {
    const alert = await alerts.byRef(subscription, ref);
    if (alert !== undefined) return alert;
  }
  return undefined;
}
