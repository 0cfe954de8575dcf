import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../../shared/domain/activity.ts';
import type { ProfileSettings, Sighting } from '../../../shared/domain/customer-profile.ts';
import type { Decision } from '../../../shared/domain/fraud-rules.ts';
import { toStoredEvent } from '../../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../../shared/domain/thresholds.ts';
import type { CustomerHistory } from '../../../shared/ports/customer-history.ts';
import type { ErasureMarkers } from '../../../shared/ports/erasure.ts';
import { accountBalance, cardTransaction } from '../../fixtures/bank-events.ts';
import { type ActivityLedger, activityLedgerContract } from './activity-ledger.ts';
import { type CustomerProfiles, customerProfilesContract } from './customer-profiles.ts';

export type { ActivityLedger, CustomerProfiles };

const NOW = new Date('2036-03-01T12:00:00.000Z');
const SETTINGS: ProfileSettings = { currency: 'EUR', ...historySettings(BUILT_IN_THRESHOLDS) };

function sightingOf(entry: ActivityEntry): Sighting {
  return {
    at: entry.at,
    amount: entry.amount,
    currency: entry.currency,
    country: 'FR',
    mcc: '5411',
    authorized: entry.authorized,
    probe: false,
  };
}

/** The history seen as a ledger only: each entry recorded with a sighting of its own. */
export function ledgerOf(history: CustomerHistory): ActivityLedger {
  return {
    record: async (bankId, customerId, entry, now) =>
      (await history.record(bankId, customerId, entry, sightingOf(entry), SETTINGS, now)).entries,
  };
}

/** The history seen as profiles only: each sighting recorded as the entry of an event of its own. */
export function profilesOf(history: CustomerHistory): CustomerProfiles {
  return {
    record: async (bankId, customerId, sighting, settings, now) => {
      const eventId = `evt_${sighting.at}_${sighting.amount}_${sighting.country}_${sighting.mcc}`;
      const entry = {
        eventId,
        at: sighting.at,
        amount: sighting.amount,
        currency: sighting.currency,
        authorized: sighting.authorized,
      };
      return (await history.record(bankId, customerId, entry, sighting, settings, now)).profile;
    },
  };
}

