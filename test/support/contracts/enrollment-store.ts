import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Enrollment, EnrollmentStore } from '../../../shared/ports/enrollment-store.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

/** What every EnrollmentStore does: run against the fake and DynamoDB. */
export function enrollmentStoreContract(
  name: string,
  make: () => EnrollmentStore | Promise<EnrollmentStore>,
) {
  describe(`${name} (EnrollmentStore contract)`, () => {
    it('claims an unused, unexpired token once, with its enrollment', async () => {
      const store = await make();
      const enrollment = fresh({ expiresAt: NOW_SECONDS + 60 });
      await store.create(enrollment);
      const first = await store.claim(enrollment.tokenHash, NOW);
      expect(first).toMatchObject({ claimed: true, enrollment: { ...enrollment, used: true } });
      expect(await store.claim(enrollment.tokenHash, NOW)).toEqual({ claimed: false, reason: 'used' });
    });

    it('refuses an unknown token and an expired one (at its expiry second too)', async () => {
      const store = await make();
      expect(await store.claim(`unknown-${randomUUID()}`, NOW)).toEqual({
        claimed: false,
        reason: 'unknown',
      });
      const expired = fresh({ expiresAt: NOW_SECONDS });
      await store.create(expired);
      expect(await store.claim(expired.tokenHash, NOW)).toEqual({ claimed: false, reason: 'expired' });
    });

    it('lets only one of two concurrent claims win', async () => {
      const store = await make();
      const enrollment = fresh({ expiresAt: NOW_SECONDS + 60 });
      await store.create(enrollment);
      const claims = await Promise.all([
        store.claim(enrollment.tokenHash, NOW),
        store.claim(enrollment.tokenHash, NOW),
      ]);
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    });

    it('refuses to create a second enrollment with the same token', async () => {
      const store = await make();
      const enrollment = fresh({ expiresAt: NOW_SECONDS + 60 });
      await store.create(enrollment);
      await expect(store.create({ ...enrollment, customerId: 'someone-else' })).rejects.toThrow();
      const claim = await store.claim(enrollment.tokenHash, NOW);
      expect(claim.claimed && claim.enrollment.customerId).toBe(enrollment.customerId);
    });
  });
}

function fresh(changes: Partial<Enrollment>): Enrollment {
  const id = randomUUID();
  return {
    tokenHash: `hash-${id}`,
    enrollmentId: `enr-${id}`,
    bankId: 'bank_a',
    customerId: `cust-${id}`,
    customerKey: `bank_a#cust-${id}`,
    locale: 'fr_FR',
    createdAt: '2036-03-01T11:00:00.000Z',
    expiresAt: NOW_SECONDS + 3600,
    used: false,
    ...changes,
  };
}
