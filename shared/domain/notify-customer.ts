import type { AlertStore } from '../ports/alert-store.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import {
  type Channel,
  type ChannelMessage,
  type Channels,
  channelOf,
  SendApiError,
} from '../ports/channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { ErasedDataCleaner } from '../ports/erasure.ts';
import type { SubscriberStore } from '../ports/subscriber-store.ts';
import { type Alert, FOLLOW_UP_GAP_MS, unsummarizedMembers } from './alert.ts';
import {
  type BankProfile,
  DEFAULT_ALERT_EXPIRY_MINUTES,
  DEFAULT_MAX_MESSAGES_PER_HOUR,
} from './bank-profile.ts';
import { coveredByErasure } from './erasure.ts';
import {
  type AlertMessageContext,
  alertMessage,
  followUpMessage,
  PAYLOADS,
  templateValues,
} from './render-message.ts';
import { insideMessagingWindow, type Subscriber } from './subscriber.ts';

export interface NotifyCustomerPorts {
  readonly alerts: AlertStore;
  readonly subscribers: SubscriberStore;
  readonly banks: BankDirectory;
  /** The channels alerts go out on: each subscriber's own. */
  readonly channels: Channels;
  readonly clock: Clock;
  readonly erasures: Pick<ErasedDataCleaner, 'erasedAt' | 'forgetAlert'>;
  readonly sleep: (ms: number) => Promise<void>;
  /** Time left in this invocation, in ms: retries stop well before it runs out. */
  readonly remainingMs: () => number;
  /** Invocations that may try one alert (the stream's retries + 1); the last one gives up. */
  readonly maxAttempts: number;
}

export type NotifyOutcome =
  | {
      readonly status: 'sent';
      /** What the channel sent: `UPDATE` or `UTILITY` on Messenger, `interactive` or `template` on WhatsApp. */
      readonly messagingType: string;
      readonly tries: number;
    }
  | { readonly status: 'undeliverable'; readonly reason: string }
  | { readonly status: 'skipped'; readonly reason: 'not_pending' | 'claimed' | 'erased' };

/** Exponential backoff with full jitter: 200 ms, 400 ms, 800 ms... capped at 5 s. */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(5000, 200 * 2 ** retry));
}

/** Time kept free at the end of an invocation to record the outcome. */
const SAFETY_MS = 3000;

/** Thrown when transient failures outlast this invocation: the stream retries it later. */
export class SendRetryLaterError extends Error {
  override readonly name = 'SendRetryLaterError';
}

/**
 * Sends an alert to its customer exactly once (docs/contract.md#alerts): a normal message inside the 24 h
 * window, the bank's utility template outside it, otherwise `undeliverable`. The alert is
 * claimed before sending, so a redelivered record never sends twice; transient errors are
 * retried with backoff within the invocation, then by the stream, and the last attempt gives up.
 */
