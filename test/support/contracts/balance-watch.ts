import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type BalanceWatch, LOW_BALANCE_NOTICE_GAP_MS } from '../../../shared/ports/balance-watch.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

/** What every BalanceWatch does: run against the in-memory watch and DynamoDB. */
export function balanceWatchContract(name: string, make: () => BalanceWatch | Promise<BalanceWatch>) {
  describe(`${name} (BalanceWatch contract)`, () => {
    it('counts only the crossing: another event while low is not one, the crossing event again is', async () => {
      const watch = await make();
      const customer = `c-${randomUUID()}`;
      expect(await watch.enterLow('acme', customer, 'e1', { accountLast4: '1234', at: NOW })).toBe(true);
      expect(await watch.enterLow('acme', customer, 'e2', { accountLast4: '1234', at: at(1000) })).toBe(
        false,
      );
      // A redelivery of the crossing event (its notice may not have been made before a crash).
      expect(await watch.enterLow('acme', customer, 'e1', { accountLast4: '1234', at: NOW })).toBe(true);
      // Another customer, or the same id at another bank, has their own state.
      expect(await watch.enterLow('acme', `${customer}-2`, 'e2', { accountLast4: '1234', at: NOW })).toBe(
        true,
      );
      expect(await watch.enterLow('other', customer, 'e2', { accountLast4: '1234', at: NOW })).toBe(true);
    });

    it('notices an account at most once in 24 hours, across leaving and entering low again', async () => {
      const watch = await make();
      const customer = `c-${randomUUID()}`;
      expect(await watch.enterLow('acme', customer, 'e1', { accountLast4: '1234', at: NOW })).toBe(true);
      await watch.leaveLow('acme', customer);
      // Low again within 24 h: no second notice for that account, another account gets one.
      expect(await watch.enterLow('acme', customer, 'e2', { accountLast4: '1234', at: at(60_000) })).toBe(
        false,
      );
      expect(await watch.enterLow('acme', customer, 'e3', { accountLast4: '9999', at: at(60_000) })).toBe(
        true,
      );
      await watch.leaveLow('acme', customer);
      const dayLater = at(LOW_BALANCE_NOTICE_GAP_MS);
      expect(await watch.enterLow('acme', customer, 'e4', { accountLast4: '1234', at: dayLater })).toBe(true);
    });

    it('leaves low for a customer never seen without failing; the next low is a crossing', async () => {
      const watch = await make();
      const customer = `c-${randomUUID()}`;
      await expect(watch.leaveLow('acme', customer)).resolves.toBeUndefined();
      expect(await watch.enterLow('acme', customer, 'e1', { accountLast4: '1234', at: NOW })).toBe(true);
    });
  });
}
