import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_THRESHOLDS } from '../../../shared/domain/thresholds.ts';
import type { CustomerEraser } from '../../../shared/ports/customer-eraser.ts';
import type { ErasureMarkers } from '../../../shared/ports/erasure.ts';
import type { PreferenceStore } from '../../../shared/ports/preference-store.ts';
import type { SubscriberStore } from '../../../shared/ports/subscriber-store.ts';
import type { ThresholdStore } from '../../../shared/ports/threshold-store.ts';

/** An eraser and the stores it erases from, over the same data, with its clock at `now`. */
export interface ErasureWorld {
  readonly eraser: CustomerEraser;
  readonly subscribers: SubscriberStore;
  readonly thresholds: ThresholdStore;
  readonly preferences: PreferenceStore;
  readonly markers: ErasureMarkers;
}

const NOW = new Date('2036-03-01T12:00:00.000Z');

/** What every CustomerEraser does: run against the fake and DynamoDB. */
export function customerEraserContract(
  name: string,
  make: (now: Date) => ErasureWorld | Promise<ErasureWorld>,
) {
  describe(`${name} (CustomerEraser contract)`, () => {
    async function customer(w: ErasureWorld, bankId: string, customerId: string) {
      await w.subscribers.save({
        bankId,
        customerId,
        address: `psid-${customerId}`,
        status: 'active',
        locale: 'en_US',
        enrollmentId: `enr-${customerId}`,
        updatedAt: NOW.toISOString(),
      });
      await w.thresholds.putCustomerOverride(bankId, customerId, { singleTransactionAmount: 100 });
      await w.preferences.put(bankId, customerId, {
        alertsOver: { amount: 1000, currency: 'EUR' },
        updatedAt: NOW.toISOString(),
      });
    }

    it('marks the erasure first and deletes the subscription, override and preferences of that customer only', async () => {
      const w = await make(NOW);
      const bankId = `bank_${randomUUID().slice(0, 8)}`;
      const ref = `er_${randomUUID()}`;
      await customer(w, bankId, 'c1');
      await customer(w, bankId, 'c2');
      await w.thresholds.putBankDefault(bankId, BUILT_IN_THRESHOLDS);
      await w.eraser.erase(bankId, 'c1', ref);
      expect(await w.markers.erasedAt(ref)).toBe(NOW.toISOString());
      expect(await w.subscribers.get(bankId, 'c1')).toBeUndefined();
      expect(await w.thresholds.customerOverride(bankId, 'c1')).toBeUndefined();
      expect(await w.preferences.get(bankId, 'c1')).toBeUndefined();
      // Another customer of the bank, and the bank's default, are untouched.
      expect(await w.subscribers.get(bankId, 'c2')).toMatchObject({ status: 'active' });
      expect(await w.thresholds.customerOverride(bankId, 'c2')).toEqual({ singleTransactionAmount: 100 });
      expect(await w.preferences.get(bankId, 'c2')).toBeDefined();
      expect(await w.thresholds.bankDefault(bankId)).toEqual(BUILT_IN_THRESHOLDS);
    });

    it('erases twice, or a customer it holds nothing on, without failing', async () => {
      const w = await make(NOW);
      const bankId = `bank_${randomUUID().slice(0, 8)}`;
      const ref = `er_${randomUUID()}`;
      await customer(w, bankId, 'c1');
      await w.eraser.erase(bankId, 'c1', ref);
      await expect(w.eraser.erase(bankId, 'c1', ref)).resolves.toBeUndefined();
      await expect(w.eraser.erase(bankId, 'nobody', `er_${randomUUID()}`)).resolves.toBeUndefined();
      expect(await w.markers.erasedAt(ref)).toBe(NOW.toISOString());
    });
  });
}
