import type { CustomerProfile, ProfileSettings, Sighting } from '../domain/customer-profile.ts';

/** Each customer's habits (docs/scoring.md), apart from the 48-hour activity ledger. */
export interface CustomerProfiles {
  /**
   * Adds the sighting to the customer's profile (once, however often it is recorded) and returns
   * the profile after it. Concurrent records for one customer are all kept: none overwrites
   * another.
   */
  record(
    bankId: string,
    customerId: string,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
  ): Promise<CustomerProfile>;
}
