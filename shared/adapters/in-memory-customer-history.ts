import type { ActivityEntry } from '../domain/activity.ts';
import type { ProfileSettings, Sighting } from '../domain/customer-profile.ts';
import type { CustomerHistory, CustomerHistoryUpdate } from '../ports/customer-history.ts';
import { InMemoryActivityLedger } from './in-memory-activity-ledger.ts';
import { InMemoryCustomerProfiles } from './in-memory-customer-profiles.ts';

/**
 * The customer history in memory: the in-memory ledger and profiles side by side. A record runs
 * without a pause, so concurrent records are applied one after the other, as DynamoDB applies the
 * writes to one item; each returns a copy, as the DynamoDB history returns what it read.
 */
export class InMemoryCustomerHistory implements CustomerHistory {
  readonly ledger = new InMemoryActivityLedger();
  readonly profiles = new InMemoryCustomerProfiles();

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
  ): Promise<CustomerHistoryUpdate> {
    const entries = this.ledger.record(bankId, customerId, entry, now);
    const profile = this.profiles.record(bankId, customerId, sighting, settings);
    // A snapshot: a record replaces the profile's entries, it never changes one in place.
    return {
      entries: [...entries],
      profile: {
        ...profile,
        amounts: [...profile.amounts],
        countries: { ...profile.countries },
        categories: { ...profile.categories },
        probes: [...profile.probes],
      },
    };
  }
}
