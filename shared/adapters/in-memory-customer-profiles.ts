import {
  addSighting,
  type CustomerProfile,
  emptyProfile,
  type ProfileSettings,
  type Sighting,
} from '../domain/customer-profile.ts';
import type { CustomerProfiles } from '../ports/customer-profiles.ts';

/** Customer profiles in memory; counts the writes a store would make. */
export class InMemoryCustomerProfiles implements CustomerProfiles {
  private readonly profiles = new Map<string, CustomerProfile>();
  writes = 0;

  async record(
    bankId: string,
    customerId: string,
    sighting: Sighting,
    settings: ProfileSettings,
  ): Promise<CustomerProfile> {
    const key = `${bankId}#${customerId}`;
    let profile = this.profiles.get(key);
    if (profile === undefined) {
      profile = emptyProfile();
      this.profiles.set(key, profile);
    }
    if (addSighting(profile, sighting, settings)) this.writes++;
    return profile;
  }
}
