import type { CustomerPreferences } from '../domain/preferences.ts';
import type { ThresholdOverride } from '../domain/thresholds.ts';

/** What scoring reads of one customer besides their history. */
export interface CustomerSettings {
  /** The bank's threshold override for the customer (ThresholdStore.customerOverride). */
  readonly override: ThresholdOverride | undefined;
  /** What the customer set for themselves in the chat (PreferenceStore.get). */
  readonly preferences: CustomerPreferences | undefined;
}

/**
 * The customer's override and preferences, as the threshold and preference stores hold them, read
 * together: one request in DynamoDB (docs/capacity-and-cost.md).
 */
export interface CustomerSettingsReader {
  read(bankId: string, customerId: string): Promise<CustomerSettings>;
}
