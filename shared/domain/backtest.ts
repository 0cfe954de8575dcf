import type { Clock } from '../ports/clock.ts';
import { FOLLOW_UP_GAP_MS, unsummarizedMembers } from './alert.ts';
import type { BankEvent } from './bank-event.ts';
import { DEFAULT_ALERT_EXPIRY_MINUTES, DEFAULT_MAX_MESSAGES_PER_HOUR } from './bank-profile.ts';
import {
  type FraudFeedbackPorts,
  type FraudReport,
  recordConfirmedFraud,
  reportsOfDisputedAlert,
} from './compromised-merchant.ts';
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
  /**
   * Fraudulent transactions: with them, every fraud check is answered `answerDelayMs` after its
   * question, "No, it wasn't me" when a fraudulent transaction is in it by then, "Yes" otherwise.
   * Without them, checks are left unanswered and expire.
   */
  readonly disputes?: ReadonlySet<string>;
  readonly answerDelayMs?: number;
  onDecision?(decision: BacktestDecision): void;
}

/** One fraud check as the customer lived it: the messages it sent and the transactions in it. */
export interface CheckTally {
  readonly checkId: string;
  readonly customerId: string;
  messages: number;
  readonly transactionIds: string[];
}

export interface ReplayResult {
  readonly decisions: BacktestDecision[];
  /** Low-balance notices created. */
  readonly notices: number;
  /** Every fraud check opened, in order. */
  readonly checks: readonly CheckTally[];
  /** `reports`: the bank's reports applied; `disputes`: payments reported by "No" answers. */
  readonly feedback: { readonly reports: number; readonly disputes: number };
}

type Pending =
  | { readonly due: number; readonly kind: 'report'; readonly report: FraudReport }
  | { readonly due: number; readonly kind: 'answer'; readonly checkId: string };

