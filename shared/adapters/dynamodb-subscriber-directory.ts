import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SubscriberDirectory } from '../ports/subscriber-directory.ts';

/**
 * Reads subscription status from the subscribers table. The first read is eventually consistent
 * (half a read unit); only an answer of "not subscribed" is read again strongly consistently, so
 * that a customer who has just agreed never has their next transaction ignored. A stale "active"
 * for a customer who has just stopped only stores the event: notify-customer reads the
 * subscription strongly consistently before it sends anything.
 */
export class DynamoDbSubscriberDirectory implements SubscriberDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isSubscribed(bankId: string, customerId: string): Promise<boolean> {
    return (await this.isActive(bankId, customerId, false)) || this.isActive(bankId, customerId, true);
  }

  private async isActive(bankId: string, customerId: string, consistent: boolean): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { bankId, customerId },
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: consistent,
      }),
    );
    return Item?.status === 'active';
  }
}
