import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CustomerPreferences } from '../../../shared/domain/preferences.ts';
import type { PreferenceStore } from '../../../shared/ports/preference-store.ts';

const TRAVEL: CustomerPreferences = {
  travel: { country: 'JP', until: '2036-03-10T23:59:59.999Z' },
  updatedAt: '2036-03-01T12:00:00.000Z',
};

/** What every PreferenceStore does: run against the in-memory store and DynamoDB. */
export function preferenceStoreContract(
  name: string,
  make: () => PreferenceStore | Promise<PreferenceStore>,
) {
  describe(`${name} (PreferenceStore contract)`, () => {
    it('keeps each customer’s preferences apart, replaces them, and deletes them once', async () => {
      const store = await make();
      const customer = `c-${randomUUID()}`;
      expect(await store.get('acme', customer)).toBeUndefined();
      await store.put('acme', customer, TRAVEL);
      expect(await store.get('acme', customer)).toEqual(TRAVEL);
      expect(await store.get('other', customer)).toBeUndefined();
      expect(await store.get('acme', `${customer}-2`)).toBeUndefined();
      const both: CustomerPreferences = {
        ...TRAVEL,
        alertsOver: { amount: 5000, currency: 'EUR' },
        updatedAt: '2036-03-01T12:05:00.000Z',
      };
      await store.put('acme', customer, both);
      expect(await store.get('acme', customer)).toEqual(both);
      expect(await store.delete('acme', customer)).toBe(true);
      expect(await store.get('acme', customer)).toBeUndefined();
      expect(await store.delete('acme', customer)).toBe(false);
    });

    it('deletes the preferences when neither a travel notice nor an alert amount is left', async () => {
      const store = await make();
      const customer = `c-${randomUUID()}`;
      await store.put('acme', customer, TRAVEL);
      await store.put('acme', customer, { updatedAt: '2036-03-01T13:00:00.000Z' });
      expect(await store.get('acme', customer)).toBeUndefined();
      expect(await store.delete('acme', customer)).toBe(false);
    });

    it('refuses invalid preferences and keeps the previous ones', async () => {
      const store = await make();
      const customer = `c-${randomUUID()}`;
      await store.put('acme', customer, TRAVEL);
      const hostile = { ...TRAVEL, travel: { country: 'jp<script>', until: 'soon' } };
      await expect(store.put('acme', customer, hostile)).rejects.toThrow();
      await expect(
        store.put('acme', customer, { ...TRAVEL, extra: 'field' } as CustomerPreferences),
      ).rejects.toThrow();
      expect(await store.get('acme', customer)).toEqual(TRAVEL);
    });

    it('returns a copy: changing what was read changes nothing stored', async () => {
      const store = await make();
      const customer = `c-${randomUUID()}`;
      await store.put('acme', customer, TRAVEL);
      const read = (await store.get('acme', customer)) as { travel: { country: string } };
      read.travel.country = 'FR';
      expect(await store.get('acme', customer)).toEqual(TRAVEL);
    });
  });
}