export async function notifyCustomer(alert: Alert, ports: NotifyCustomerPorts): Promise<NotifyOutcome> {
  if (alert.status !== 'pending') return { status: 'skipped', reason: 'not_pending' };
  // The customer was erased after the alert's event arrived: no message, no callback, no alert.
  if (await erasedSince(alert, ports)) {
    await ports.erasures.forgetAlert(alert.alertId);
    return { status: 'skipped', reason: 'erased' };
  }
  const now = ports.clock.now();
  const subscriber = await ports.subscribers.get(alert.bankId, alert.customerId);
  if (subscriber?.status !== 'active') return giveUp(alert, 'not_subscribed', ports);

  const attempt = await ports.alerts.claimSend(alert.alertId, now);
  if (attempt === undefined) return { status: 'skipped', reason: 'claimed' };

  const bank = (await ports.banks.get(alert.bankId)) ?? { bankId: alert.bankId, name: alert.bankId };
  const channel = ports.channels[channelOf(subscriber)];
  if (channel === undefined) return giveUp(alert, 'channel_unavailable', ports);
  const request = sendRequestFor(alert, subscriber, bank, channel, now);
  if (typeof request === 'string') return giveUp(alert, request, ports);
  // The bank's hourly ceiling of messages per customer, counted once per alert (first attempt).
  const limit = bank.maxMessagesPerHour ?? DEFAULT_MAX_MESSAGES_PER_HOUR;
  if (attempt === 1 && !(await ports.alerts.takeMessageSlot(alert, now, limit))) {
    return giveUp(alert, 'rate_limited', ports);
  }

  for (let tries = 1; ; tries++) {
    let delivered = false;
    try {
      const { messageId, sentAs } = await channel.send(request);
      delivered = true;
      const sentAt = ports.clock.now();
      const expiry = (bank.alertExpiryMinutes ?? DEFAULT_ALERT_EXPIRY_MINUTES) * 60_000;
      await ports.alerts.markSent(alert.alertId, {
        address: subscriber.address,
        ...(subscriber.channel !== undefined && { channel: subscriber.channel }),
        messageId,
        sentAt: sentAt.toISOString(),
        ...(alert.kind === 'fraud_check' && { deadline: new Date(sentAt.getTime() + expiry).toISOString() }),
      });
      return { status: 'sent', messagingType: sentAs, tries };
    } catch (error) {
      // Sent, but not recorded as sent: the claim stays, so the message is never sent twice
      // (`vigil redrive` gives such an alert up as `send_unconfirmed`).
      if (delivered) throw error;
      if (!(error instanceof SendApiError)) {
        await ports.alerts.releaseSend(alert.alertId);
        throw error;
      }
      if (!error.transient) return giveUp(alert, `send_error_${error.code ?? error.httpStatus}`, ports);
      const wait = backoffMs(tries);
      if (ports.remainingMs() - wait > SAFETY_MS) {
        await ports.sleep(wait);
        continue;
      }
      if (attempt >= ports.maxAttempts)
        return giveUp(alert, `send_error_${error.code ?? error.httpStatus}`, ports);
      await ports.alerts.releaseSend(alert.alertId);
      throw new SendRetryLaterError(
        `Transient Send API failures; attempt ${attempt} of ${ports.maxAttempts}.`,
        {
          cause: error,
        },
      );
    }
  }
}

export type FollowUpOutcome =
  | { readonly status: 'sent'; readonly payments: number }
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * The follow-up of an open fraud check (docs/channels.md, "Fraud checks"): when transactions
 * joined the check since the last message, one message lists them, with the check's Yes / No; at
 * most one per 10 minutes per check, taken by a conditional write so that parallel or
 * redelivered stream records send it once. Only inside the 24 h window; best effort: a failed
 * send is not retried, as the answer covers every payment of the check anyway.
 */
