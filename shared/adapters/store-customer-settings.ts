import type { CustomerSettings, CustomerSettingsReader } from '../ports/customer-settings.ts';
import type { PreferenceStore } from '../ports/preference-store.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';

/** The customer's settings read from the two stores apart: what the in-memory ports use. */
export class StoreCustomerSettings implements CustomerSettingsReader {
  constructor(
    private readonly thresholds: Pick<ThresholdStore, 'customerOverride'>,
    private readonly preferences: Pick<PreferenceStore, 'get'>,
  ) {}

  async read(bankId: string, customerId: string): Promise<CustomerSettings> {
    const [override, preferences] = await Promise.all([
      this.thresholds.customerOverride(bankId, customerId),
      this.preferences.get(bankId, customerId),
    ]);
    return { override, preferences };
  }
}
