// npm run bench: Vigil's scoring engine against json-rules-engine running the same seven rules on
// the same 100,000 transactions, side by side in one run (the machine is shared and noisy, so
// only the ratio means much). Both engines must agree on every score before anything is timed.

import { Engine } from 'json-rules-engine';
import type { ActivitySummary } from '../shared/domain/activity.ts';
import { compileRules, scoreTransaction, type TransactionFacts } from '../shared/domain/fraud-rules.ts';
import { BUILT_IN_THRESHOLDS, type Thresholds } from '../shared/domain/thresholds.ts';

const COUNT = Number(process.env.BENCH_TRANSACTIONS ?? 100_000);
const ROUNDS = 5;

const thresholds: Thresholds = { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR', 'BE'] };
const rules = compileRules(thresholds);

interface Sample {
  readonly tx: TransactionFacts;
  readonly activity: ActivitySummary;
}

/** A deterministic pseudo-random stream (mulberry32), so that every run scores the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(count: number): Sample[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, () => {
    const risky = next() < 0.15;
    return {
      tx: {
        amount: Math.floor((risky ? 80_000 : 12_000) * next()),
        currency: next() < 0.95 ? 'EUR' : 'USD',
        country: risky ? pick(['US', 'GB', 'FR', 'NG']) : pick(['FR', 'FR', 'BE']),
        mcc: risky ? pick(['7995', '6051', '5411', '5732']) : pick(['5411', '5812', '5541']),
        channel: risky
          ? pick(['card_not_present', 'card_present'])
          : pick(['card_present', 'card_present', 'atm']),
        status: next() < 0.03 ? 'declined' : 'authorized',
      },
      activity: {
        velocityCount: 1 + Math.floor(next() * (risky ? 9 : 3)),
        dailySpend: Math.floor(next() * (risky ? 250_000 : 60_000)),
      },
    };
  });
}

/** The same rules for json-rules-engine: each fires an event carrying its weight. */
function jsonRulesEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  const { weights } = thresholds;
  const rule = (name: keyof typeof weights, conditions: object[]) =>
    engine.addRule({
      conditions: { all: conditions },
      event: { type: name, params: { weight: weights[name] } },
    } as never);
  const sameCurrency = { fact: 'currency', operator: 'equal', value: thresholds.currency };
  rule('singleTransaction', [
    sameCurrency,
    { fact: 'amount', operator: 'greaterThanInclusive', value: thresholds.singleTransactionAmount },
  ]);
  rule('dailySpend', [
    { fact: 'dailySpend', operator: 'greaterThanInclusive', value: thresholds.dailySpendAmount },
  ]);
  rule('velocity', [
    { fact: 'velocityCount', operator: 'greaterThanInclusive', value: thresholds.velocity.count },
  ]);
  rule('foreignCountry', [{ fact: 'country', operator: 'notIn', value: thresholds.homeCountries }]);
  rule('riskyMerchant', [{ fact: 'mcc', operator: 'in', value: thresholds.riskyMerchantCategories }]);
  rule('cardNotPresent', [
    sameCurrency,
    { fact: 'channel', operator: 'equal', value: 'card_not_present' },
    { fact: 'amount', operator: 'greaterThanInclusive', value: thresholds.cardNotPresentAmount },
  ]);
  rule('declined', [{ fact: 'status', operator: 'equal', value: 'declined' }]);
  return engine;
}

async function scoreWithEngine(engine: Engine, sample: Sample): Promise<number> {
  const { events } = await engine.run({ ...sample.tx, ...sample.activity });
  let score = 0;
  for (const event of events) score += (event.params as { weight: number }).weight;
  return score;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Scores the same generated transactions with both engines: Vigil's median rate and latency. */
export async function benchScoring() {
  const samples = generate(COUNT);
  const engine = jsonRulesEngine();

  // Same answers first: a fast engine that scores differently proves nothing.
  let alerts = 0;
  for (const sample of samples.slice(0, 20_000)) {
    const ours = scoreTransaction(sample.tx, sample.activity, rules);
    const theirs = await scoreWithEngine(engine, sample);
    if (ours.score !== theirs)
      throw new Error(`Scores differ: ${ours.score} vs ${theirs} for ${JSON.stringify(sample)}`);
    if (ours.alert) alerts++;
  }

  // Vigil: throughput over whole rounds, then per-call latency (timer cost included).
  let sink = 0;
  const vigilRates: number[] = [];
  for (let round = -2; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (const sample of samples) sink += scoreTransaction(sample.tx, sample.activity, rules).reasons.length;
    // Rounds before 0 warm the JIT up and are not counted.
    if (round >= 0) vigilRates.push(COUNT / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  const latencies = new Float64Array(COUNT);
  for (let i = 0; i < COUNT; i++) {
    const sample = samples[i] as Sample;
    const start = process.hrtime.bigint();
    sink += scoreTransaction(sample.tx, sample.activity, rules).score;
    latencies[i] = Number(process.hrtime.bigint() - start);
  }
  latencies.sort();
  let timerCost = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 1000; i++) {
    const start = process.hrtime.bigint();
    timerCost = Math.min(timerCost, Number(process.hrtime.bigint() - start));
  }

  // json-rules-engine: one round over the same data.
  const engineStart = process.hrtime.bigint();
  for (const sample of samples) sink += await scoreWithEngine(engine, sample);
  const engineRate = COUNT / (Number(process.hrtime.bigint() - engineStart) / 1e9);

  const vigilRate = vigilRates.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
  return {
    transactions: COUNT,
    alertShare: alerts / 20_000,
    vigilPerSecond: Math.round(vigilRate),
    vigilBestPerSecond: Math.round(Math.max(...vigilRates)),
    jsonRulesEnginePerSecond: Math.round(engineRate),
    ratio: Math.round(vigilRate / engineRate),
    latencyNs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), timerAlone: timerCost },
    checksum: sink % 1000,
  };
}
