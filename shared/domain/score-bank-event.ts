import type { AlertStore } from '../ports/alert-store.ts';
import type { BalanceWatch } from '../ports/balance-watch.ts';
import type { Clock } from '../ports/clock.ts';
import type { CompromisedMerchants, ReporterKey } from '../ports/compromised-merchants.ts';
import type { CustomerHistory, CustomerHistoryUpdate } from '../ports/customer-history.ts';
import type { CustomerSettingsReader } from '../ports/customer-settings.ts';
import type { ErasedDataCleaner } from '../ports/erasure.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { inLedgerWindow, summarizeActivity } from './activity.ts';
import { fraudCheckAlert, lowBalanceAlert } from './alert.ts';
import { merchantKeyOf, reporterOf } from './compromised-merchant.ts';
import { historyFacts, type ProfileSettings, sightingOf } from './customer-profile.ts';
import { coveredByErasure } from './erasure.ts';
import { compileRules, type Decision, scoreTransaction } from './fraud-rules.ts';
import { type CustomerPreferences, withCustomerAlertAmount, withTravelNotice } from './preferences.ts';
import type { StoredEvent } from './stored-event.ts';
import { BUILT_IN_THRESHOLDS, mergeThresholds, type Thresholds } from './thresholds.ts';

export interface ScoreBankEventPorts {
  /** The bank's default thresholds (the customer's override comes with `customerSettings`). */
  readonly thresholds: ThresholdStore;
  /** The customer's 48-hour ledger and profile, recorded by one write. */
  readonly history: CustomerHistory;
  readonly merchants: CompromisedMerchants;
  /** Tells the payer's own reports apart from other customers' (a keyed hash). */
  readonly reporterKey: ReporterKey;
  readonly balances: BalanceWatch;
  readonly alerts: AlertStore;
  readonly events: EventStore;
  readonly clock: Clock;
  readonly erasures: ErasedDataCleaner;
  /** The customer's threshold override and their own preferences, read together. */
  readonly customerSettings: CustomerSettingsReader;
}

export type ScoreOutcome =
  | { readonly type: 'already-scored'; readonly alertCreated: false; readonly alertId?: undefined }
  | { readonly type: 'erased'; readonly alertCreated: false; readonly alertId?: undefined }
  | {
      readonly type: 'card.transaction';
      readonly decision: Decision;
      readonly alertId?: string;
      /** The fraud check the alert opened or joined. */
      readonly checkId?: string;
      readonly alertCreated: boolean;
      /** A redelivery: the decision is the one kept with the transaction's ledger entry. */
      readonly replayed: boolean;
    }
  | {
      readonly type: 'account.balance';
      readonly low: boolean;
      readonly alertId?: string;
      readonly alertCreated: boolean;
    };

/**
 * Scores one stored bank event (docs/contract.md#scoring). Its decision is made once: a card
 * transaction's is kept with its ledger entry by the write that records it, and a redelivery gets
 * that decision back and finishes with it (no read of the event); that entry is the record that
 * the transaction was scored, so its event is not marked (it stays `received`). A balance event,
 * or a transaction dated outside the ledger's 48 hours, is marked scored, and skipped when
 * redelivered. Every step is idempotent for a redelivery after a crash midway: the ledger records
 * an event once, an alert is created at most once per transaction (or per balance crossing), and
 * marking the event scored twice changes nothing.
 */
