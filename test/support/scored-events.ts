import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCustomerHistory } from '../../shared/adapters/dynamodb-customer-history.ts';
import { fraudAlertId } from '../../shared/domain/alert.ts';
import type { StoredEvent } from '../../shared/domain/stored-event.ts';

export type ScoredItem = Record<string, unknown> & { alertId?: string };

/**
 * The items of the events table that are scored, each with the id of its alert if it raised one:
 * marked `scored`, or, for a card transaction, with its ledger entry keeping the decision and the
 * alert that decision asked for filed (docs/scoring.md, "Exactly once").
 */
export async function scoredEvents(
  client: DynamoDBDocumentClient,
  tables: { readonly activity: string; readonly alerts: string },
  items: readonly Record<string, unknown>[],
): Promise<ScoredItem[]> {
  const history = new DynamoDbCustomerHistory(client, tables.activity);
  const alerts = new DynamoDbAlertStore(client, tables.alerts);
  const scored: ScoredItem[] = [];
  for (const item of items) {
    if (item.status === 'scored') {
      scored.push(item);
      continue;
    }
    const event = item as unknown as StoredEvent;
    const decision = (await history.entryOf(event))?.decision;
    if (decision === undefined || event.transaction === undefined) continue;
    if (!decision.alert) scored.push(item);
    else {
      const alertId = fraudAlertId(event.bankId, event.transaction.id);
      if ((await alerts.get(alertId)) !== undefined) scored.push({ ...item, alertId });
    }
  }
  return scored;
}
