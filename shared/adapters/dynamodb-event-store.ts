import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventKeyOf, type StoredEvent } from '../domain/stored-event.ts';
import type { EventStore, PutEventResult, ScoringOutcome } from '../ports/event-store.ts';
import { conditionalWrite } from './conditional-write.ts';

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
          ConditionExpression: 'attribute_not_exists(eventKey)',
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

  async isScored(bankId: string, eventId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { eventKey: eventKeyOf(bankId, eventId) },
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    return Item?.status === 'scored';
  }

  async markScored(bankId: string, eventId: string, outcome: ScoringOutcome): Promise<void> {
    const values: Record<string, unknown> = { ':scored': 'scored' };
    let update = 'SET #status = :scored';
    if (outcome.score !== undefined) {
      update += ', score = :score';
      values[':score'] = outcome.score;
    }
    if (outcome.alertId !== undefined) {
      update += ', alertId = :alertId';
      values[':alertId'] = outcome.alertId;
    }
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventKey: eventKeyOf(bankId, eventId) },
          UpdateExpression: update,
          // Never bring back an event that expired or was erased meanwhile.
          ConditionExpression: 'attribute_exists(eventKey)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
