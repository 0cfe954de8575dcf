import type { Clock } from '../ports/clock.ts';
import type { BankEvent } from './bank-event.ts';
import { type FraudFeedbackPorts, type FraudReport, recordConfirmedFraud } from './compromised-merchant.ts';
import type { Reason } from './fraud-rules.ts';
import { type ScoreBankEventPorts, scoreBankEvent } from './score-bank-event.ts';
import { toStoredEvent } from './stored-event.ts';
import { historyRuleNames, ruleNames } from './thresholds.ts';

// Replays a bank's history through the production scoring (scoreBankEvent and its ports) and
// measures what it would have alerted on (docs/scoring.md, "Backtesting").

export interface HistoryEvent {
  readonly eventId: string;
  readonly event: BankEvent;
}

/** One line of `--decisions`. */
export interface BacktestDecision {
  readonly transactionId: string;
  readonly customerId: string;
  readonly alert: boolean;
  readonly score: number;
  readonly reasons: readonly Reason[];
}

/** A clock the replay moves to each event's time. */
export class ReplayClock implements Clock {
  private current = new Date(0);
  now(): Date {
    return this.current;
  }
  set(at: Date): void {
    this.current = at;
  }
}

export interface ReplayOptions {
  readonly bankId: string;
  readonly clock: ReplayClock;
  /** Transactions the bank confirms as fraud, fed back `reportDelayMs` after they occurred. */
  readonly fraudReports?: ReadonlySet<string>;
  readonly reportDelayMs?: number;
  /** Transactions whose customer answers "No, it wasn't me" when alerted, `answerDelayMs` later. */
  readonly disputes?: ReadonlySet<string>;
  readonly answerDelayMs?: number;
  onDecision?(decision: BacktestDecision): void;
}

export interface ReplayResult {
  readonly decisions: BacktestDecision[];
  /** Low-balance notices created. */
  readonly notices: number;
  readonly feedback: { readonly reports: number; readonly disputes: number };
}

interface Pending {
  readonly due: number;
  readonly report: FraudReport;
  readonly kind: 'reports' | 'disputes';
}

/**
 * Scores each event in order with the clock at its time, one after another, as the scorer would
 * have seen them. Feedback (fraud reports, "No" answers) is applied once the replay passes its
 * due time, before the next event is scored.
 */
export async function replay(
  history: Iterable<HistoryEvent>,
  ports: ScoreBankEventPorts & FraudFeedbackPorts,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const decisions: BacktestDecision[] = [];
  const pending: Pending[] = [];
  const feedback = { reports: 0, disputes: 0 };
  let notices = 0;
  const applyDue = async (until: number) => {
    while (pending.length > 0 && (pending[0] as Pending).due <= until) {
      const item = pending.shift() as Pending;
      options.clock.set(new Date(item.due));
      await recordConfirmedFraud(options.bankId, [item.report], new Date(item.due), ports);
      feedback[item.kind]++;
    }
  };
  for (const { eventId, event } of history) {
    const at = Date.parse(event.occurredAt);
    await applyDue(at);
    const now = new Date(at);
    options.clock.set(now);
    const outcome = await scoreBankEvent(
      toStoredEvent(options.bankId, eventId, event, now, { bodyHash: '' }),
      ports,
    );
    if (outcome.type === 'account.balance') {
      if (outcome.alertCreated) notices++;
      continue;
    }
    if (outcome.type !== 'card.transaction' || event.type !== 'card.transaction') continue;
    const { transaction } = event;
    const decision: BacktestDecision = {
      transactionId: transaction.id,
      customerId: event.customerId,
      alert: outcome.decision.alert,
      score: outcome.decision.score,
      reasons: outcome.decision.reasons,
    };
    decisions.push(decision);
    options.onDecision?.(decision);
    const report = {
      transactionId: transaction.id,
      customerId: event.customerId,
      merchant: transaction.merchant,
    };
    if (options.fraudReports?.has(transaction.id))
      schedule(pending, { due: at + (options.reportDelayMs ?? 0), report, kind: 'reports' });
    if (decision.alert && options.disputes?.has(transaction.id))
      schedule(pending, { due: at + (options.answerDelayMs ?? 0), report, kind: 'disputes' });
  }
  return { decisions, notices, feedback };
}

/** Keeps the pending list sorted by due time (items almost always come in order). */
function schedule(pending: Pending[], item: Pending): void {
  let index = pending.length;
  while (index > 0 && (pending[index - 1] as Pending).due > item.due) index--;
  pending.splice(index, 0, item);
}

export interface Label {
  readonly fraud: boolean;
  readonly scenario?: string;
}

export interface Measures {
  readonly transactions: number;
  readonly alerts: number;
  readonly alertsPer1000: number;
  readonly customersAlertedShare: number;
  readonly fraudTransactions?: number;
  readonly fraudRecall?: number;
  readonly compromisedCustomers?: number;
  readonly compromisedCustomerRecall?: number;
  readonly precision?: number;
  readonly medianFraudBeforeFirstAlert?: number;
  readonly falseAlertsPer1000Legit?: number;
  readonly legitCustomersBotheredShare?: number;
  /** Alerts on an attacked customer's transactions, per attacked customer alerted. */
  readonly alertsPerAlertedCompromisedCustomer?: number;
}

export interface BacktestReport {
  readonly events: number;
  readonly overall: Measures & { readonly messages: number; readonly messagesPer1000: number };
  readonly perRule: Record<string, Measures>;
  readonly perScenario?: Record<string, Measures>;
  readonly feedback: ReplayResult['feedback'];
}

