import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { NonceClaim, NonceStore, StoredAnswer } from '../ports/nonce-store.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * How long a nonce is kept: far past the 5 minute signature tolerance (a captured request is
 * refused long before its nonce is forgotten), and long enough for a bank's retry after a timeout
 * (docs/decisions/0007-admin-request-signatures.md).
 */
export const NONCE_KEEP_SECONDS = 60 * 60;

/**
 * The nonces table: one item per `<bankId>#<nonce>`, with the request's fingerprint, the latest
 * signature time seen and the first answer.
 */
export class DynamoDbNonceStore implements NonceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    bankId: string,
    nonce: string,
    fingerprint: string,
    created: number,
    now: Date,
  ): Promise<NonceClaim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const nonceKey = key(bankId, nonce);
    const claimed = await conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { nonceKey, fingerprint, lastCreated: created, expiresAt: nowSeconds + NONCE_KEEP_SECONDS },
          // TTL deletion lags: an expired item counts as gone.
          ConditionExpression: 'attribute_not_exists(nonceKey) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      ),
    );
    if (claimed) return { outcome: 'claimed' };
    // A retry is the same request signed again: each signature (its `created`) is used once.
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { nonceKey },
          UpdateExpression: 'SET lastCreated = :created',
          ConditionExpression: 'fingerprint = :fingerprint AND lastCreated < :created',
          ExpressionAttributeValues: { ':created': created, ':fingerprint': fingerprint },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const answer = Attributes?.answer as StoredAnswer | undefined;
      return { outcome: 'retry', ...(answer !== undefined && { answer }) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { nonceKey }, ConsistentRead: true }),
    );
    return { outcome: Item?.fingerprint === fingerprint ? 'replay' : 'other-request' };
  }

  async answer(bankId: string, nonce: string, answer: StoredAnswer): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { nonceKey: key(bankId, nonce) },
        UpdateExpression: 'SET answer = :answer',
        ConditionExpression: 'attribute_exists(nonceKey)',
        ExpressionAttributeValues: { ':answer': answer },
      }),
    );
  }

  async release(bankId: string, nonce: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { nonceKey: key(bankId, nonce) } }),
    );
  }
}

function key(bankId: string, nonce: string): string {
  return `${bankId}#${nonce}`;
}
