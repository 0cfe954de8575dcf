import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_THRESHOLDS, type Thresholds } from '../../../shared/domain/thresholds.ts';
import type { ThresholdStore } from '../../../shared/ports/threshold-store.ts';

/** What every ThresholdStore does: run against the in-memory store and DynamoDB. */
export function thresholdStoreContract(name: string, make: () => ThresholdStore | Promise<ThresholdStore>) {
  describe(`${name} (ThresholdStore contract)`, () => {
    it('has no default for a bank until one is put, then the latest one put', async () => {
      const store = await make();
      const bankId = `bank_${randomUUID().slice(0, 8)}`;
      expect(await store.bankDefault(bankId)).toBeUndefined();
      await store.putBankDefault(bankId, BUILT_IN_THRESHOLDS);
      expect(await store.bankDefault(bankId)).toEqual(BUILT_IN_THRESHOLDS);
      const stricter: Thresholds = { ...BUILT_IN_THRESHOLDS, alertScore: 40, homeCountries: ['FR', 'BE'] };
      await store.putBankDefault(bankId, stricter);
      // The instance that wrote it reads it back at once (no stale cache).
      expect(await store.bankDefault(bankId)).toEqual(stricter);
      expect(await store.bankDefault(`${bankId}x`)).toBeUndefined();
    });

    it('keeps a customer override per bank and customer, apart from the bank default', async () => {
      const store = await make();
      const bankId = `bank_${randomUUID().slice(0, 8)}`;
      expect(await store.customerOverride(bankId, 'c1')).toBeUndefined();
      await store.putCustomerOverride(bankId, 'c1', { singleTransactionAmount: 1000 });
      expect(await store.customerOverride(bankId, 'c1')).toEqual({ singleTransactionAmount: 1000 });
      expect(await store.customerOverride(bankId, 'c2')).toBeUndefined();
      expect(await store.customerOverride(`${bankId}x`, 'c1')).toBeUndefined();
      expect(await store.bankDefault(bankId)).toBeUndefined();
      await store.putCustomerOverride(bankId, 'c1', { velocity: { count: 3 } });
      expect(await store.customerOverride(bankId, 'c1')).toEqual({ velocity: { count: 3 } });
    });

    it('deletes an override once: true when there was one', async () => {
      const store = await make();
      const bankId = `bank_${randomUUID().slice(0, 8)}`;
      await store.putCustomerOverride(bankId, 'c1', { singleTransactionAmount: 1000 });
      expect(await store.deleteCustomerOverride(bankId, 'c2')).toBe(false);
      expect(await store.deleteCustomerOverride(bankId, 'c1')).toBe(true);
      expect(await store.customerOverride(bankId, 'c1')).toBeUndefined();
      expect(await store.deleteCustomerOverride(bankId, 'c1')).toBe(false);
    });
  });
}
