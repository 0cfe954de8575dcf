import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { inMemoryScoringPorts } from '../shared/adapters/in-memory-scoring-ports.ts';
import { InMemoryThresholdStore } from '../shared/adapters/in-memory-threshold-store.ts';
import { DAY_MS } from '../shared/domain/activity.ts';
import {
  type BacktestDecision,
  type BacktestReport,
  type HistoryEvent,
  type Label,
  type Measures,
  measure,
  ReplayClock,
  replay,
} from '../shared/domain/backtest.ts';
import { bankEventSchema, eventIdPattern, opaqueIdPattern } from '../shared/domain/bank-event.ts';
import {
  BUILT_IN_THRESHOLDS,
  mergeThresholds,
  thresholdOverrideSchema,
  thresholdsSchema,
} from '../shared/domain/thresholds.ts';
import { CliError } from './cli-error.ts';
import type { Options } from './commands.ts';

// `vigil backtest`: replays a bank's history offline through the production scoring code, with
// in-memory stores, and reports what it would have alerted on (docs/scoring.md).

export const BACKTEST_BANK = 'backtest';
/** A customer who answers "No" does so soon after the alert. */
const ANSWER_DELAY_MS = 10 * 60_000;

export interface BacktestRun {
  readonly report: BacktestReport;
  /** The replay's wall-clock time, and the CPU time it used (what a shared machine's load does not stretch). */
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** Runs `vigil backtest` with its parsed options. */
export async function runBacktest(options: Options): Promise<BacktestRun> {
  const file = required(options, 'events');
  const history = parseHistory(await readText(file), file);
  const thresholds = new InMemoryThresholdStore();
  if (typeof options.thresholds === 'string')
    await thresholds.putBankDefault(BACKTEST_BANK, await readThresholds(options.thresholds));
  if (typeof options['customer-thresholds'] === 'string')
    await readCustomerThresholds(options['customer-thresholds'], thresholds);
  const labels =
    typeof options.labels === 'string'
      ? parseLabels(await readText(options.labels), options.labels)
      : undefined;
  const fraudReports =
    typeof options['fraud-reports'] === 'string'
      ? parseReports(await readText(options['fraud-reports']), options['fraud-reports'])
      : undefined;
  const delayDays = Number(options['report-delay-days'] ?? '7');
  if (!Number.isFinite(delayDays) || delayDays < 0 || delayDays > 365)
    throw new CliError('--report-delay-days must be a number of days from 0 to 365.', 2);
  // "No" answers: with labels, a customer alerted on a fraudulent payment disputes it.
  const disputes =
    labels && new Set([...labels].filter(([, label]) => label.fraud).map(([transactionId]) => transactionId));

  const decisionsFile = typeof options.decisions === 'string' ? options.decisions : undefined;
  const out = decisionsFile === undefined ? undefined : createWriteStream(decisionsFile);
  let buffered: string[] = [];
  const onDecision = out
    ? (decision: BacktestDecision) => {
        buffered.push(JSON.stringify(decision));
        if (buffered.length >= 1000) {
          out.write(`${buffered.join('\n')}\n`);
          buffered = [];
        }
      }
    : undefined;

  const clock = new ReplayClock();
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const result = await replay(history, inMemoryScoringPorts(thresholds, clock), {
    bankId: BACKTEST_BANK,
    clock,
    ...(fraudReports && { fraudReports, reportDelayMs: delayDays * DAY_MS }),
    ...(disputes && { disputes, answerDelayMs: ANSWER_DELAY_MS }),
    ...(onDecision && { onDecision }),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (out) {
    if (buffered.length > 0) out.write(`${buffered.join('\n')}\n`);
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  return { report: measure(history.length, result, labels), seconds, cpuSeconds };
}

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string') throw new CliError(`--${name} is required.`, 2);
  return value;
}

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => {
    throw new CliError(`Cannot read ${file}.`, 2);
  });
}

/** One bank event per line, or `{"webhookId", "event"}`; replayed in time order (stable). */
export function parseHistory(text: string, file: string): HistoryEvent[] {
  const events: (HistoryEvent & { at: number })[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.trim() === '') continue;
    // Named only for an error: built for every line, the name costs a replay's worth of strings.
    const where = () => `${file} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliError(`${where()} is not JSON.`, 2);
    }
    let eventId: string | undefined;
    if (value !== null && typeof value === 'object' && 'event' in value) {
      const { webhookId } = value as { webhookId?: unknown };
      if (typeof webhookId !== 'string' || !eventIdPattern.test(webhookId))
        throw new CliError(
          `${where()}: webhookId must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-".`,
          2,
        );
      eventId = webhookId;
      value = (value as { event: unknown }).event;
    }
    const parsed = bankEventSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(
        `${where()}: ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`,
        2,
      );
    }
    events.push({
      eventId: eventId ?? `line-${index + 1}`,
      event: parsed.data,
      at: Date.parse(parsed.data.occurredAt),
    });
  }
  if (events.length === 0) throw new CliError(`${file} holds no event.`, 2);
  events.sort((a, b) => a.at - b.at);
  return events;
}

async function readThresholds(file: string) {
  const override = parseJsonWith(await readText(file), file, thresholdOverrideSchema);
  return thresholdsSchema.parse(mergeThresholds(BUILT_IN_THRESHOLDS, override));
}

