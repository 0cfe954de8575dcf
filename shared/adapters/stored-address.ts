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

/** An alerts item (or stream image) as the domain's Alert. */
export function alertFromItem(item: Item): Alert {
  const { psid, memberRef, ...rest } = item;
  return {
    ...rest,
    ...(psid !== undefined && { address: psid }),
    ...(memberRef !== undefined && { ref: memberRef }),
  } as Alert;
}

/**
 * A transaction that joined a fraud check as its `grouped` alerts item. Its message is the
 * check's, so nothing looks it up by its ref: the ref is kept as `memberRef`, out of the sparse
 * `byRef` index (one index write less per member).
 */
export function groupedAlertToItem(alert: Alert, checkId: string): Item {
  const { ref, ...item } = alertToItem(alert);
  return { ...item, memberRef: ref, status: 'grouped', checkId };
}

/** An Alert as its alerts item. */
export function alertToItem(alert: Alert): Item {
  const { address, ...rest } = alert;
  return { ...rest, ...(address !== undefined && { psid: address }) };
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