export async function sendFollowUp(
  check: Alert,
  ports: Omit<NotifyCustomerPorts, 'sleep' | 'remainingMs' | 'maxAttempts'>,
): Promise<FollowUpOutcome> {
  if (check.kind !== 'fraud_check' || check.status !== 'sent' || check.checkId !== check.alertId) {
    return { status: 'skipped', reason: 'not_open' };
  }
  const members = unsummarizedMembers(check);
  if (members.length === 0) return { status: 'skipped', reason: 'nothing_new' };
  if (await erasedSince(check, ports)) return { status: 'skipped', reason: 'erased' };
  const now = ports.clock.now();
  const subscriber = await ports.subscribers.get(check.bankId, check.customerId);
  if (
    subscriber?.status !== 'active' ||
    subscriber.address !== check.address ||
    channelOf(subscriber) !== channelOf(check)
  ) {
    return { status: 'skipped', reason: 'not_subscribed' };
  }
  const channel = ports.channels[channelOf(subscriber)];
  if (channel === undefined) return { status: 'skipped', reason: 'not_subscribed' };
  if (!insideMessagingWindow(subscriber, now, channel.limits.windowMs)) {
    return { status: 'skipped', reason: 'outside_window' };
  }
  const ids = members.map(([alertId]) => alertId);
  if (!(await ports.alerts.claimFollowUp(check.alertId, ids, now, FOLLOW_UP_GAP_MS))) {
    return { status: 'skipped', reason: 'too_soon' };
  }
  const bank = (await ports.banks.get(check.bankId)) ?? { bankId: check.bankId, name: check.bankId };
  const limit = bank.maxMessagesPerHour ?? DEFAULT_MAX_MESSAGES_PER_HOUR;
  if (!(await ports.alerts.takeMessageSlot(check, now, limit))) {
    return { status: 'skipped', reason: 'rate_limited' };
  }
  const message = followUpMessage(
    members.map(([, member]) => member.display),
    { bankName: bank.name, locale: subscriber.locale, timeZone: bank.timeZone, ref: check.ref },
  );
  try {
    const from = channelOf(subscriber) === 'whatsapp' ? bank.whatsapp?.phoneNumberId : undefined;
    await channel.send({
      kind: 'alert',
      to: subscriber.address,
      ...(from && { from }),
      ref: check.ref,
      message,
    });
  } catch (error) {
    if (error instanceof SendApiError) return { status: 'skipped', reason: 'send_failed' };
    throw error;
  }
  return { status: 'sent', payments: members.length };
}

/**
 * The message for this alert now on the subscriber's channel (docs/channels.md, "Reach"): the
 * alert with its answers inside the channel's window, the bank's approved utility template for
 * a fraud check outside it; otherwise why nothing may be sent.
 */
function sendRequestFor(
  alert: Alert,
  subscriber: Subscriber,
  bank: BankProfile,
  channel: Channel,
  now: Date,
): ChannelMessage | 'outside_window' | 'channel_unavailable' {
  const context: AlertMessageContext = {
    bankName: bank.name,
    locale: subscriber.locale,
    timeZone: bank.timeZone,
    ref: alert.ref,
  };
  let from: string | undefined;
  let template = bank.utilityTemplate;
  if (channel.name === 'whatsapp') {
    // WhatsApp sends from the bank's own number, with the template approved for it.
    if (bank.whatsapp === undefined) return 'channel_unavailable';
    from = bank.whatsapp.phoneNumberId;
    template = bank.whatsapp.template;
  }
  const address = { to: subscriber.address, ...(from !== undefined && { from }), ref: alert.ref };
  if (insideMessagingWindow(subscriber, now, channel.limits.windowMs)) {
    // An alert is the sender's own initiative, not a reply: Messenger's UPDATE, never RESPONSE.
    return { kind: 'alert', ...address, message: alertMessage(alert.display, context) };
  }
  if (template === undefined || alert.kind !== 'fraud_check') return 'outside_window';
  const values = templateValues(alert.display, context);
  return {
    kind: 'template',
    ...address,
    template: {
      name: template.name,
      language: template.language,
      parameters: template.parameters.map((p) => values[p]),
      answers: [PAYLOADS.yes(alert.ref), PAYLOADS.no(alert.ref)],
    },
  };
}

async function erasedSince(alert: Alert, ports: Pick<NotifyCustomerPorts, 'erasures'>): Promise<boolean> {
  if (alert.erasureRef === undefined || alert.receivedAt === undefined) return false;
  const erasedAt = await ports.erasures.erasedAt(alert.erasureRef);
  return coveredByErasure(erasedAt, { erasureRef: alert.erasureRef, receivedAt: alert.receivedAt });
}

async function giveUp(alert: Alert, reason: string, ports: NotifyCustomerPorts): Promise<NotifyOutcome> {
  await ports.alerts.markUndeliverable(alert.alertId, reason, ports.clock.now());
  return { status: 'undeliverable', reason };
}
