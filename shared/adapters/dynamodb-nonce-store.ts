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

/** The nonces table: one item per `<bankId>#<nonce>`, with the request's fingerprint and first answer. */
export class DynamoDbNonceStore implements NonceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(bankId: string, nonce: string, fingerprint: string, now: Date): Promise<NonceClaim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const claimed = await conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { nonceKey: key(bankId, nonce), fingerprint, expiresAt: nowSeconds + NONCE_KEEP_SECONDS },
          // TTL deletion lags: an expired item counts as gone.
          ConditionExpression: 'attribute_not_exists(nonceKey) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      ),
    );
    if (claimed) return { claimed: true };
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { nonceKey: key(bankId, nonce) },
        ConsistentRead: true,
      }),
    );
    const answer = Item?.answer as StoredAnswer | undefined;
    return {
      claimed: false,
      fingerprint: String(Item?.fingerprint ?? ''),
      ...(answer !== undefined && { answer }),
    };
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
