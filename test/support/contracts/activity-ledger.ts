import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_RETENTION_MS, type ActivityEntry } from '../../../shared/domain/activity.ts';

/** The ledger half of a CustomerHistory (`ledgerOf` in ./customer-history.ts). */
export interface ActivityLedger {
  record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    now: Date,
  ): Promise<readonly ActivityEntry[]>;
}

const NOW = new Date('2036-03-01T12:00:00.000Z');
const T = NOW.getTime();

function entry(eventId: string, at: number, amount = 1000): ActivityEntry {
  return { eventId, at, amount, currency: 'EUR', authorized: true };
}

const sorted = (entries: readonly ActivityEntry[]) =>
  [...entries].sort((a, b) => a.at - b.at || a.eventId.localeCompare(b.eventId));

/** What the ledger of every CustomerHistory does: run against the in-memory history and DynamoDB. */
export function activityLedgerContract(name: string, make: () => ActivityLedger | Promise<ActivityLedger>) {
  describe(`${name} (ActivityLedger contract)`, () => {
    it('returns every entry of the customer with the new one, each event once however often recorded', async () => {
      const ledger = await make();
      const customer = `c-${randomUUID()}`;
      const first = entry('e1', T - 60_000);
      expect(await ledger.record('acme', customer, first, NOW)).toEqual([first]);
      const second = entry('e2', T, 2500);
      expect(sorted(await ledger.record('acme', customer, second, NOW))).toEqual([first, second]);
      // A redelivered event is recorded once.
      expect(sorted(await ledger.record('acme', customer, second, NOW))).toEqual([first, second]);
      // Other customers and banks have their own ledgers.
      const elsewhere = entry('e3', T);
      expect(await ledger.record('other', customer, elsewhere, NOW)).toEqual([elsewhere]);
      expect(await ledger.record('acme', `${customer}-2`, elsewhere, NOW)).toEqual([elsewhere]);
    });

    it('drops entries older than 48 hours and entries dated far in the future', async () => {
      const ledger = await make();
      const customer = `c-${randomUUID()}`;
      const old = entry('old', T - ACTIVITY_RETENTION_MS - 1);
      const edge = entry('edge', T - ACTIVITY_RETENTION_MS);
      await ledger.record('acme', customer, old, NOW);
      await ledger.record('acme', customer, edge, NOW);
      const ahead = entry('ahead', T + 60 * 60_000);
      const entries = await ledger.record('acme', customer, ahead, NOW);
      expect(sorted(entries).map((e) => e.eventId)).toEqual(['edge']);
      // Later, the edge entry ages out too.
      const later = new Date(T + 1);
      expect(
        (await ledger.record('acme', customer, entry('now', T + 1), later)).map((e) => e.eventId),
      ).toEqual(['now']);
    });

    it('keeps every one of concurrent records of a customer', async () => {
      const ledger = await make();
      const customer = `c-${randomUUID()}`;
      const entries = ['a', 'b', 'c', 'd'].map((id, i) => entry(id, T - i * 1000));
      const results = await Promise.all(entries.map((e) => ledger.record('acme', customer, e, NOW)));
      // Each sees at least its own entry; the last write sees all four.
      for (const [i, result] of results.entries()) expect(result).toContainEqual(entries[i]);
      const all = await ledger.record('acme', customer, entry('e', T), NOW);
      expect(all).toHaveLength(5);
    });
  });
}
