import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CustomerProfile, ProfileSettings, Sighting } from '../../../shared/domain/customer-profile.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../../shared/domain/thresholds.ts';

/** The profile half of a CustomerHistory (`profilesOf` in ./customer-history.ts). */
export interface CustomerProfiles {
  record(
    bankId: string,
    customerId: string,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
  ): Promise<CustomerProfile>;
}

const NOW = new Date('2036-03-01T12:00:00.000Z');
const SETTINGS: ProfileSettings = { currency: 'EUR', ...historySettings(BUILT_IN_THRESHOLDS) };

function sighting(changes: Partial<Sighting> = {}): Sighting {
  return {
    at: NOW.getTime(),
    amount: 1200,
    currency: 'EUR',
    country: 'FR',
    mcc: '5411',
    authorized: true,
    probe: false,
    ...changes,
  };
}

/** What the profile of every CustomerHistory does: run against the in-memory history and DynamoDB. */
export function customerProfilesContract(
  name: string,
  make: () => CustomerProfiles | Promise<CustomerProfiles>,
) {
  describe(`${name} (CustomerProfiles contract)`, () => {
    it('adds each sighting once to the customer’s own profile and returns the profile after it', async () => {
      const profiles = await make();
      const customer = `c-${randomUUID()}`;
      const first = await profiles.record('acme', customer, sighting(), SETTINGS, NOW);
      expect(first.amounts).toEqual([[NOW.getTime(), 1200]]);
      expect(Object.keys(first.countries)).toEqual(['FR']);
      const later = sighting({ at: NOW.getTime() + 60_000, amount: 800, country: 'BE', mcc: '5812' });
      const second = await profiles.record('acme', customer, later, SETTINGS, NOW);
      expect(second.amounts).toHaveLength(2);
      expect(Object.keys(second.countries).sort()).toEqual(['BE', 'FR']);
      expect(Object.keys(second.categories).sort()).toEqual(['5411', '5812']);
      // A redelivery adds nothing.
      const again = await profiles.record('acme', customer, later, SETTINGS, NOW);
      expect(again).toEqual(second);
      // Another customer, or the same id at another bank, starts empty.
      const other = await profiles.record('other', customer, sighting({ country: 'DE' }), SETTINGS, NOW);
      expect(Object.keys(other.countries)).toEqual(['DE']);
      expect(other.amounts).toHaveLength(1);
    });

    it('keeps every one of concurrent records of a customer: none overwrites another', async () => {
      const profiles = await make();
      const customer = `c-${randomUUID()}`;
      const sightings = [1, 2, 3, 4].map((i) => sighting({ at: NOW.getTime() + i * 1000, amount: i * 100 }));
      await Promise.all(sightings.map((s) => profiles.record('acme', customer, s, SETTINGS, NOW)));
      const after = await profiles.record(
        'acme',
        customer,
        sighting({ at: NOW.getTime() + 9000 }),
        SETTINGS,
        NOW,
      );
      expect(after.amounts.map(([, amount]) => amount).sort((a, b) => a - b)).toEqual([
        100, 200, 300, 400, 1200,
      ]);
    });
  });
}
