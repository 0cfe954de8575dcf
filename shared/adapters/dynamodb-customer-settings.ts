import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { preferencesSchema } from '../domain/preferences.ts';
import { thresholdOverrideSchema } from '../domain/thresholds.ts';
import type { CustomerSettings, CustomerSettingsReader } from '../ports/customer-settings.ts';

/** The bank's threshold override for a customer: `(bankId, "customer#<id>")`. */
export const customerScope = (customerId: string) => `customer#${customerId}`;

/**
 * The customer's own preferences, right after the override: `(bankId, "customer#<id>#preferences")`.
 * A customer id is letters, digits and `_.:-` (bank-event.ts), every one of them after `#`, so no
 * other customer's keys sort between these two.
 */
export const preferencesScope = (customerId: string) => `${customerScope(customerId)}#preferences`;

/** Where preferences were kept before: `vigil migrate` moves them (docs/operator-guide.md). */
export const LEGACY_PREFERENCES_PREFIX = 'preferences#';
export const legacyPreferencesScope = (customerId: string) => `${LEGACY_PREFERENCES_PREFIX}${customerId}`;

/**
 * The override and the preferences of a customer with ONE Query over their two adjacent keys in
 * the thresholds table: 0.5 RCU (eventually consistent, both items well under 4 KB), where two
 * GetItems cost 0.5 each. Eventually consistent, as each read was: a change reaches scoring within
 * about a second.
 */
export class DynamoDbCustomerSettings implements CustomerSettingsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(bankId: string, customerId: string): Promise<CustomerSettings> {
    const [overrideScope, ownScope] = [customerScope(customerId), preferencesScope(customerId)];
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'bankId = :bankId AND #scope BETWEEN :override AND :preferences',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ExpressionAttributeValues: {
          ':bankId': bankId,
          ':override': overrideScope,
          ':preferences': ownScope,
        },
      }),
    );
    const override = Items.find((item) => item.scope === overrideScope)?.thresholds;
    const preferences = Items.find((item) => item.scope === ownScope)?.preferences;
    return {
      override: override === undefined ? undefined : thresholdOverrideSchema.parse(override),
      preferences: preferences === undefined ? undefined : preferencesSchema.parse(preferences),
    };
  }
}
