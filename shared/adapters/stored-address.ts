import type { Alert } from '../domain/alert.ts';
import type { Subscriber } from '../domain/subscriber.ts';
import { alertsTableItemSchema, subscriberSchema } from '../domain/table-items.ts';
import * as z from '../domain/zod.ts';

// The domain speaks of a subscriber's channel and address. In DynamoDB the address keeps the
// attribute name it had when Messenger was the one channel, `psid` (and `pendingPsid`), with the
// `byPsid` and `byPendingPsid` indexes: renaming them would mean a data migration and new
// indexes for no change in behaviour (docs/channels.md, "Storage names"). These functions are
// the one place that knows it: the stores and the stream readers go through them.

type Item = Record<string, unknown>;

/** A subscribers item (or stream image) as the domain's Subscriber. */
export function subscriberFromItem(item: Item): Subscriber {
  const { psid, pendingPsid, ...rest } = item;
  return {
    ...rest,
    ...(psid !== undefined && { address: psid }),
    ...(pendingPsid !== undefined && { pendingAddress: pendingPsid }),
  } as Subscriber;
}

/** A Subscriber as its subscribers item. */
export function subscriberToItem(subscriber: Subscriber): Item {
  const { address, pendingAddress, ...rest } = subscriber;
  return { ...rest, psid: address, ...(pendingAddress !== undefined && { pendingPsid: pendingAddress }) };
}

/**
 * Where an alerts item keeps its customer and its opaque ref: the keys of the sparse KEYS_ONLY
 * `byCustomerRef` index (partition, sort), which finds a customer's alerts for erasure and an
 * alert by its ref for an answer or a delivery status. Items written before it keep them as
 * `customerKey` and `ref` (or `memberRef` for a check's member), in the legacy `byCustomer` and
 * `byRef` indexes, until `vigil migrate` moves them
 * (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md).
 */
export const ALERT_INDEX = { name: 'byCustomerRef', customer: 'ownerKey', ref: 'alertRef' } as const;

/** The legacy indexes, read only for items written before ALERT_INDEX (until migrated). */
export const LEGACY_ALERT_INDEXES = {
  byRef: { name: 'byRef', ref: 'ref' },
  byCustomer: { name: 'byCustomer', customer: 'customerKey' },
} as const;

/** An alerts item (or stream image) as the domain's Alert: either layout (ALERT_INDEX). */
export function alertFromItem(item: Item): Alert {
  const { psid, memberRef, ownerKey, alertRef, ...rest } = item;
  const ref = alertRef ?? memberRef;
  return {
    ...rest,
    ...(psid !== undefined && { address: psid }),
    ...(ownerKey !== undefined && { customerKey: ownerKey }),
    ...(ref !== undefined && { ref }),
  } as Alert;
}

/**
 * A transaction that joined a fraud check as its `grouped` alerts item. Its message is the
 * check's, but it is in the `byCustomerRef` index like every alert, so that erasure finds it; a
 * lookup by its ref finds it and answers nothing (a member is never sent).
 */
export function groupedAlertToItem(alert: Alert, checkId: string): Item {
  return { ...alertToItem(alert), status: 'grouped', checkId };
}

/** An Alert as its alerts item: its customer and ref under the index's attributes only. */
export function alertToItem(alert: Alert): Item {
  const { address, ref, customerKey, ...rest } = alert;
  return {
    ...rest,
    [ALERT_INDEX.customer]: customerKey,
    [ALERT_INDEX.ref]: ref,
    ...(address !== undefined && { psid: address }),
  };
}

/** An alerts item of either layout as it is written now (a legacy copy put again). */
export function currentAlertItem(item: Item): Item {
  return alertToItem(alertFromItem(item));
}

const isItem = (value: unknown): value is Item => typeof value === 'object' && value !== null;

/** Any alerts table item as stored (a stream image), read with the domain's schema. */
export const storedAlertsItemSchema = z.pipe(
  z.transform((item) => (isItem(item) && item.kind !== undefined ? alertFromItem(item) : item)),
  alertsTableItemSchema,
);

/** A subscribers item as stored (a stream image), read with the domain's schema. */
export const storedSubscriberSchema = z.pipe(
  z.transform((item) => (isItem(item) ? subscriberFromItem(item) : item)),
  subscriberSchema,
);
