import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CustomerPreferences, preferencesSchema } from '../domain/preferences.ts';
import type { PreferenceStore } from '../ports/preference-store.ts';

const preferencesScope = (customerId: string) => `preferences#${customerId}`;

/**
 * Customer preferences in the thresholds table, `(bankId, "preferences#<customerId>")`: next to
 * the bank's override for the customer, read by scoring in the same place.
 */
export class DynamoDbPreferenceStore implements PreferenceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(bankId: string, customerId: string): Promise<CustomerPreferences | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { bankId, scope: preferencesScope(customerId) },
        // Eventually consistent (half the read): a change reaches scoring within about a second.
      }),
    );
    return Item?.preferences === undefined ? undefined : preferencesSchema.parse(Item.preferences);
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
  }

  async delete(bankId: string, customerId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { bankId, scope: preferencesScope(customerId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }
}
