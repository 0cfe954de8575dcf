import { type DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import {
  type BankProfile,
  displayBankName,
  type UtilityTemplate,
  type WhatsAppSettings,
} from '../domain/bank-profile.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { ChannelName } from '../ports/channel.ts';
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