/** What every CustomerHistory does: run against the in-memory history and DynamoDB. */
export function customerHistoryContract(
  name: string,
  make: () => CustomerHistory | Promise<CustomerHistory>,
) {
  activityLedgerContract(name, async () => ledgerOf(await make()));
  customerProfilesContract(name, async () => profilesOf(await make()));

  describe(`${name} (CustomerHistory contract)`, () => {
    it('records ledger and profile together: each of concurrent records sees exactly the ones before it', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const entries = Array.from({ length: 8 }, (_, i) => ({
        eventId: `e${i}`,
        at: NOW.getTime() - i * 1000,
        amount: 100 + i,
        currency: 'EUR',
        authorized: true,
      }));
      const results = await Promise.all(
        entries.map((entry) => history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW)),
      );
      // Counts 1..8, each once: no two records saw the same state, none was lost.
      expect(results.map((result) => result.entries.length).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8,
      ]);
      // The ledger and the profile of one result come from the same write.
      for (const result of results) expect(result.profile.amounts).toHaveLength(result.entries.length);
    });

    it('records a redelivered event once in both, and returns the same history', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const entry = { eventId: 'e1', at: NOW.getTime(), amount: 700, currency: 'EUR', authorized: true };
      const first = await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW);
      const again = await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW);
      expect(again.entries).toEqual([entry]);
      expect(again.profile).toEqual(first.profile);
      expect(again.profile.amounts).toEqual([[NOW.getTime(), 700]]);
    });

    it('keeps the decision made on the written history with the entry, and gives it back to a redelivery', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const entry = { eventId: 'e1', at: NOW.getTime(), amount: 64_900, currency: 'EUR', authorized: true };
      const decision: Decision = {
        score: 100,
        alert: true,
        reasons: [
          { rule: 'singleTransaction', observed: 64_900, limit: 50_000, currency: 'EUR' },
          { rule: 'foreignCountry', observed: 'US', limit: ['FR', 'BE'] },
          { rule: 'customerAlertAmount', observed: 64_900, limit: 2000, currency: 'EUR' },
        ],
      };
      const seen: number[] = [];
      const first = await history.record(
        'acme',
        customer,
        entry,
        sightingOf(entry),
        SETTINGS,
        NOW,
        (update) => {
          seen.push(update.entries.length);
          return decision;
        },
      );
      expect(first).toMatchObject({ decision, recordedBefore: false });
      expect(seen).toEqual([1]);
      // A redelivery gets the kept decision back, and is not decided again.
      const other = async (): Promise<Decision> => {
        throw new Error('decided again');
      };
      const again = await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW, other);
      expect(again).toMatchObject({ decision, recordedBefore: true, entries: [entry] });
      // Later records of the customer leave it as it was.
      const next = { ...entry, eventId: 'e2', at: NOW.getTime() + 1000, amount: 100 };
      const quiet: Decision = { score: 0, alert: false, reasons: [] };
      const later = await history.record(
        'acme',
        customer,
        next,
        sightingOf(next),
        SETTINGS,
        NOW,
        () => quiet,
      );
      expect(later).toMatchObject({ decision: quiet, recordedBefore: false });
      expect(
        (await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW, other)).decision,
      ).toEqual(decision);
      expect(
        (await history.record('acme', customer, next, sightingOf(next), SETTINGS, NOW, other)).decision,
      ).toEqual(quiet);
    });

    it('decides each of concurrent records on the history its own write leaves', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const entries = Array.from({ length: 6 }, (_, i) => ({
        eventId: `e${i}`,
        at: NOW.getTime() - i * 1000,
        amount: 100 + i,
        currency: 'EUR',
        authorized: true,
      }));
      const decideOnCount = async ({ entries: seen }: { entries: readonly unknown[] }): Promise<Decision> => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { score: seen.length, alert: false, reasons: [] };
      };
      const results = await Promise.all(
        entries.map((entry) =>
          history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW, decideOnCount),
        ),
      );
      for (const result of results) expect(result.decision?.score).toBe(result.entries.length);
      const kept = await Promise.all(
        entries.map(
          async (entry) =>
            (await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW)).decision?.score,
        ),
      );
      expect(kept).toEqual(results.map((result) => result.decision?.score));
      expect([...kept].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('finds an event’s entry with its kept decision, and no entry for an event it did not record', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const occurredAt = new Date(NOW.getTime() - 60_000).toISOString();
      const stored = (eventId: string, changes: { customerId?: string; occurredAt?: string } = {}) =>
        toStoredEvent(
          'acme',
          eventId,
          cardTransaction({
            customerId: customer,
            occurredAt,
            transaction: { id: `t-${eventId}` },
            ...changes,
          }),
          NOW,
        );
      const recordOf = (eventId: string) => ({
        eventId,
        at: Date.parse(occurredAt),
        amount: 700,
        currency: 'EUR',
        authorized: true,
      });
      const decision: Decision = {
        score: 80,
        alert: true,
        reasons: [{ rule: 'singleTransaction', observed: 64_900, limit: 50_000, currency: 'EUR' }],
      };
      const e1 = recordOf('e1');
      await history.record('acme', customer, e1, sightingOf(e1), SETTINGS, NOW, () => decision);
      // Without a decision, as entries were recorded before decisions were kept.
      const e2 = recordOf('e2');
      await history.record('acme', customer, e2, sightingOf(e2), SETTINGS, NOW);
      expect(await history.entryOf(stored('e1'))).toEqual({ decision });
      expect(await history.entryOf(stored('e2'))).toEqual({});
      // Not recorded; another customer's; another date (the entry is the transaction's, at its time).
      expect(await history.entryOf(stored('e3'))).toBeUndefined();
      expect(await history.entryOf(stored('e1', { customerId: `${customer}-other` }))).toBeUndefined();
      expect(await history.entryOf(stored('e1', { occurredAt: NOW.toISOString() }))).toBeUndefined();
      const balance = toStoredEvent('acme', 'e1', accountBalance({ customerId: customer }), NOW);
      expect(await history.entryOf(balance)).toBeUndefined();
    });

    it('keeps no decision for an entry dated outside the 48 hours, and does not decide', async () => {
      const history = await make();
      const customer = `c-${randomUUID()}`;
      const entry = {
        eventId: 'e1',
        at: NOW.getTime() - 49 * 60 * 60_000,
        amount: 700,
        currency: 'EUR',
        authorized: true,
      };
      let decided = 0;
      const decide = (): Decision => {
        decided++;
        return { score: 1, alert: false, reasons: [] };
      };
      const result = await history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW, decide);
      expect(result.decision).toBeUndefined();
      expect(result.recordedBefore).toBe(false);
      expect(decided).toBe(0);
      const stored = toStoredEvent(
        'acme',
        'e1',
        cardTransaction({
          customerId: customer,
          occurredAt: new Date(entry.at).toISOString(),
          transaction: { id: 't1' },
        }),
        NOW,
      );
      expect(await history.entryOf(stored)).toBeUndefined();
    });
  });
}

/** A customer history and the erasure markers over the same store. */
export interface HistoryWithMarkers {
  readonly history: CustomerHistory;
  readonly markers: ErasureMarkers;
}

