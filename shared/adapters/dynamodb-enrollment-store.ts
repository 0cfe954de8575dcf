import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Enrollment, EnrollmentClaim, EnrollmentStore } from '../ports/enrollment-store.ts';

/** The enrollments table, keyed by the token's hash. */
export class DynamoDbEnrollmentStore implements EnrollmentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(enrollment: Enrollment): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: enrollment,
        ConditionExpression: 'attribute_not_exists(tokenHash)',
      }),
    );
  }

  async claim(tokenHash: string, now: Date): Promise<EnrollmentClaim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tokenHash },
          UpdateExpression: 'SET used = :true, usedAt = :at',
          // TTL deletion lags by up to days: the expiry is checked here, not left to TTL.
          ConditionExpression: 'attribute_exists(tokenHash) AND used = :false AND expiresAt > :now',
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':now': nowSeconds,
            ':at': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, enrollment: Attributes as Enrollment };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) return { claimed: false, reason: 'unknown' };
      const old = unmarshall(error.Item) as Enrollment;
      return { claimed: false, reason: old.used ? 'used' : 'expired' };
    }
  }
}
