import { type DynamoDBDocumentClient, GetCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BankProfile,
  displayBankName,
  type UtilityTemplate,
  type WhatsAppSettings,
} from '../domain/bank-profile.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { ChannelName } from '../ports/channel.ts';
import { conditionalWrite } from './conditional-write.ts';
import { ExpiringCache } from './expiring-cache.ts';

/** Bank settings change rarely: read at most once a minute per bank and function instance. */
const BANK_MAX_AGE_MS = 60_000;

/** The banks table. */
export class DynamoDbBankDirectory implements BankDirectory {
  private readonly cache: ExpiringCache<BankProfile | undefined>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    now: () => number = Date.now,
  ) {
    this.cache = new ExpiringCache(BANK_MAX_AGE_MS, now);
  }

  get(bankId: string): Promise<BankProfile | undefined> {
    return this.cache.get(bankId, async () => {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { bankId } }));
      const bank = Item as BankProfile | undefined;
      return bank === undefined ? undefined : { ...bank, name: displayBankName(bank.name) };
    });
  }

  /** A scan: the banks table holds one small item per bank. */
  async list(): Promise<string[]> {
    const ids: string[] = [];
    const pages = paginateScan(
      { client: this.client },
      { TableName: this.tableName, ProjectionExpression: 'bankId' },
    );
    for await (const page of pages) for (const item of page.Items ?? []) ids.push(String(item.bankId));
    return ids;
  }

  /** The bank's item as stored now (no cache): what `vigil banks show` prints. */
  async read(bankId: string): Promise<StoredBank | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { bankId }, ConsistentRead: true }),
    );
    return Item as StoredBank | undefined;
  }

  /**
   * Changes the given settings of a registered bank, in one conditional update: an unknown bank
   * is refused (undefined) and nothing is created. `utilityTemplate: null` removes the template.
   * Functions see the change within a minute (their cache).
   */
  async update(bankId: string, changes: BankChanges, now = new Date()): Promise<StoredBank | undefined> {
    const names: Record<string, string> = { '#bankId': 'bankId', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
    const set = ['#updatedAt = :updatedAt'];
    const remove: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      if (value === null) {
        remove.push(`#${key}`);
      } else {
        values[`:${key}`] = value;
        set.push(`#${key} = :${key}`);
      }
    }
    let attributes: Record<string, unknown> | undefined;
    const applied = await conditionalWrite(
      this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { bankId },
            ConditionExpression: 'attribute_exists(#bankId)',
            UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        )
        .then((output) => {
          attributes = output.Attributes;
        }),
    );
    return applied ? (attributes as StoredBank | undefined) : undefined;
  }
}

/** A bank's item in the banks table: its profile and when it was registered and last changed. */
export type StoredBank = BankProfile & { readonly createdAt?: string; readonly updatedAt?: string };

/** The settings `vigil banks update` changes; undefined leaves one as it is. */
export interface BankChanges {
  readonly name?: string | undefined;
  readonly callbackUrl?: string | undefined;
  readonly alertExpiryMinutes?: number | undefined;
  readonly maxMessagesPerHour?: number | undefined;
  readonly timeZone?: string | undefined;
  readonly utilityTemplate?: UtilityTemplate | null | undefined;
  readonly channels?: readonly ChannelName[] | undefined;
  /** The bank's WhatsApp number and template; null removes them. */
  readonly whatsapp?: WhatsAppSettings | null | undefined;
}