export async function scoreBankEvent(event: StoredEvent, ports: ScoreBankEventPorts): Promise<ScoreOutcome> {
  const now = ports.clock.now();
  if (!keepsDecision(event, now) && (await ports.events.isScored(event.bankId, event.eventId)))
    return { type: 'already-scored', alertCreated: false };
  // The customer was erased after this event arrived: nothing of it is scored or kept. For a
  // balance event, a first, eventually consistent look at the marker: the strongly consistent
  // check after the writes is the one that guarantees the erasure. A card transaction's history
  // read finds the erasure instead, and its write is conditional on it (docs/security.md, "Erasure").
  if (event.transaction === undefined && (await erasedSince(event, ports, { eventually: true })))
    return forget(event, undefined, ports);
  const { thresholds, preferences } = await settingsFor(event.bankId, event.customerId, ports);
  const { outcome, keptInLedger } = event.transaction
    ? await scoreCardTransaction(event, thresholds, preferences, now, ports)
    : { outcome: await watchBalance(event, thresholds, now, ports), keptInLedger: false };
  if (outcome.type === 'already-scored') return outcome;
  if (outcome.type === 'erased') return forget(event, undefined, ports);
  // The ledger entry keeping the decision says the transaction was scored: no "scored" mark (a
  // write unit saved per transaction; `vigil redrive` asks the history: docs/scoring.md).
  if (!keptInLedger)
    await ports.events.markScored(event.bankId, event.eventId, {
      ...('decision' in outcome && { score: outcome.decision.score }),
      ...(outcome.alertId !== undefined && { alertId: outcome.alertId }),
    });
  // Checked again after writes an erasure may have missed (an alert, the balance state): an
  // erasure that landed meanwhile may have run its deletes before them, so the writer removes
  // them. A card transaction without an alert wrote only its history, conditional on the erasure,
  // and at most the "scored" mark, which never brings back an event erased meanwhile: no check.
  if ((event.transaction === undefined || outcome.alertId !== undefined) && (await erasedSince(event, ports)))
    return forget(event, outcome.alertId, ports);
  return outcome;
}

/** A card transaction the ledger keeps (within its 48 hours): its entry keeps the decision. */
function keepsDecision(event: StoredEvent, now: Date): boolean {
  return event.transaction !== undefined && inLedgerWindow(Date.parse(event.occurredAt), now);
}

async function erasedSince(
  event: StoredEvent,
  ports: ScoreBankEventPorts,
  options?: { readonly eventually?: boolean },
): Promise<boolean> {
  if (event.erasureRef === undefined) return false;
  return coveredByErasure(await ports.erasures.erasedAt(event.erasureRef, options), event);
}

async function forget(
  event: StoredEvent,
  alertId: string | undefined,
  ports: ScoreBankEventPorts,
): Promise<ScoreOutcome> {
  await ports.erasures.forgetScoring(event.bankId, event.customerId, event.eventId, alertId);
  return { type: 'erased', alertCreated: false };
}