/** `DIR/<customerId>.json`: each customer's override. */
async function readCustomerThresholds(directory: string, store: InMemoryThresholdStore): Promise<void> {
  const names = await readdir(directory).catch(() => {
    throw new CliError(`Cannot read the directory ${directory}.`, 2);
  });
  for (const name of names.filter((candidate) => candidate.endsWith('.json'))) {
    const customerId = basename(name, '.json');
    if (!opaqueIdPattern.test(customerId))
      throw new CliError(`${join(directory, name)}: the file name is not <customerId>.json.`, 2);
    const file = join(directory, name);
    await store.putCustomerOverride(
      BACKTEST_BANK,
      customerId,
      parseJsonWith(await readText(file), file, thresholdOverrideSchema),
    );
  }
}

function parseJsonWith<T>(
  text: string,
  file: string,
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON.`, 2);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${file}: ${issue?.path.join('.') || 'thresholds'}: ${issue?.message ?? 'invalid'}`,
      2,
    );
  }
  return parsed.data;
}

function parseCsv(text: string, file: string, columns: readonly string[]): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new CliError(`${file} is not CSV: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
  const header = rows[0] === undefined ? [] : Object.keys(rows[0]);
  for (const column of columns)
    if (rows.length > 0 && !header.includes(column))
      throw new CliError(`${file} has no ${column} column.`, 2);
  return rows;
}

const truthy = (value: string | undefined) => value === '1' || value?.toLowerCase() === 'true';

/** `transactionId,fraud[,scenario]`: other columns ignored. */
export function parseLabels(text: string, file: string): Map<string, Label> {
  const labels = new Map<string, Label>();
  for (const row of parseCsv(text, file, ['transactionId', 'fraud'])) {
    const scenario = row.scenario;
    labels.set(row.transactionId ?? '', { fraud: truthy(row.fraud), ...(scenario && { scenario }) });
  }
  return labels;
}

/** `transactionId[,fraud]`: with a fraud column, only the rows with 1 are reports. */
export function parseReports(text: string, file: string): Set<string> {
  const rows = parseCsv(text, file, ['transactionId']);
  return new Set(
    rows.filter((row) => row.fraud === undefined || truthy(row.fraud)).map((row) => row.transactionId ?? ''),
  );
}

const percent = (value: number | undefined) => (value === undefined ? '' : `${(value * 100).toFixed(1)} %`);
const plain = (value: number | undefined) => (value === undefined ? '' : String(value));

/** The report as text, for a person. */
export function formatReport(run: BacktestRun): string {
  const { report, seconds, cpuSeconds } = run;
  const { overall } = report;
  const labelled = overall.fraudRecall !== undefined;
  const lines = [
    `${report.events} events replayed in ${seconds.toFixed(1)} s (${Math.round(report.events / seconds)} events/s; ${cpuSeconds.toFixed(1)} s of CPU, ${Math.round(report.events / cpuSeconds)} events per CPU second)`,
    `${overall.transactions} card transactions, ${overall.alerts} alerts (${overall.alertsPer1000} per 1,000) in ${overall.checks} fraud checks; ${overall.messages} messages with follow-ups and low-balance notices (${overall.messagesPer1000} per 1,000)`,
    `customers alerted: ${percent(overall.customersAlertedShare)}`,
  ];
  if (labelled) {
    lines.push(
      `fraudulent transactions: ${overall.fraudTransactions}, caught ${percent(overall.fraudRecall)}`,
      `compromised customers: ${overall.compromisedCustomers}, alerted ${percent(overall.compromisedCustomerRecall)}`,
      `alert precision: ${percent(overall.precision)}`,
      `fraudulent payments before the first alert (median): ${overall.medianFraudBeforeFirstAlert}`,
      `false alerts per 1,000 legitimate payments: ${overall.falseAlertsPer1000Legit}, legitimate customers bothered: ${percent(overall.legitCustomersBotheredShare)}`,
      `messages per incident (a fraud check holding fraud): ${overall.messagesPerIncident} on average, ${overall.maxMessagesPerIncident} at most, over ${overall.incidents} incidents`,
      `feedback applied: ${report.feedback.reports} fraud reports, ${report.feedback.disputes} payments reported by "No" answers`,
    );
  }
  const table = (
    title: string,
    rows: Record<string, Measures & { messagesPerIncident?: number; maxMessagesPerIncident?: number }>,
    incidents = false,
  ) => {
    lines.push('', title);
    const head = labelled
      ? [
          'alerts',
          'per 1,000',
          'precision',
          'fraud recall',
          'customer recall',
          'before 1st',
          'alerts/customer',
          ...(incidents ? ['msgs/incident', 'max'] : []),
        ]
      : ['alerts', 'per 1,000', 'customers'];
    lines.push(`${''.padEnd(22)}${head.map((cell) => cell.padStart(16)).join('')}`);
    for (const [name, m] of Object.entries(rows)) {
      const cells = labelled
        ? [
            plain(m.alerts),
            plain(m.alertsPer1000),
            percent(m.precision),
            percent(m.fraudRecall),
            percent(m.compromisedCustomerRecall),
            plain(m.medianFraudBeforeFirstAlert),
            plain(m.alertsPerAlertedCompromisedCustomer),
            ...(incidents ? [plain(m.messagesPerIncident), plain(m.maxMessagesPerIncident)] : []),
          ]
        : [plain(m.alerts), plain(m.alertsPer1000), percent(m.customersAlertedShare)];
      lines.push(`${name.padEnd(22)}${cells.map((cell) => cell.padStart(16)).join('')}`);
    }
  };
  table('per rule (alerts the rule took part in)', report.perRule);
  if (report.perScenario) table('per scenario', report.perScenario, true);
  return `${lines.join('\n')}\n`;
}
