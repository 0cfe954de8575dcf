import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../domain/alert.ts';
import { type CallbackDelivery, FIRST_RETRY_DELAY_MS } from '../domain/callback-delivery.ts';
import type { StoredEvent } from '../domain/stored-event.ts';
import type { RedriveStore } from '../ports/redrive-store.ts';
import { conditionalWrite } from './conditional-write.ts';

/** Scans for stuck items: an operator's occasional command, over tables kept small by their TTLs. */
export class DynamoDbRedriveStore implements RedriveStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly events: string; readonly alerts: string; readonly callbacks: string },
  ) {}

  unscoredEvents(receivedBefore: Date): Promise<StoredEvent[]> {
    return this.scan<StoredEvent>(this.tables.events, '#status = :received AND receivedAt < :cutoff', {
      ':received': 'received',
      ':cutoff': receivedBefore.toISOString(),
    });
  }

  pendingAlerts(createdBefore: Date): Promise<Alert[]> {
    return this.scan<Alert>(this.tables.alerts, '#status = :pending AND createdAt < :cutoff', {
      ':pending': 'pending',
      ':cutoff': createdBefore.toISOString(),
    });
  }

  deadCallbacks(): Promise<CallbackDelivery[]> {
    return this.scan<CallbackDelivery>(this.tables.callbacks, '#status = :dead', { ':dead': 'dead' });
  }

  reinsertEvent(event: StoredEvent): Promise<void> {
    return this.reinsert(this.tables.events, { eventKey: event.eventKey }, event);
  }

  reinsertAlert(alert: Alert): Promise<void> {
    return this.reinsert(this.tables.alerts, { alertId: alert.alertId }, alert);
  }

  async requeueCallback(delivery: CallbackDelivery, now: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.callbacks,
        Item: {
          ...delivery,
          status: 'pending',
          createdAt: now.toISOString(),
          nextAttemptAt: new Date(now.getTime() + FIRST_RETRY_DELAY_MS).toISOString(),
          dueBankId: delivery.bankId,
        },
      }),
    );
  }

  async touchAlert(alertId: string, now: Date): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tables.alerts,
          Key: { alertId },
          UpdateExpression: 'SET redrivenAt = :now',
          ConditionExpression: '#status = :pending AND attribute_not_exists(sendClaimedAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':pending': 'pending' },
        }),
      ),
    );
  }

  private async reinsert(tableName: string, key: Record<string, string>, item: object): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: tableName, Key: key }));
    await this.client.send(new PutCommand({ TableName: tableName, Item: item }));
  }

  private async scan<T>(tableName: string, filter: string, values: Record<string, unknown>): Promise<T[]> {
    const items: T[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: tableName,
        FilterExpression: filter,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as T[]));
    return items;
  }
}
