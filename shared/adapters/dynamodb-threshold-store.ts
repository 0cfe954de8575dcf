import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ThresholdOverride,
  type Thresholds,
  thresholdOverrideSchema,
  thresholdsSchema,
} from '../domain/thresholds.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { customerScope } from './dynamodb-customer-settings.ts';
import { ExpiringCache } from './expiring-cache.ts';

/** A threshold change reaches scoring within this time (docs/contract.md#thresholds). */
export const BANK_DEFAULT_MAX_AGE_MS = 60_000;

const DEFAULT_SCOPE = 'default';

/** The thresholds table: `(bankId, "default")` and `(bankId, "customer#<id>")`. */
export class DynamoDbThresholdStore implements ThresholdStore {
  private readonly defaults: ExpiringCache<Thresholds | undefined>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    now: () => number = Date.now,
  ) {
    this.defaults = new ExpiringCache(BANK_DEFAULT_MAX_AGE_MS, now);
  }

  bankDefault(bankId: string): Promise<Thresholds | undefined> {
    return this.defaults.get(bankId, async () => {
      const value = await this.read(bankId, DEFAULT_SCOPE);
      return value === undefined ? undefined : thresholdsSchema.parse(value);
    });
  }

  async customerOverride(bankId: string, customerId: string): Promise<ThresholdOverride | undefined> {
    const value = await this.read(bankId, customerScope(customerId));
    return value === undefined ? undefined : thresholdOverrideSchema.parse(value);
  }

  async putBankDefault(bankId: string, thresholds: Thresholds): Promise<void> {
    await this.write(bankId, DEFAULT_SCOPE, thresholds);
    this.defaults.delete(bankId);
  }

  async putCustomerOverride(bankId: string, customerId: string, override: ThresholdOverride): Promise<void> {
    await this.write(bankId, customerScope(customerId), override);
  }

  async deleteCustomerOverride(bankId: string, customerId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { bankId, scope: customerScope(customerId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }

  private async read(bankId: string, scope: string): Promise<unknown> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { bankId, scope } }),
    );
    return Item?.thresholds;
  }

  private async write(bankId: string, scope: string, thresholds: unknown): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { bankId, scope, thresholds, updatedAt: new Date().toISOString() },
      }),
    );
  }
}
