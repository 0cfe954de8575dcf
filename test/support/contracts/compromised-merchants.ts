import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reporterOf } from '../../../shared/domain/compromised-merchant.ts';
import type { CompromisedMerchants } from '../../../shared/ports/compromised-merchants.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const DAY = 24 * 60 * 60_000;
const KEY = 'reporter-key-of-the-contract-tests';
/** A customer as the marks know them: the keyed hash (bank acme). */
const r = (customerId: string) => reporterOf(KEY, 'acme', customerId);

/** What every CompromisedMerchants does: run against the in-memory store and DynamoDB. */
export function compromisedMerchantsContract(
  name: string,
  make: () => CompromisedMerchants | Promise<CompromisedMerchants>,
) {
  describe(`${name} (CompromisedMerchants contract)`, () => {
    it('counts the other customers whose report still counts, never the payer, per bank and merchant', async () => {
      const store = await make();
      const merchant = `m-${randomUUID()}`;
      expect(await store.reporters('acme', merchant, r('c1'), NOW)).toBe(0);
      await store.mark('acme', merchant, r('c1'), at(7 * DAY), NOW);
      await store.mark('acme', merchant, r('c2'), at(DAY), NOW);
      await store.mark('acme', merchant, r('c3'), at(7 * DAY), NOW);
      expect(await store.reporters('acme', merchant, r('c1'), NOW)).toBe(2);
      expect(await store.reporters('acme', merchant, r('c9'), NOW)).toBe(3);
      // Never shared between banks or merchants.
      expect(await store.reporters('other', merchant, r('c9'), NOW)).toBe(0);
      expect(await store.reporters('acme', `${merchant}x`, r('c9'), NOW)).toBe(0);
      // c2's report stops counting at its end.
      expect(await store.reporters('acme', merchant, r('c9'), at(DAY))).toBe(2);
    });

    it('extends a customer’s report when they report again, counting them once', async () => {
      const store = await make();
      const merchant = `m-${randomUUID()}`;
      await store.mark('acme', merchant, r('c1'), at(DAY), NOW);
      await store.mark('acme', merchant, r('c1'), at(3 * DAY), at(DAY / 2));
      expect(await store.reporters('acme', merchant, r('c9'), at(2 * DAY))).toBe(1);
    });

    it('keeps every one of concurrent reports, and forgets ended ones on the next mark', async () => {
      const store = await make();
      const merchant = `m-${randomUUID()}`;
      await Promise.all(
        ['c1', 'c2', 'c3', 'c4'].map((c) => store.mark('acme', merchant, r(c), at(DAY), NOW)),
      );
      expect(await store.reporters('acme', merchant, r('c9'), NOW)).toBe(4);
      await store.mark('acme', merchant, r('c5'), at(3 * DAY), at(2 * DAY));
      expect(await store.reporters('acme', merchant, r('c9'), at(2 * DAY))).toBe(1);
    });

    it('forgets every report of one reporter at the bank, at every merchant, and only theirs', async () => {
      const store = await make();
      const [m1, m2] = [`m-${randomUUID()}`, `m-${randomUUID()}`];
      await store.mark('acme', m1, r('gone'), at(DAY), NOW);
      await store.mark('acme', m2, r('gone'), at(DAY), NOW);
      await store.mark('acme', m1, r('kept'), at(DAY), NOW);
      await store.mark('other', m1, r('gone'), at(DAY), NOW);
      await store.forget('acme', r('gone'));
      expect(await store.reporters('acme', m1, r('c9'), NOW)).toBe(1);
      expect(await store.reporters('acme', m2, r('c9'), NOW)).toBe(0);
      // Another bank's marks are its own.
      expect(await store.reporters('other', m1, r('c9'), NOW)).toBe(1);
      // Forgetting again, or someone who reported nothing, changes nothing.
      await store.forget('acme', r('gone'));
      await store.forget('acme', r('nobody'));
      expect(await store.reporters('acme', m1, r('c9'), NOW)).toBe(1);
    });
  });
}
