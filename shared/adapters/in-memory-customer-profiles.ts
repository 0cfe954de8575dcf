import {
  addSighting,
  type CustomerProfile,
  emptyProfile,
  type ProfileSettings,
  type Sighting,
} from '../domain/customer-profile.ts';

/** Customer profiles in memory; counts the writes a store would make. */
export class InMemoryCustomerProfiles {
  private readonly profiles = new Map<string, CustomerProfile>();
  writes = 0;

  /** Forgets the customer's profile (an erasure replaced their history). */
  delete(bankId: string, customerId: string): void {
    this.profiles.delete(`${bankId}#${customerId}`);
  }

  /** Adds the sighting at once (no pause) and returns the customer's profile, live. */
  record(bankId: string, customerId: string, sighting: Sighting, settings: ProfileSettings): CustomerProfile {
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
