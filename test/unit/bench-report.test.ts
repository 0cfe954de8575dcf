import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costOf } from '../../bench/cost.ts';
import { PRICES } from '../../bench/prices.ts';
import {
  type BenchResult,
  COST_END,
  COST_START,
  FIGURES_END,
  FIGURES_START,
  generatedBlock,
  renderCost,
  renderFigures,
  withGeneratedBlocks,
} from '../../bench/report.ts';

// The bench's computations on fixed inputs (never its timings), and docs/capacity-and-cost.md
// against the run it was generated from.

const root = join(import.meta.dirname, '..', '..');
const recorded = JSON.parse(readFileSync(join(root, 'bench', 'recorded-run.json'), 'utf8')) as BenchResult;
const document = readFileSync(join(root, 'docs', 'capacity-and-cost.md'), 'utf8');

describe('cost per million transactions', () => {
  const cost = costOf({
    capacity: { normal: { rcu: 2, wcu: 2 }, alerting: { rcu: 4, wcu: 10 } },
    ingestMs: 20,
  });

  it('prices a normal transaction from its measured units, without the edge', () => {
    // 1 ingest + 1/25 scoring invocations; 2 × 20 ms at 0.25 GB; 2 WRU; 2 RRU.
    expect(cost.normal.map((line) => line.usd)).toEqual([0.21, 0.13, 1.25, 0.25]);
    expect(cost.perMillionNormalUsd).toBe(1.84);
    expect(cost.edgePerMillionUsd).toBe(4.1);
    expect(cost.perMillionNormalWithEdgeUsd).toBe(5.94);
  });

  it('prices an alerting transaction with its stream invocations', () => {
    // + 2 alert records / 10 (notify-customer) and / 25 (notify-bank, which sends the callback
    // itself: no callbacks stream); 1 + 4 stream records' time at 20 ms.
    expect(cost.alerting.map((line) => line.usd)).toEqual([0.26, 0.4, 6.25, 0.5]);
    expect(cost.perMillionWithAlertsUsd).toBe(7.41);
  });

  it('follows the price table', () => {
    const doubled = costOf(
      { capacity: { normal: { rcu: 0, wcu: 2 }, alerting: { rcu: 0, wcu: 2 } }, ingestMs: 0 },
      { ...PRICES, dynamoDb: { ...PRICES.dynamoDb, writeRequestUnitUsd: 1.25 / 1e6 } },
    );
    expect(doubled.normal[2]?.usd).toBe(2.5);
    expect(PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICES.sources.every((source) => source.startsWith('https://aws.amazon.com/'))).toBe(true);
  });
});

describe('docs/capacity-and-cost.md', () => {
  it('shows the tables generated from the recorded run', () => {
    expect(generatedBlock(document, FIGURES_START, FIGURES_END)).toBe(renderFigures(recorded));
    expect(generatedBlock(document, COST_START, COST_END)).toBe(renderCost(recorded.cost));
    expect(withGeneratedBlocks(document, recorded)).toBe(document);
  });

  it("recorded the cost the price table gives for the run's counts", () => {
    expect(costOf({ capacity: recorded.capacity, ingestMs: recorded.ingest.handlerMs.p50 })).toEqual(
      recorded.cost,
    );
  });

  it('marks a missed target as such', () => {
    const missed: BenchResult = {
      ...recorded,
      capacity: { ...recorded.capacity, normal: { rcu: 2.5, wcu: 4 } },
      load: { ...recorded.load, lost: 1 },
    };
    const rows = renderFigures(missed).split('\n');
    expect(rows.find((row) => row.includes('per normal transaction (ingest'))).toMatch(/\| \*\*no\*\* \|$/);
    expect(rows.find((row) => row.startsWith('| local mode'))).toMatch(/\| \*\*no\*\* \|$/);
    const fixed = renderFigures({
      ...missed,
      capacity: { ...recorded.capacity, normal: { rcu: 2, wcu: 3 } },
    });
    expect(fixed.split('\n').find((row) => row.includes('per normal transaction (ingest'))).toMatch(
      /\| yes \|$/,
    );
  });
});
