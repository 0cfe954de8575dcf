import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVITY_RETENTION_MS } from '../domain/activity.ts';
import {
  type BalanceWatch,
  LOW_BALANCE_NOTICE_GAP_MS,
  type LowBalanceNotice,
} from '../ports/balance-watch.ts';
import { conditionalWrite } from './conditional-write.ts';

const BALANCE_BUCKET = 'balance';

/**
 * The low-balance state of each customer, in the activity table. The crossing event's id is kept
 * so that a redelivery of that same event still counts as the crossing (its notice may not have
 * been created before a crash), while any other event while low does not.
 */
export class DynamoDbBalanceWatch implements BalanceWatch {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async enterLow(
    bankId: string,
    customerId: string,
    eventId: string,
    notice: LowBalanceNotice,
  ): Promise<boolean> {
    // The time of each account's last notice is its own attribute, `noticedAt#<last 4>`.
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(bankId, customerId),
          UpdateExpression:
            'SET low = :true, crossingEventId = :eventId, expiresAt = :expiresAt, #noticedAt = :at',
          ConditionExpression:
            'crossingEventId = :eventId OR ((attribute_not_exists(low) OR low = :false) AND (attribute_not_exists(#noticedAt) OR #noticedAt <= :since))',
          ExpressionAttributeNames: { '#noticedAt': `noticedAt#${notice.accountLast4}` },
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':eventId': eventId,
            ':expiresAt': this.expiresAt(),
            ':at': notice.at.toISOString(),
            ':since': new Date(notice.at.getTime() - LOW_BALANCE_NOTICE_GAP_MS).toISOString(),
          },
        }),
      ),
    );
  }

  async leaveLow(bankId: string, customerId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(bankId, customerId),
        UpdateExpression: 'SET low = :false, expiresAt = :expiresAt REMOVE crossingEventId',
        ExpressionAttributeValues: { ':false': false, ':expiresAt': this.expiresAt() },
      }),
    );
  }

  private key(bankId: string, customerId: string) {
    return { counterKey: `${bankId}#${customerId}`, bucket: BALANCE_BUCKET };
  }

  private expiresAt(): number {
    return Math.floor((this.now() + ACTIVITY_RETENTION_MS) / 1000);
  }
}