async function scoreCardTransaction(
  event: StoredEvent,
  thresholds: Thresholds,
  preferences: CustomerPreferences | undefined,
  now: Date,
  ports: ScoreBankEventPorts,
): Promise<{ readonly outcome: ScoreOutcome; readonly keptInLedger: boolean }> {
  const transaction = event.transaction;
  if (transaction === undefined) throw new TypeError('Not a card transaction.');
  // The customer's own controls (docs/channels.md, "Customer controls"): a travel notice counts
  // its country as home; their alert amount asks about payments the rules would let pass.
  const at = Date.parse(event.occurredAt);
  const rules = compileRules(withTravelNotice(thresholds, preferences, new Date(at)));
  const settings: ProfileSettings = {
    currency: thresholds.currency,
    baseline: rules.history.baseline,
    cardTesting: rules.history.cardTesting,
  };
  const sighting = sightingOf(transaction, at, settings);
  // The merchant's mark, read beside the customer's history: the rule judges card-present payments
  // only, so there is no read for the others.
  const compromised =
    rules.history.weights.compromisedMerchant > 0 && transaction.channel !== 'card_not_present'
      ? ports.reporterKey().then((key) =>
          ports.merchants.reporters(
            event.bankId,
            merchantKeyOf({
              id: transaction.merchantId,
              name: transaction.merchantName,
              country: transaction.country,
            }),
            reporterOf(key, event.bankId, event.customerId),
            new Date(at),
          ),
        )
      : Promise.resolve(0);
  const decide = async ({ entries, profile }: CustomerHistoryUpdate): Promise<Decision> => {
    const activity = summarizeActivity(entries, at, rules.velocityWindowMs, thresholds.currency);
    const history = historyFacts(profile, sighting, settings, await compromised);
    return withCustomerAlertAmount(
      scoreTransaction(transaction, activity, rules, history),
      transaction,
      preferences,
    );
  };
  // One write records the transaction in the customer's history and keeps the decision made on
  // that history with it; a redelivery gets the kept decision back, never one made on a newer history.
  const [recorded] = await Promise.all([
    ports.history.record(
      event.bankId,
      event.customerId,
      {
        eventId: event.eventId,
        at,
        amount: transaction.amount,
        currency: transaction.currency,
        authorized: transaction.status === 'authorized',
      },
      sighting,
      settings,
      now,
      decide,
      event,
    ),
    compromised,
  ]);
  if (recorded.erased) return { outcome: { type: 'erased', alertCreated: false }, keptInLedger: false };
  // An entry recorded before decisions were kept with it: the event's own status tells.
  if (
    recorded.recordedBefore &&
    recorded.decision === undefined &&
    (await ports.events.isScored(event.bankId, event.eventId))
  )
    return { outcome: { type: 'already-scored', alertCreated: false }, keptInLedger: false };
  const keptInLedger = recorded.decision !== undefined;
  const replayed = recorded.recordedBefore && keptInLedger;
  // No decision kept (a transaction dated outside the ledger's 48 hours): decided here.
  const decision = recorded.decision ?? (await decide(recorded));
  if (!decision.alert)
    return {
      outcome: { type: 'card.transaction', decision, alertCreated: false, replayed },
      keptInLedger,
    };
  // One open fraud check per customer: this transaction opens it or joins it (docs/scoring.md).
  // Filed again by a redelivery, idempotently: the alert's id is the transaction's.
  const alert = fraudCheckAlert(event, decision, now);
  const filed = await ports.alerts.fileFraudCheck(alert, now);
  return {
    outcome: {
      type: 'card.transaction',
      decision,
      alertId: alert.alertId,
      checkId: filed.checkId,
      alertCreated: filed.created,
      replayed,
    },
    keptInLedger,
  };
}

async function watchBalance(
  event: StoredEvent,
  thresholds: Thresholds,
  now: Date,
  ports: ScoreBankEventPorts,
): Promise<ScoreOutcome> {
  const balance = event.balance;
  if (balance === undefined) throw new TypeError('Not a balance event.');
  // A balance in another currency than the limit's cannot be compared: it changes nothing.
  if (balance.currency !== thresholds.currency)
    return { type: 'account.balance', low: false, alertCreated: false };
  if (balance.available >= thresholds.lowBalanceAmount) {
    await ports.balances.leaveLow(event.bankId, event.customerId);
    return { type: 'account.balance', low: false, alertCreated: false };
  }
  // One notice per crossing, and per account at most one per 24 hours (docs/scoring.md).
  const notice = { accountLast4: balance.accountLast4, at: now };
  if (!(await ports.balances.enterLow(event.bankId, event.customerId, event.eventId, notice))) {
    return { type: 'account.balance', low: true, alertCreated: false };
  }
  const alert = lowBalanceAlert(event, thresholds.lowBalanceAmount, now);
  const alertCreated = await ports.alerts.createOnce(alert);
  return { type: 'account.balance', low: true, alertId: alert.alertId, alertCreated };
}

/**
 * The customer's thresholds (their override over the bank default, over Vigil's built-in defaults)
 * and their own preferences: the bank default from its cache, the rest with one read.
 */
export async function settingsFor(
  bankId: string,
  customerId: string,
  ports: Pick<ScoreBankEventPorts, 'thresholds' | 'customerSettings'>,
): Promise<{ readonly thresholds: Thresholds; readonly preferences: CustomerPreferences | undefined }> {
  const [bankDefault, { override, preferences }] = await Promise.all([
    ports.thresholds.bankDefault(bankId),
    ports.customerSettings.read(bankId, customerId),
  ]);
  return { thresholds: mergeThresholds(bankDefault ?? BUILT_IN_THRESHOLDS, override), preferences };
}
