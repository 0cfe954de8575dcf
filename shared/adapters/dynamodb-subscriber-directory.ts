import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SubscriberDirectory } from '../ports/subscriber-directory.ts';

/** Reads subscription status from the subscribers table. */
export class DynamoDbSubscriberDirectory implements SubscriberDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isSubscribed(bankId: string, customerId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { bankId, customerId },
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
        // A customer who has just agreed must not have their next transaction ignored.
        ConsistentRead: true,
      }),
    );
    return Item?.status === 'active';
  }
}