/**
 * The erasure as a condition of the history's write (docs/decisions/0015-history-keyed-by-erasure-ref.md):
 * run against the in-memory history with its markers and DynamoDB.
 */
export function customerHistoryErasureContract(
  name: string,
  make: () => HistoryWithMarkers | Promise<HistoryWithMarkers>,
) {
  describe(`${name} (CustomerHistory contract: erasure)`, () => {
    const erasedAt = new Date(NOW.getTime() - 60_000);
    const receivedAt = (offsetMs: number) => ({
      receivedAt: new Date(erasedAt.getTime() + offsetMs).toISOString(),
    });
    const entryOf = (eventId: string, amount: number) => ({
      eventId,
      at: NOW.getTime() - 120_000,
      amount,
      currency: 'EUR',
      authorized: true,
    });
    const decision: Decision = { score: 7, alert: false, reasons: [] };
    /** Records an entry of the erasure ref's customer, as scoring does with the event's ref and receipt time. */
    const recordOf = (
      history: CustomerHistory,
      customer: string,
      entry: ReturnType<typeof entryOf>,
      erasable: { readonly erasureRef: string; readonly receivedAt: string },
      decide?: Parameters<CustomerHistory['record']>[6],
    ): ReturnType<CustomerHistory['record']> =>
      history.record('acme', customer, entry, sightingOf(entry), SETTINGS, NOW, decide, erasable);

    it('loses to an erasure it reads: the erasure replaced ledger, profile and decisions, and stays under a history begun after it', async () => {
      const { history, markers } = await make();
      const customer = `c-${randomUUID()}`;
      const erasureRef = `er_${randomUUID()}`;
      const first = entryOf('e1', 100);
      const before = { erasureRef, ...receivedAt(-2000) };
      const kept = await recordOf(history, customer, first, before, () => decision);
      expect(kept).toMatchObject({ entries: [first], decision });
      expect(kept.erased).toBeUndefined();
      await markers.mark(erasureRef, erasedAt);

      let decided = 0;
      const decide = (): Decision => {
        decided++;
        return decision;
      };
      // Received before the erasure: nothing is written, nothing decided, a redelivery included.
      const late = entryOf('e2', 200);
      const lost = await recordOf(history, customer, late, { erasureRef, ...receivedAt(-1000) }, decide);
      expect(lost).toMatchObject({ erased: true, entries: [], recordedBefore: false });
      expect(lost.profile.amounts).toEqual([]);
      expect(lost.decision).toBeUndefined();
      expect((await recordOf(history, customer, first, before, decide)).erased).toBe(true);
      expect(decided).toBe(0);

      // Received after it (the customer subscribed again): a new history, without the erased one.
      const again = entryOf('e3', 300);
      const fresh = await recordOf(history, customer, again, { erasureRef, ...receivedAt(1000) }, decide);
      expect(fresh.erased).toBeUndefined();
      expect(fresh.entries).toEqual([again]);
      expect(fresh.profile.amounts.map(([, amount]) => amount)).toEqual([300]);
      expect(decided).toBe(1);
      // The new history keeps the erasure: an event received before it still loses.
      expect(await markers.erasedAt(erasureRef)).toBe(erasedAt.toISOString());
      expect((await recordOf(history, customer, late, { erasureRef, ...receivedAt(0) }, decide)).erased).toBe(
        true,
      );
    });

    it('writes nothing when the erasure lands between its read and its write', async () => {
      const { history, markers } = await make();
      const customer = `c-${randomUUID()}`;
      const erasureRef = `er_${randomUUID()}`;
      const entry = entryOf('e1', 100);
      const result = await recordOf(
        history,
        customer,
        entry,
        { erasureRef, ...receivedAt(-1000) },
        async () => {
          await markers.mark(erasureRef, erasedAt);
          return decision;
        },
      );
      expect(result).toMatchObject({ erased: true, entries: [] });
      const after = entryOf('e2', 200);
      const next = await recordOf(history, customer, after, { erasureRef, ...receivedAt(1000) });
      expect(next.entries).toEqual([after]);
    });

    it('records for an erasure ref that was never erased, and keeps refs apart', async () => {
      const { history, markers } = await make();
      const customer = `c-${randomUUID()}`;
      const erasureRef = `er_${randomUUID()}`;
      await markers.mark(`${erasureRef}x`, erasedAt);
      const entry = entryOf('e1', 100);
      const result = await recordOf(history, customer, entry, { erasureRef, ...receivedAt(-1000) });
      expect(result.erased).toBeUndefined();
      expect(result.entries).toEqual([entry]);
    });
  });
}
