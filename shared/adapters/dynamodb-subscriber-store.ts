import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Subscriber, SubscriberStatus } from '../domain/subscriber.ts';
import type { ChannelName } from '../ports/channel.ts';
import type { SubscriberStore } from '../ports/subscriber-store.ts';
import { conditionalWrite } from './conditional-write.ts';
import { subscriberFromItem, subscriberToItem } from './stored-address.ts';

/**
 * The subscribers table (bank id, customer id), with its `byPsid` index on the address (stored
 * as `psid`: stored-address.ts).
 */
export class DynamoDbSubscriberStore implements SubscriberStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(bankId: string, customerId: string): Promise<Subscriber | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { bankId, customerId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : subscriberFromItem(Item);
  }

  async byAddress(address: string): Promise<Subscriber[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byPsid',
        KeyConditionExpression: 'psid = :address',
        ExpressionAttributeValues: { ':address': address },
      }),
    );
    return Items.map(subscriberFromItem);
  }

  async save(subscriber: Subscriber): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: subscriberToItem(subscriber) }));
  }

  async changeStatus(
    bankId: string,
    customerId: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    changes: Partial<Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'enrollmentId'>> = {},
  ): Promise<boolean> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bankId, customerId },
          UpdateExpression: `SET #status = :to, updatedAt = :now${entries.map(([name]) => `, ${name} = :${name}`).join('')}`,
          ConditionExpression: `#status IN (${Object.keys(fromValues).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':now': new Date().toISOString(),
            ...fromValues,
            ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
          },
        }),
      ),
    );
  }

  async touch(bankId: string, customerId: string, at: Date): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bankId, customerId },
          UpdateExpression: 'SET lastInboundAt = :at',
          ConditionExpression: 'attribute_exists(customerId)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }

  async offerTakeover(
    bankId: string,
    customerId: string,
    pending: { address: string; channel?: ChannelName; enrollmentId: string; locale: string },
  ): Promise<boolean> {
    const other = pending.channel !== undefined && pending.channel !== 'messenger';
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bankId, customerId },
          UpdateExpression: `SET pendingPsid = :address, pendingEnrollmentId = :enrollmentId, pendingLocale = :locale${
            other ? ', pendingChannel = :channel' : ' REMOVE pendingChannel'
          }`,
          ConditionExpression: 'attribute_exists(customerId)',
          ExpressionAttributeValues: {
            ...(other && { ':channel': pending.channel }),
            ':address': pending.address,
            ':enrollmentId': pending.enrollmentId,
            ':locale': pending.locale,
          },
        }),
      ),
    );
  }

  async pendingTakeovers(address: string): Promise<Subscriber[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byPendingPsid',
        KeyConditionExpression: 'pendingPsid = :address',
        ExpressionAttributeValues: { ':address': address },
      }),
    );
    const found = await Promise.all(
      Items.map((item) => this.get(String(item.bankId), String(item.customerId))),
    );
    return found.filter((item): item is Subscriber => item?.pendingAddress === address);
  }

  async takeOver(
    bankId: string,
    customerId: string,
    pending: { address: string; channel?: ChannelName; enrollmentId: string },
    consent: Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'lastInboundAt'>,
  ): Promise<Subscriber | undefined> {
    // Messenger's subscriptions carry no `channel` (as before there were several).
    const other = pending.channel !== undefined && pending.channel !== 'messenger';
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bankId, customerId },
          UpdateExpression: `SET psid = :address, enrollmentId = :enrollmentId, locale = pendingLocale, #status = :active, consentedAt = :consentedAt, consentVersion = :consentVersion, lastInboundAt = :lastInboundAt, updatedAt = :now${
            other ? ', channel = :channel' : ''
          } REMOVE pendingPsid, pendingEnrollmentId, pendingLocale, pendingChannel${other ? '' : ', channel'}`,
          ConditionExpression: 'pendingPsid = :address AND pendingEnrollmentId = :enrollmentId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...(other && { ':channel': pending.channel }),
            ':address': pending.address,
            ':enrollmentId': pending.enrollmentId,
            ':active': 'active',
            ':consentedAt': consent.consentedAt,
            ':consentVersion': consent.consentVersion,
            ':lastInboundAt': consent.lastInboundAt,
            ':now': new Date().toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? undefined : subscriberFromItem(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async dropTakeover(bankId: string, customerId: string, address: string): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bankId, customerId },
          UpdateExpression: 'REMOVE pendingPsid, pendingEnrollmentId, pendingLocale, pendingChannel',
          ConditionExpression: 'pendingPsid = :address',
          ExpressionAttributeValues: { ':address': address },
        }),
      ),
    );
  }

  async delete(bankId: string, customerId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { bankId, customerId }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