/**
 * The report of a replay: overall, per rule (the alerts that rule took part in), and per fraud
 * scenario when the labels name one. Without labels, only the volumes.
 */
export function measure(
  events: number,
  result: ReplayResult,
  labels: ReadonlyMap<string, Label> | undefined,
): BacktestReport {
  const { decisions } = result;
  const context = contextOf(decisions, labels);
  const alerts = decisions.filter((d) => d.alert).length;
  const messages = alerts + result.notices;
  const perRule: Record<string, Measures> = {};
  for (const rule of [...ruleNames, ...historyRuleNames]) {
    const subset = (d: BacktestDecision) => d.alert && d.reasons.some((reason) => reason.rule === rule);
    perRule[rule] = measures(context, subset);
  }
  let perScenario: Record<string, Measures> | undefined;
  if (labels !== undefined) {
    const scenarios = new Set<string>();
    for (const label of labels.values()) if (label.fraud && label.scenario) scenarios.add(label.scenario);
    if (scenarios.size > 0) {
      perScenario = {};
      for (const scenario of [...scenarios].sort())
        perScenario[scenario] = measures(context, (d) => d.alert, scenario);
    }
  }
  const overall = measures(context, (d) => d.alert);
  return {
    events,
    overall: { ...overall, messages, messagesPer1000: per1000(messages, decisions.length) },
    perRule,
    ...(perScenario && { perScenario }),
    feedback: result.feedback,
  };
}

interface Context {
  readonly decisions: readonly BacktestDecision[];
  /** Each decision's label, when labelled. */
  readonly labelled: readonly (Label | undefined)[] | undefined;
  readonly customers: number;
  /** Customers with at least one fraudulent transaction. */
  readonly attacked: ReadonlySet<string>;
}

function contextOf(
  decisions: readonly BacktestDecision[],
  labels: ReadonlyMap<string, Label> | undefined,
): Context {
  const customers = new Set<string>();
  const attacked = new Set<string>();
  const labelled = labels && decisions.map((d) => labels.get(d.transactionId));
  decisions.forEach((d, index) => {
    customers.add(d.customerId);
    if (labelled?.[index]?.fraud) attacked.add(d.customerId);
  });
  return { decisions, labelled, customers: customers.size, attacked };
}

/**
 * The measures of the alerts `alerted` selects. For a scenario, the fraud figures count only that
 * scenario's transactions, and `alerts` only the alerts on them.
 */
function measures(
  context: Context,
  alerted: (decision: BacktestDecision) => boolean,
  scenario?: string,
): Measures {
  const { decisions, labelled } = context;
  const alertedCustomers = new Set<string>();
  let alerts = 0;
  const hits = decisions.map((d) => {
    const hit = alerted(d);
    if (hit) {
      alerts++;
      alertedCustomers.add(d.customerId);
    }
    return hit;
  });
  const base = {
    transactions: decisions.length,
    alerts,
    alertsPer1000: per1000(alerts, decisions.length),
    customersAlertedShare: ratio(alertedCustomers.size, context.customers),
  };
  if (labelled === undefined) return base;
  let fraud = 0;
  let caught = 0;
  let legit = 0;
  let falseAlerts = 0;
  let trueAlerts = 0;
  const attacked = new Map<string, { before: number; caught: boolean; alerts: number }>();
  const bothered = new Set<string>();
  decisions.forEach((d, index) => {
    const label = labelled[index];
    const hit = hits[index];
    if (label?.fraud === true && (scenario === undefined || label.scenario === scenario)) {
      fraud++;
      const customer = attacked.get(d.customerId) ?? { before: 0, caught: false, alerts: 0 };
      attacked.set(d.customerId, customer);
      if (hit) {
        caught++;
        trueAlerts++;
        customer.caught = true;
        customer.alerts++;
      } else if (!customer.caught) customer.before++;
    } else if (label?.fraud !== true) {
      legit++;
      if (hit) {
        falseAlerts++;
        if (!context.attacked.has(d.customerId)) bothered.add(d.customerId);
      }
    } else if (hit) trueAlerts++;
  });
  const caughtCustomers = [...attacked.values()].filter((customer) => customer.caught);
  const measured = {
    ...base,
    fraudTransactions: fraud,
    fraudRecall: ratio(caught, fraud),
    compromisedCustomers: attacked.size,
    compromisedCustomerRecall: ratio(caughtCustomers.length, attacked.size),
    precision: ratio(trueAlerts, alerts),
    medianFraudBeforeFirstAlert: medianOf(caughtCustomers.map((customer) => customer.before)),
    falseAlertsPer1000Legit: per1000(falseAlerts, legit),
    legitCustomersBotheredShare: ratio(bothered.size, context.customers - context.attacked.size),
    alertsPerAlertedCompromisedCustomer: round(
      ratio(
        caughtCustomers.reduce((sum, customer) => sum + customer.alerts, 0),
        caughtCustomers.length,
      ),
      2,
    ),
  };
  if (scenario === undefined) return measured;
  // For a scenario: only its fraud, and the alerts on it.
  const { precision: _, falseAlertsPer1000Legit: __, legitCustomersBotheredShare: ___, ...own } = measured;
  return { ...own, alerts: caught, alertsPer1000: per1000(caught, decisions.length) };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (part: number, whole: number) => (whole === 0 ? 0 : round(part / whole, 4));
const per1000 = (part: number, whole: number) => (whole === 0 ? 0 : round((1000 * part) / whole, 2));

function medianOf(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1
    ? (values[middle] as number)
    : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}
