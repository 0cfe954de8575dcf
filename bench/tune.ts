// npx tsx bench/tune.ts [seeds...]: replays simulated histories (bench/simulate.ts) in memory with
// the built-in thresholds and variants of them, and prints the measures the defaults are tuned on
// (docs/scoring.md). Each variant is a partial thresholds object over the built-in ones, with
// homeCountries ["FR"] as a French bank would set.

import { inMemoryScoringPorts } from '../shared/adapters/in-memory-scoring-ports.ts';
import { InMemoryThresholdStore } from '../shared/adapters/in-memory-threshold-store.ts';
import { DAY_MS } from '../shared/domain/activity.ts';
import { type BacktestReport, type Label, measure, ReplayClock, replay } from '../shared/domain/backtest.ts';
import {
  BUILT_IN_THRESHOLDS,
  mergeThresholds,
  type ThresholdOverride,
  thresholdsSchema,
} from '../shared/domain/thresholds.ts';
import { simulate } from './simulate.ts';

/** Vigil before the history rules: their weights at 0, riskyMerchant alone alerting, blind to habits. */
export const BEFORE: ThresholdOverride = {
  baseline: { habitualRiskyCategories: false },
  weights: {
    riskyMerchant: 50,
    unusualAmount: 0,
    largeAmount: 0,
    newCountry: 0,
    newMerchantCategory: 0,
    cardTesting: 0,
    compromisedMerchant: 0,
  },
};

const simulations = new Map<number, ReturnType<typeof simulate>>();

export async function backtestSimulation(seed: number, override: ThresholdOverride): Promise<BacktestReport> {
  // One simulation per seed, whatever the variants.
  let simulation = simulations.get(seed);
  if (simulation === undefined) {
    simulation = simulate({ seed });
    simulations.clear();
    simulations.set(seed, simulation);
  }
  const { events, labels } = simulation;
  const thresholds = new InMemoryThresholdStore();
  await thresholds.putBankDefault(
    'sim',
    thresholdsSchema.parse(mergeThresholds(BUILT_IN_THRESHOLDS, { homeCountries: ['FR'], ...override })),
  );
  const labelMap = new Map<string, Label>(
    labels.map((label) => [
      label.transactionId,
      { fraud: label.fraud, ...(label.scenario && { scenario: label.scenario }) },
    ]),
  );
  const frauds = new Set(labels.filter((label) => label.fraud).map((label) => label.transactionId));
  const clock = new ReplayClock();
  const result = await replay(
    events.map(({ webhookId, event }) => ({ eventId: webhookId, event })),
    inMemoryScoringPorts(thresholds, clock),
    {
      bankId: 'sim',
      clock,
      fraudReports: frauds,
      reportDelayMs: 7 * DAY_MS,
      disputes: frauds,
      answerDelayMs: 600_000,
    },
  );
  return measure(events.length, result, labelMap);
}

export function summary(report: BacktestReport) {
  const pct = (value: number | undefined) => Math.round((value ?? 0) * 1000) / 10;
  const scenarios = Object.fromEntries(
    Object.entries(report.perScenario ?? {}).map(([name, m]) => [name, pct(m.compromisedCustomerRecall)]),
  );
  return {
    customerRecall: pct(report.overall.compromisedCustomerRecall),
    ...scenarios,
    cardTestingAlertsPerCustomer: report.perScenario?.cardTesting?.alertsPerAlertedCompromisedCustomer,
    messagesPerIncident: report.overall.messagesPerIncident,
    maxMessagesPerIncident: report.overall.maxMessagesPerIncident,
    incidents: report.overall.incidents,
    fraudRecall: pct(report.overall.fraudRecall),
    precision: pct(report.overall.precision),
    beforeFirst: report.overall.medianFraudBeforeFirstAlert,
    falsePer1000: report.overall.falseAlertsPer1000Legit,
    bothered: pct(report.overall.legitCustomersBotheredShare),
  };
}

if (process.argv[1]?.endsWith('tune.ts')) {
  const seeds = process.argv.slice(2).map(Number);
  const variants: Record<string, ThresholdOverride> = {
    ...(process.env.TUNE_BEFORE !== '0' && { before: BEFORE }),
    defaults: {},
    ...(process.env.TUNE_VARIANTS
      ? (JSON.parse(process.env.TUNE_VARIANTS) as Record<string, ThresholdOverride>)
      : {}),
  };
  for (const seed of seeds.length > 0 ? seeds : [1, 2, 3]) {
    for (const [name, override] of Object.entries(variants)) {
      process.stdout.write(
        `seed ${seed} ${name.padEnd(10)} ${JSON.stringify(summary(await backtestSimulation(seed, override)))}\n`,
      );
    }
  }
}
