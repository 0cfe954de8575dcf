import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActivityEntry, DAY_MS, summarizeActivity } from '../../shared/domain/activity.ts';
import { bruteForceSummary, SEQUENCE_START, transactionSequences } from '../fixtures/activity-sequences.ts';

const start = SEQUENCE_START;

describe('activity summary', () => {
  it('counts the velocity window and sums the rolling day, both ending at the transaction', () => {
    const entry = (minutesBefore: number, amount: number, authorized = true): ActivityEntry => ({
      eventId: `e${minutesBefore}`,
      at: start + DAY_MS - minutesBefore * 60_000,
      amount,
      currency: 'EUR',
      authorized,
    });
    const entries = [
      entry(0, 100),
      entry(9, 200),
      entry(10, 400),
      entry(60, 800, false),
      entry(1440, 1600),
      entry(-5, 3200),
    ];
    expect(summarizeActivity(entries, start + DAY_MS, 10 * 60_000, 'EUR')).toEqual({
      velocityCount: 2,
      dailySpend: 100 + 200 + 400,
    });
  });

  it('equals a brute-force computation over random sequences', () => {
    fc.assert(
      fc.property(transactionSequences(), fc.integer({ min: 1, max: 1440 }), (sequence, windowMinutes) => {
        const processed: ActivityEntry[] = [];
        sequence.forEach((transaction, index) => {
          processed.push({ ...transaction, eventId: `evt_${index}` });
          const current = processed[index] as ActivityEntry;
          expect(summarizeActivity(processed, current.at, windowMinutes * 60_000, 'EUR')).toEqual(
            bruteForceSummary(processed, windowMinutes * 60_000),
          );
        });
      }),
      { numRuns: 1000 },
    );
  });
});
