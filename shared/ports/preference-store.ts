import type { CustomerPreferences } from '../domain/preferences.ts';

/** What each customer set for themselves in the chat (docs/channels.md, "Customer controls"). */
export interface PreferenceStore {
  get(bankId: string, customerId: string): Promise<CustomerPreferences | undefined>;
  /** Replaces them; with neither a travel notice nor an alert amount, deletes them. */
  put(bankId: string, customerId: string, preferences: CustomerPreferences): Promise<void>;
  /** True when there were preferences to delete. */
  delete(bankId: string, customerId: string): Promise<boolean>;
}
