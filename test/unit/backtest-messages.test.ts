import { describe, expect, it } from 'vitest';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { type HistoryEvent, type Label, measure, ReplayClock, replay } from '../../shared/domain/backtest.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';

// The backtest counts messages as production sends them (docs/scoring.md, "Fraud checks"): one
// question per fraud check, then at most one follow-up per 10 minutes while it is open.

const T0 = Date.parse('2026-11-01T10:00:00Z');
const MINUTE = 60_000;

/** A card-testing burst: one €1 online payment a minute for 15 minutes. */
const burst: HistoryEvent[] = Array.from({ length: 15 }, (_, i) => ({
  eventId: `evt_${i}`,
  event: {
    ...cardTransaction({
      customerId: 'cus_t',
      transaction: { id: `txn_${i}`, amount: 100, channel: 'card_not_present' },
    }),
    occurredAt: new Date(T0 + i * MINUTE).toISOString(),
  },
}));
const labels = new Map<string, Label>(
  burst.map((_, i) => [`txn_${i}`, { fraud: true, scenario: 'cardTesting' }]),
);

async function run(disputes?: ReadonlySet<string>) {
  const clock = new ReplayClock();
  const result = await replay(burst, inMemoryScoringPorts(new InMemoryThresholdStore(), clock), {
    bankId: 'bank',
    clock,
    ...(disputes && { disputes, answerDelayMs: 10 * MINUTE }),
  });
  return { result, report: measure(burst.length, result, labels) };
}

describe('backtest messages', () => {
  it('groups an unanswered burst into one check: the question and one follow-up per 10 minutes', async () => {
    const { result, report } = await run();
    // Alerts from the third probe on, all in the check opened at minute 2 (open 60 minutes).
    expect(result.decisions.filter((d) => d.alert)).toHaveLength(13);
    expect(result.checks).toHaveLength(1);
    // The question (minute 2), a follow-up at minute 3, the next one 10 minutes later (minute 13).
    expect(result.checks[0]?.messages).toBe(3);
    expect(report.overall).toMatchObject({ checks: 1, messages: 3, incidents: 1, maxMessagesPerIncident: 3 });
  });

  it('with the customer answering "No" after 10 minutes: at most 2 messages per incident, and the answer reports', async () => {
    const { result, report } = await run(new Set(labels.keys()));
    // Answered at minute 12: the probes after it open a second check.
    expect(result.checks.map((check) => check.messages)).toEqual([2, 2]);
    expect(report.overall).toMatchObject({ incidents: 2, messagesPerIncident: 2, maxMessagesPerIncident: 2 });
    expect(report.perScenario?.cardTesting).toMatchObject({ incidents: 2, maxMessagesPerIncident: 2 });
    // Every payment of the answered check was reported (its merchant marked), once.
    expect(result.feedback.disputes).toBe(result.checks[0]?.transactionIds.length);
  });
});