/** The address every check of the replay is sent to. */
const REPLAY_ADDRESS = 'backtest';

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
  const checks = new Map<string, CheckTally>();
  let notices = 0;
  const { alerts } = ports;
  const expiryMs = DEFAULT_ALERT_EXPIRY_MINUTES * 60_000;
  const slot = (customerId: string, at: Date) =>
    alerts.takeMessageSlot({ bankId: options.bankId, customerId }, at, DEFAULT_MAX_MESSAGES_PER_HOUR);
  /** The customer's answer, as notify-bank then records a "No" (docs/scoring.md). */
  const answer = async (checkId: string, at: Date) => {
    const before = await alerts.get(checkId);
    const tally = checks.get(checkId);
    if (before?.status !== 'sent' || tally === undefined) return;
    const disputed = tally.transactionIds.some((id) => options.disputes?.has(id));
    if (!(await alerts.answer(checkId, disputed ? 'disputed' : 'confirmed', REPLAY_ADDRESS, at))) return;
    const after = await alerts.get(checkId);
    if (after === undefined) return;
    const reports = reportsOfDisputedAlert(before, after);
    if (reports.length === 0) return;
    await recordConfirmedFraud(options.bankId, reports, at, ports);
    feedback.disputes += reports.length;
  };
  const applyDue = async (until: number) => {
    while (pending.length > 0 && (pending[0] as Pending).due <= until) {
      const item = pending.shift() as Pending;
      const at = new Date(item.due);
      options.clock.set(at);
      if (item.kind === 'answer') await answer(item.checkId, at);
      else {
        await recordConfirmedFraud(options.bankId, [item.report], at, ports);
        feedback.reports++;
      }
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
    // A repeated event id is scored once, as production scores a redelivery.
    if (outcome.type !== 'card.transaction' || outcome.replayed || event.type !== 'card.transaction')
      continue;
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
    if (options.fraudReports?.has(transaction.id))
      schedule(pending, {
        due: at + (options.reportDelayMs ?? 0),
        kind: 'report',
        report: {
          transactionId: transaction.id,
          customerId: event.customerId,
          merchant: transaction.merchant,
        },
      });
    const { checkId, alertId } = outcome;
    if (!outcome.alertCreated || checkId === undefined || alertId === undefined) continue;
    // The messages production sends (docs/scoring.md, "Fraud checks"): the question when a
    // check opens (sent at once here), then at most one follow-up per 10 minutes as payments
    // join it; each within the bank's hourly ceiling.
    if (checkId === alertId) {
      const tally: CheckTally = { checkId, customerId: event.customerId, messages: 0, transactionIds: [] };
      checks.set(checkId, tally);
      tally.transactionIds.push(transaction.id);
      await alerts.claimSend(alertId, now);
      if (!(await slot(event.customerId, now))) {
        await alerts.markUndeliverable(alertId, 'rate_limited', now);
        continue;
      }
      await alerts.markSent(alertId, {
        address: REPLAY_ADDRESS,
        messageId: `m_${alertId}`,
        sentAt: now.toISOString(),
        deadline: new Date(at + expiryMs).toISOString(),
      });
      tally.messages++;
      if (options.disputes !== undefined)
        schedule(pending, { due: at + (options.answerDelayMs ?? 0), kind: 'answer', checkId });
      continue;
    }
    const tally = checks.get(checkId);
    tally?.transactionIds.push(transaction.id);
    const check = await alerts.get(checkId);
    if (tally === undefined || check?.status !== 'sent') continue;
    const members = unsummarizedMembers(check).map(([id]) => id);
    if (
      (await alerts.claimFollowUp(checkId, members, now, FOLLOW_UP_GAP_MS)) &&
      (await slot(event.customerId, now))
    )
      tally.messages++;
  }
  return { decisions, notices, checks: [...checks.values()], feedback };
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

/** The messages of fraud checks, as production sends them (question, follow-ups). */
export interface MessageMeasures {
  /** Fraud checks opened. */
  readonly checks: number;
  /** Every message: questions, follow-ups and low-balance notices. */
  readonly messages: number;
  readonly messagesPer1000: number;
  /**
   * With labels: an incident is a fraud check holding a fraudulent payment; the messages its
   * customer got for it (question and follow-ups), on average and at most.
   */
  readonly incidents?: number;
  readonly messagesPerIncident?: number;
  readonly maxMessagesPerIncident?: number;
}

export interface BacktestReport {
  readonly events: number;
  readonly overall: Measures & MessageMeasures;
  readonly perRule: Record<string, Measures>;
  readonly perScenario?: Record<
    string,
    Measures & Pick<MessageMeasures, 'incidents' | 'messagesPerIncident' | 'maxMessagesPerIncident'>
  >;
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
  const messages = result.checks.reduce((sum, check) => sum + check.messages, 0) + result.notices;
  const perRule: Record<string, Measures> = {};
  const rules = [...ruleNames, ...historyRuleNames];
  // Each alert's rules as bits, found once: a pass per rule then tests a bit.
  const bits = new Map<string, number>(rules.map((rule, index) => [rule, 2 ** index]));
  const ruleBits = new Float64Array(decisions.length);
  for (let index = 0; index < decisions.length; index++) {
    const decision = decisions[index] as BacktestDecision;
    if (!decision.alert) continue;
    let mask = 0;
    for (const reason of decision.reasons) mask |= bits.get(reason.rule) ?? 0;
    ruleBits[index] = mask;
  }
  for (const rule of rules) {
    const bit = bits.get(rule) as number;
    perRule[rule] = measures(context, (_, index) => ((ruleBits[index] as number) & bit) !== 0);
  }
  let perScenario: Record<string, Measures> | undefined;
  if (labels !== undefined) {
    const scenarios = new Set<string>();
    for (const label of labels.values()) if (label.fraud && label.scenario) scenarios.add(label.scenario);
    if (scenarios.size > 0) {
      perScenario = {};
      for (const scenario of [...scenarios].sort())
        perScenario[scenario] = {
          ...measures(context, (d) => d.alert, scenario),
          ...incidentMeasures(result.checks, labels, scenario),
        };
    }
  }
  const overall = measures(context, (d) => d.alert);
  return {
    events,
    overall: {
      ...overall,
      checks: result.checks.length,
      messages,
      messagesPer1000: per1000(messages, decisions.length),
      ...(labels !== undefined && incidentMeasures(result.checks, labels)),
    },
    perRule,
    ...(perScenario && { perScenario }),
    feedback: result.feedback,
  };
}

/** The fraud checks holding a fraudulent payment (of the scenario, if given), and their messages. */
function incidentMeasures(
  checks: readonly CheckTally[],
  labels: ReadonlyMap<string, Label>,
  scenario?: string,
): Pick<MessageMeasures, 'incidents' | 'messagesPerIncident' | 'maxMessagesPerIncident'> {
  const incidents = checks.filter((check) =>
    check.transactionIds.some((id) => {
      const label = labels.get(id);
      return label?.fraud === true && (scenario === undefined || label.scenario === scenario);
    }),
  );
  const messages = incidents.map((check) => check.messages);
  return {
    incidents: incidents.length,
    messagesPerIncident: round(
      ratio(
        messages.reduce((sum, count) => sum + count, 0),
        incidents.length,
      ),
      2,
    ),
    maxMessagesPerIncident: messages.reduce((max, count) => Math.max(max, count), 0),
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
  alerted: (decision: BacktestDecision, index: number) => boolean,
  scenario?: string,
): Measures {
  const { decisions, labelled } = context;
  const alertedCustomers = new Set<string>();
  let alerts = 0;
  const hits = new Uint8Array(decisions.length);
  for (let index = 0; index < decisions.length; index++) {
    const d = decisions[index] as BacktestDecision;
    if (!alerted(d, index)) continue;
    hits[index] = 1;
    alerts++;
    alertedCustomers.add(d.customerId);
  }
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
    const hit = hits[index] === 1;
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
