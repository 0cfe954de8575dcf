import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredEvent } from '../domain/stored-event.ts';
import type { EventStore, PutEventResult } from '../ports/event-store.ts';

/**
 * The events table. One conditional PutItem is both the idempotency check and the durable
 * hand-off to scoring (the table's stream is the queue), so there is no dual write to reconcile.
 */
export class DynamoDbEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putIfAbsent(event: StoredEvent): Promise<PutEventResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: event,
          ConditionExpression: 'attribute_not_exists(eventId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { stored: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException && error.Item !== undefined) {
        return { stored: false, existing: unmarshall(error.Item) as StoredEvent };
      }
      throw error;
    }
  }
}
