import { handleMessengerEvent, type MessengerEventPorts } from './handle-messenger-event.ts';
import { webhookItems, webhookPayloadSchema } from './messenger-webhook-schema.ts';
import { parseOrThrow } from './validate.ts';

/** What one webhook delivery came to: each item's outcome, the items skipped and why, the first failure. */
export interface WebhookDeliveryOutcome {
  readonly outcomes: readonly string[];
  readonly skipped: readonly { readonly type: string; readonly reason: string; readonly field?: string }[];
  /** The first item that failed: rethrown by the function, so that Meta retries the delivery. */
  readonly failure?: { readonly error: unknown };
}

/**
 * One signed webhook delivery (docs/channels.md): only a body that is not a webhook envelope at
 * all is refused (a ValidationError); each item is read on its own, and one that Vigil does not
 * use or cannot read is skipped. An item that fails does not stop the others: Meta's retry of the
 * whole delivery finds the handled ones claimed in the inbound log.
 */
export async function handleWebhookDelivery(
  body: unknown,
  ports: MessengerEventPorts,
): Promise<WebhookDeliveryOutcome> {
  const payload = parseOrThrow(webhookPayloadSchema, body);
  return handleEachItem(webhookItems(payload), (item) => handleMessengerEvent(item.event, ports));
}

/** An item of a delivery that Vigil does not act on, and why. */
interface SkippedItem {
  readonly act: false;
  readonly type: string;
  readonly reason: string;
  readonly field?: string;
}

function isSkipped<Item extends { readonly act: unknown }>(item: Item): item is Item & SkippedItem {
  return item.act === false;
}

/**
 * Each item of a delivery on its own: a skipped one is listed with its reason, one that fails is
 * counted `failed` (the first failure kept) without stopping the others.
 */
export async function handleEachItem<Item extends { readonly act: unknown }>(
  items: Iterable<Item>,
  handle: (item: Exclude<Item, { readonly act: false }>) => Promise<string>,
): Promise<WebhookDeliveryOutcome> {
  const outcomes: string[] = [];
  const skipped: { type: string; reason: string; field?: string }[] = [];
  let failure: { error: unknown } | undefined;
  for (const item of items) {
    if (isSkipped(item)) {
      const { type, reason, field } = item;
      skipped.push({ type, reason, ...(field !== undefined && { field }) });
      continue;
    }
    try {
      // Not skipped: an acting item (TypeScript does not narrow a generic union by its guard).
      outcomes.push(await handle(item as Exclude<Item, { readonly act: false }>));
    } catch (error) {
      outcomes.push('failed');
      failure ??= { error };
    }
  }
  return { outcomes, skipped, ...(failure !== undefined && { failure }) };
}
