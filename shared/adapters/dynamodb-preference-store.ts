import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CustomerPreferences, preferencesSchema } from '../domain/preferences.ts';
import type { PreferenceStore } from '../ports/preference-store.ts';
import { legacyPreferencesScope, preferencesScope } from './dynamodb-customer-settings.ts';

/**
 * Customer preferences in the thresholds table, `(bankId, "customer#<id>#preferences")`: right
 * after the bank's override for the customer, so that scoring reads both with one Query
 * (DynamoDbCustomerSettings). Preferences stored before at `preferences#<id>` are read when there
 * are none at the new key, and removed by the next change, until `vigil migrate` has moved them all.
 */
export class DynamoDbPreferenceStore implements PreferenceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(bankId: string, customerId: string): Promise<CustomerPreferences | undefined> {
    const stored =
      (await this.read(bankId, preferencesScope(customerId))) ??
      (await this.read(bankId, legacyPreferencesScope(customerId)));
    return stored === undefined ? undefined : preferencesSchema.parse(stored);
  }

  async put(bankId: string, customerId: string, preferences: CustomerPreferences): Promise<void> {
    if (preferences.travel === undefined && preferences.alertsOver === undefined) {
      await this.delete(bankId, customerId);
      return;
    }
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          bankId,
          scope: preferencesScope(customerId),
          preferences: preferencesSchema.parse(preferences),
        },
      }),
    );
    await this.remove(bankId, legacyPreferencesScope(customerId));
  }

  async delete(bankId: string, customerId: string): Promise<boolean> {
    const [current, legacy] = await Promise.all([
      this.remove(bankId, preferencesScope(customerId)),
      this.remove(bankId, legacyPreferencesScope(customerId)),
    ]);
    return current || legacy;
  }

  private async read(bankId: string, scope: string): Promise<unknown> {
    const { Item } = await this.client.send(
      // Eventually consistent (half the read), as scoring's: a change shows within about a second.
      new GetCommand({ TableName: this.tableName, Key: { bankId, scope } }),
    );
    return Item?.preferences;
  }

  private async remove(bankId: string, scope: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { bankId, scope }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
