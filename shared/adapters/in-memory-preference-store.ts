import { type CustomerPreferences, preferencesSchema } from '../domain/preferences.ts';
import type { PreferenceStore } from '../ports/preference-store.ts';

/** Customer preferences in memory, validated and deleted when empty as in DynamoDB. */
export class InMemoryPreferenceStore implements PreferenceStore {
  private readonly preferences = new Map<string, CustomerPreferences>();

  async get(bankId: string, customerId: string): Promise<CustomerPreferences | undefined> {
    const found = this.preferences.get(`${bankId}#${customerId}`);
    return found && structuredClone(found);
  }

  async put(bankId: string, customerId: string, preferences: CustomerPreferences): Promise<void> {
    if (preferences.travel === undefined && preferences.alertsOver === undefined) {
      await this.delete(bankId, customerId);
      return;
    }
    this.preferences.set(`${bankId}#${customerId}`, preferencesSchema.parse(preferences));
  }

  async delete(bankId: string, customerId: string): Promise<boolean> {
    return this.preferences.delete(`${bankId}#${customerId}`);
  }
}
