import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InboundLog } from '../ports/inbound-log.ts';
import { conditionalWrite } from './conditional-write.ts';

/** Meta retries a webhook delivery for a while; a week covers it (docs/contract.md#privacy: inbound ids 7 days). */
const KEEP_SECONDS = 7 * 24 * 60 * 60;

/** The inbound table: one item per handled Messenger message id. */
export class DynamoDbInboundLog implements InboundLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, now: Date): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { mid: key, expiresAt: Math.floor(now.getTime() / 1000) + KEEP_SECONDS },
          ConditionExpression: 'attribute_not_exists(mid)',
        }),
      ),
    );
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { mid: key } }));
  }
}
