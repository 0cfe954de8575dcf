import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../domain/alert.ts';
import type { AlertStore, SentFields } from '../ports/alert-store.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * The alerts table; its stream drives customer messages and bank callbacks. Status changes are
 * conditional on the current status, so a redelivered or late change never moves an alert back.
 * An alert waiting for an answer carries `openBankId` and `deadline`: the sparse index of open
 * alerts by deadline.
 */
export class DynamoDbAlertStore implements AlertStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createOnce(alert: Alert): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: alert,
          ConditionExpression: 'attribute_not_exists(alertId)',
        }),
      ),
    );
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { alertId }, ConsistentRead: true }),
    );
    return Item as Alert | undefined;
  }

  async byRef(ref: string): Promise<Alert | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byRef',
        KeyConditionExpression: '#ref = :ref',
        ExpressionAttributeNames: { '#ref': 'ref' },
        ExpressionAttributeValues: { ':ref': ref },
      }),
    );
    const alertId = Items[0]?.alertId;
    return typeof alertId === 'string' ? this.get(alertId) : undefined;
  }

  async claimSend(alertId: string, now: Date): Promise<number | undefined> {
    const result = await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'SET sendClaimedAt = :now ADD sendAttempts :one',
      ConditionExpression: '#status = :pending AND attribute_not_exists(sendClaimedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':one': 1, ':pending': 'pending' },
      ReturnValues: 'UPDATED_NEW',
    });
    return result === undefined ? undefined : Number(result.sendAttempts);
  }

  async releaseSend(alertId: string): Promise<void> {
    await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'REMOVE sendClaimedAt',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending' },
    });
  }

  async markSent(alertId: string, fields: SentFields): Promise<void> {
    const open = fields.deadline !== undefined;
    await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: `SET #status = :sent, psid = :psid, messageId = :messageId, sentAt = :sentAt${
        open ? ', deadline = :deadline, openBankId = bankId' : ''
      } REMOVE sendClaimedAt`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':pending': 'pending',
        ':psid': fields.psid,
        ':messageId': fields.messageId,
        ':sentAt': fields.sentAt,
        ...(open && { ':deadline': fields.deadline }),
      },
    });
  }

  async markUndeliverable(alertId: string, reason: string, at: Date): Promise<void> {
    await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression:
        'SET #status = :undeliverable, undeliverableReason = :reason, updatedAt = :at REMOVE sendClaimedAt',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':undeliverable': 'undeliverable',
        ':pending': 'pending',
        ':reason': reason,
        ':at': at.toISOString(),
      },
    });
  }

  async answer(alertId: string, status: 'confirmed' | 'disputed', psid: string, at: Date): Promise<boolean> {
    const result = await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'SET #status = :answer, answeredAt = :at REMOVE openBankId',
      // Refused past the deadline even before the expiry run has closed the alert.
      ConditionExpression:
        '#status = :sent AND psid = :psid AND (attribute_not_exists(deadline) OR deadline > :at)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':answer': status,
        ':sent': 'sent',
        ':psid': psid,
        ':at': at.toISOString(),
      },
      ReturnValues: 'UPDATED_NEW',
    });
    return result !== undefined;
  }

  async openPastDeadline(bankId: string, now: Date, limit: number): Promise<string[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'openByDeadline',
        KeyConditionExpression: 'openBankId = :bankId AND deadline <= :now',
        ExpressionAttributeValues: { ':bankId': bankId, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return Items.map((item) => String(item.alertId));
  }

  async expire(alertId: string, at: Date): Promise<boolean> {
    const result = await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE openBankId',
      ConditionExpression: '#status = :sent AND deadline <= :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expired': 'expired', ':sent': 'sent', ':at': at.toISOString() },
      ReturnValues: 'UPDATED_NEW',
    });
    return result !== undefined;
  }

  /** The update's returned attributes, or undefined when its condition did not hold. */
  private async conditionalUpdate(
    input: Omit<UpdateCommandInput, 'TableName'>,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, ...input }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
