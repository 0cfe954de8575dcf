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
  const outcomes: string[] = [];
  const skipped: { type: string; reason: string; field?: string }[] = [];
  let failure: { error: unknown } | undefined;
  for (const item of webhookItems(payload)) {
    if (!item.act) {
      skipped.push({
        type: item.type,
        reason: item.reason,
        ...(item.field !== undefined && { field: item.field }),
      });
      continue;
    }
    try {
      outcomes.push(await handleMessengerEvent(item.event, ports));
    } catch (error) {
      outcomes.push('failed');
      failure ??= { error };
    }
  }
  return { outcomes, skipped, ...(failure !== undefined && { failure }) };
}
