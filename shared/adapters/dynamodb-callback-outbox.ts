import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CallbackDelivery } from '../domain/callback-delivery.ts';
import type { CallbackOutbox } from '../ports/callback-outbox.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * The callbacks table. A pending delivery carries `dueBankId` and `nextAttemptAt`, the keys of
 * the sparse `dueByBank` index: each bank's due callbacks are read apart from other banks'.
 */
export class DynamoDbCallbackOutbox implements CallbackOutbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async enqueue(delivery: CallbackDelivery): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...delivery, dueBankId: delivery.bankId },
          ConditionExpression: 'attribute_not_exists(deliveryId)',
        }),
      ),
    );
  }

  async get(deliveryId: string): Promise<CallbackDelivery | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { deliveryId }, ConsistentRead: true }),
    );
    return Item as CallbackDelivery | undefined;
  }

  async claim(deliveryId: string, seen: string | undefined, leaseUntil: Date): Promise<boolean> {
    return this.update(
      deliveryId,
      'SET nextAttemptAt = :lease',
      '#status = :pending AND nextAttemptAt = :seen',
      {
        ':lease': leaseUntil.toISOString(),
        ':pending': 'pending',
        ':seen': seen ?? '',
      },
    );
  }

  async markDelivered(deliveryId: string, attempts: number, at: Date): Promise<void> {
    await this.update(
      deliveryId,
      // Once delivered, the body (the bank's customer and transaction ids) is no longer needed.
      'SET #status = :delivered, attempts = :attempts, deliveredAt = :at REMOVE dueBankId, nextAttemptAt, body',
      '#status = :pending',
      { ':delivered': 'delivered', ':attempts': attempts, ':at': at.toISOString(), ':pending': 'pending' },
    );
  }

  async reschedule(deliveryId: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.update(
      deliveryId,
      'SET attempts = :attempts, nextAttemptAt = :next, lastError = :error',
      '#status = :pending',
      { ':attempts': attempts, ':next': nextAttemptAt.toISOString(), ':error': error, ':pending': 'pending' },
    );
  }

  async markDead(deliveryId: string, attempts: number, error: string): Promise<void> {
    await this.update(
      deliveryId,
      'SET #status = :dead, attempts = :attempts, lastError = :error REMOVE dueBankId, nextAttemptAt',
      '#status = :pending',
      { ':dead': 'dead', ':attempts': attempts, ':error': error, ':pending': 'pending' },
    );
  }

  async due(bankId: string, now: Date, limit: number): Promise<CallbackDelivery[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'dueByBank',
        KeyConditionExpression: 'dueBankId = :bankId AND nextAttemptAt <= :now',
        ExpressionAttributeValues: { ':bankId': bankId, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return Items as CallbackDelivery[];
  }

  async dead(limit: number): Promise<CallbackDelivery[]> {
    const { Items = [] } = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: '#status = :dead',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':dead': 'dead' },
        Limit: limit,
      }),
    );
    return Items as CallbackDelivery[];
  }

  private async update(
    deliveryId: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { deliveryId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
