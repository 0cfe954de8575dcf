import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, writeSimulation } from '../../bench/simulate.ts';
import type { Target } from '../../cli/target.ts';
import { runCli } from '../../cli/vigil.ts';
import type { BacktestReport } from '../../shared/domain/backtest.ts';

let dir: string;
const simulation = simulate({ seed: 3, customers: 150, days: 20 });
const frauds = simulation.labels.filter((label) => label.fraud);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-backtest-'));
  writeSimulation(simulation, dir);
  writeFileSync(join(dir, 'fr.json'), '{"homeCountries":["FR"]}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A target whose every use fails: the backtest needs none. */
const noTarget = () =>
  new Proxy({} as Target, {
    get() {
      throw new Error('backtest needs no target');
    },
  });
const path = (name: string) => join(dir, name);

async function backtest(...args: string[]): Promise<BacktestReport & { seconds: number }> {
  const { code, stdout } = await runCli(
    ['backtest', '--events', path('history.jsonl'), ...args, '--json'],
    noTarget,
  );
  expect(code).toBe(0);
  const { status, body } = JSON.parse(stdout);
  expect(status).toBe(200);
  return body;
}

describe('vigil backtest', () => {
  it('reports the measures overall, per rule and per scenario, and writes one decision per transaction', async () => {
    const report = await backtest(
      '--thresholds',
      path('fr.json'),
      '--labels',
      path('labels.csv'),
      '--fraud-reports',
      path('labels.csv'),
      '--report-delay-days',
      '2',
      '--decisions',
      path('decisions.jsonl'),
    );
    expect(report.events).toBe(simulation.events.length);
    expect(report.overall.transactions).toBe(simulation.labels.length);
    expect(report.overall.fraudTransactions).toBe(frauds.length);
    expect(report.overall.compromisedCustomerRecall).toBeGreaterThan(0.3);
    expect(report.overall.precision).toBeGreaterThan(0.2);
    expect(Object.keys(report.perScenario ?? {}).sort()).toEqual([
      'cardTesting',
      'compromisedMerchant',
      'inflatedAmounts',
      'oneOffLarge',
      'takeoverAbroad',
    ]);
    expect(report.perRule.unusualAmount?.alerts).toBeGreaterThan(0);
    expect(report.feedback.reports).toBeGreaterThan(0);
    const lines = readFileSync(path('decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(simulation.labels.length);
    expect(Object.keys(lines[0]).sort()).toEqual([
      'alert',
      'customerId',
      'reasons',
      'score',
      'transactionId',
    ]);
    expect(lines.filter((line) => line.alert)).toHaveLength(report.overall.alerts);
  });

  it('prints a report a person can read without --json', async () => {
    const { code, stdout } = await runCli(
      ['backtest', '--events', path('history.jsonl'), '--labels', path('labels.csv')],
      noTarget,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/compromised customers: \d+, alerted [\d.]+ %/);
    expect(stdout).toContain('per scenario');
  });

  it('takes partial thresholds over the defaults, and customer overrides by file name', async () => {
    writeFileSync(path('quiet.json'), '{"alertScore": 10000}');
    expect((await backtest('--thresholds', path('quiet.json'))).overall.alerts).toBe(0);
    const loud = (await backtest()).overall;
    const customer = simulation.events.find((event) => event.event.type === 'card.transaction')?.event
      .customerId;
    mkdirSync(path('customers'), { recursive: true });
    writeFileSync(path(`customers/${customer}.json`), '{"alertScore": 1}');
    const louder = (await backtest('--customer-thresholds', path('customers'))).overall;
    expect(louder.alerts).toBeGreaterThan(loud.alerts);
  });

  it('feeds back only the rows marked 1 of a reports file with a fraud column', async () => {
    const reported = frauds.slice(0, 5).map((label) => label.transactionId);
    writeFileSync(
      path('reports.csv'),
      `caseId,transactionId,fraud\n${reported.map((id, i) => `c${i},${id},1`).join('\n')}\nc9,${simulation.labels[0]?.transactionId},0\n`,
    );
    const report = await backtest('--fraud-reports', path('reports.csv'), '--report-delay-days', '0');
    expect(report.feedback.reports).toBe(5);
    expect(report.feedback.disputes).toBe(0);
  });

  it.each([
    ['a line that is not JSON', '{"type":', /line 1 is not JSON/],
    ['an invalid event', '{"type":"card.transaction","customerId":"c"}', /line 1: occurredAt/],
    ['a bad webhook id', '{"webhookId":"a b","event":{}}', /line 1: webhookId/],
  ])('refuses %s with its line, exit code 2', async (_, line, message) => {
    writeFileSync(path('bad.jsonl'), `${line}\n`);
    await expect(runCli(['backtest', '--events', path('bad.jsonl')], noTarget)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
  });

  it('refuses bad options and files with exit code 2', async () => {
    writeFileSync(path('bad-thresholds.json'), '{"alertScore": -1}');
    for (const args of [
      [],
      ['--events', path('missing.jsonl')],
      ['--events', path('history.jsonl'), '--thresholds', path('bad-thresholds.json')],
      ['--events', path('history.jsonl'), '--report-delay-days', 'soon'],
      ['--events', path('history.jsonl'), '--labels', path('fr.json')],
    ])
      await expect(runCli(['backtest', ...args], noTarget), args.join(' ')).rejects.toMatchObject({
        exitCode: 2,
      });
  });
});
