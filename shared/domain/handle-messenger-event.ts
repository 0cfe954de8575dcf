import type { AlertStore } from '../ports/alert-store.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { Clock } from '../ports/clock.ts';
import type { EnrollmentStore } from '../ports/enrollment-store.ts';
import type { InboundLog } from '../ports/inbound-log.ts';
import type { Messenger } from '../ports/messenger.ts';
import type { SubscriberStore } from '../ports/subscriber-store.ts';
import {
  CONTROL_ACTIONS,
  type ControlOutcome,
  type ControlPorts,
  CustomerControls,
  controlOf,
} from './customer-controls.ts';
import { hashToken } from './enroll-customer.ts';
import { deliveryKey, type MessagingEvent } from './messenger-webhook-schema.ts';
import { consentRequest, type OutgoingMessage, stoppedText, textsFor } from './render-message.ts';
import { CONSENT_VERSION, type Subscriber } from './subscriber.ts';

export interface MessengerEventPorts {
  readonly subscribers: SubscriberStore;
  readonly enrollments: EnrollmentStore;
  readonly alerts: AlertStore;
  readonly inbound: InboundLog;
  readonly banks: BankDirectory;
  readonly messenger: Messenger;
  readonly clock: Clock;
  /** The customer's own controls: TRAVEL, ALERTS OVER, SETTINGS; without them, not understood. */
  readonly controls?: Omit<ControlPorts, 'clock'>;
  /** Told of replies that could not be sent; the event still counts as handled. */
  readonly onReplyFailed?: (error: unknown) => void;
}

export type EventOutcome =
  | 'duplicate'
  | 'ignored'
  | 'enrolled'
  | 'link_invalid'
  | 'consented'
  | 'declined'
  | 'stopped'
  | 'restarted'
  | 'help'
  | 'confirmed'
  | 'disputed'
  | 'answer_late'
  | ControlOutcome
  | 'unknown';

/**
 * Handles one Messenger event once (docs/contract.md#customer-messaging): a redelivery with the same message id changes
 * nothing; a failure releases the event, so that Meta's retry handles it.
 */
export async function handleMessengerEvent(
  event: MessagingEvent,
  ports: MessengerEventPorts,
): Promise<EventOutcome> {
  if (event.message?.is_echo) return 'ignored';
  if (!event.message && !event.postback && !event.referral) return 'ignored';
  const key = deliveryKey(event);
  const now = ports.clock.now();
  if (!(await ports.inbound.claim(key, now))) return 'duplicate';
  try {
    const subscriptions = await ports.subscribers.byPsid(event.sender.id);
    // Any message from the customer opens Meta's 24 h window for every bank they follow.
    await Promise.all(
      subscriptions.map((s) => ports.subscribers.touch(s.bankId, s.customerId, new Date(event.timestamp))),
    );
    return await dispatch(event, subscriptions, new Conversation(event.sender.id, subscriptions, ports));
  } catch (error) {
    await ports.inbound.release(key);
    throw error;
  }
}

async function dispatch(
  event: MessagingEvent,
  subscriptions: Subscriber[],
  chat: Conversation,
): Promise<EventOutcome> {
  const ref = event.referral?.ref ?? event.postback?.referral?.ref;
  if (ref) return chat.enroll(ref);
  const payload = event.message?.quick_reply?.payload ?? event.postback?.payload;
  const [action = '', argument = ''] = (payload ?? '').split(':', 2);
  const controls = chat.controls();
  if (controls !== undefined && (CONTROL_ACTIONS as readonly string[]).includes(action)) {
    return controls.payload(action, argument);
  }
  switch (action) {
    case 'CONSENT_AGREE':
      return chat.agree(argument);
    case 'CONSENT_DECLINE':
      return chat.decline(argument);
    case 'ALERT_YES':
      return chat.answer(argument, 'confirmed');
    case 'ALERT_NO':
      return chat.answer(argument, 'disputed');
    case 'GET_STARTED':
      return chat.reply(textsFor(subscriptions[0]?.locale).help, 'help');
  }
  switch (commandOf(event.message?.text ?? '')) {
    case 'STOP':
      return chat.stop();
    case 'START':
      return chat.start();
    case 'HELP':
      return chat.reply(textsFor(subscriptions[0]?.locale).help, 'help');
    default: {
      const control = controlOf(event.message?.text ?? '');
      if (control !== undefined && controls !== undefined) return controls.command(control);
      return chat.reply(textsFor(subscriptions[0]?.locale).unknown, 'unknown');
    }
  }
}

export type Command = 'STOP' | 'START' | 'HELP';

// The words of each command in English and French, after normalisation (see commandOf). An
// opt-out that is not understood is a compliance problem, so STOP has every usual form.
const COMMAND_WORDS: Record<Command, readonly string[]> = {
  STOP: [
    'STOP',
    'STOP ALL',
    'STOPALL',
    'UNSUBSCRIBE',
    'CANCEL',
    'END',
    'QUIT',
    'OPT OUT',
    'OPTOUT',
    'REVOKE',
    'ARRET',
    'ARRETER',
    'ARRETEZ',
    'ARRETE',
    'STOPPER',
    'DESABONNER',
    'DESABONNEMENT',
    'DESINSCRIRE',
    'DESINSCRIPTION',
    'ANNULER',
    'FIN',
  ],
  START: ['START', 'UNSTOP', 'RESUME', 'REPRENDRE', 'REACTIVER'],
  HELP: ['HELP', 'AIDE', 'INFO'],
};
const POLITE_WORDS = [
  'PLEASE',
  'PLS',
  'PLZ',
  'THANKS',
  'THANK YOU',
  'NOW',
  'SVP',
  'STP',
  'S IL VOUS PLAIT',
  'S IL TE PLAIT',
  'MERCI',
  'MAINTENANT',
];
const COMMANDS = new Map<string, Command>(
  (Object.entries(COMMAND_WORDS) as [Command, readonly string[]][]).flatMap(([command, words]) =>
    words.map((word) => [word, command] as const),
  ),
);

/**
 * The command a text message asks for, after normalising it: NFKC (fullwidth letters), accents
 * and case dropped, punctuation, symbols and emoji read as spaces, and polite words around the
 * command ignored ("Stop please", "STOP SVP", "arrêt !", "ＳＴＯＰ").
 */
export function commandOf(text: string): Command | undefined {
  let words = text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const polite of POLITE_WORDS) {
      if (words.startsWith(`${polite} `)) {
        words = words.slice(polite.length + 1);
        changed = true;
      }
      if (words.endsWith(` ${polite}`)) {
        words = words.slice(0, -polite.length - 1);
        changed = true;
      }
    }
  }
  return COMMANDS.get(words);
}

/** One customer's conversation with the page. */
class Conversation {
  constructor(
    private readonly psid: string,
    private readonly subscriptions: readonly Subscriber[],
    private readonly ports: MessengerEventPorts,
  ) {}

  /** Opened the bank's link: check the token, then ask for consent naming the bank. */
  async enroll(token: string): Promise<EventOutcome> {
    const claim = await this.ports.enrollments.claim(hashToken(token), this.ports.clock.now());
    if (!claim.claimed)
      return this.reply(textsFor(this.subscriptions[0]?.locale).linkInvalid, 'link_invalid');
    const { bankId, customerId, locale, enrollmentId } = claim.enrollment;
    const existing = await this.ports.subscribers.get(bankId, customerId);
    const bankName = await this.bankName(bankId);
    if (existing?.status === 'active' && existing.psid === this.psid) {
      return this.reply(textsFor(locale).consentConfirmed(bankName), 'consented');
    }
    if (existing?.status === 'active') {
      // Someone else holds this subscription: it stays theirs until this person agrees.
      await this.ports.subscribers.offerTakeover(bankId, customerId, {
        psid: this.psid,
        enrollmentId,
        locale,
      });
      await this.send(consentRequest(bankName, enrollmentId, locale));
      return 'enrolled';
    }
    await this.ports.subscribers.save({
      bankId,
      customerId,
      psid: this.psid,
      status: 'pending_consent',
      locale,
      enrollmentId,
      updatedAt: this.ports.clock.now().toISOString(),
      ...(existing?.lastInboundAt !== undefined && { lastInboundAt: existing.lastInboundAt }),
    });
    await this.send(consentRequest(bankName, enrollmentId, locale));
    return 'enrolled';
  }

  /** Agree: the only way a subscription becomes active (consent time and text version kept). */
  async agree(enrollmentId: string): Promise<EventOutcome> {
    const subscription = this.subscriptions.find((s) => s.enrollmentId === enrollmentId);
    if (subscription === undefined) return this.takeOver(enrollmentId);
    const texts = textsFor(subscription.locale);
    const bankName = await this.bankName(subscription.bankId);
    if (subscription.status === 'active') return this.reply(texts.consentConfirmed(bankName), 'consented');
    const changed = await this.ports.subscribers.changeStatus(
      subscription.bankId,
      subscription.customerId,
      ['pending_consent'],
      'active',
      { consentedAt: this.ports.clock.now().toISOString(), consentVersion: CONSENT_VERSION },
    );
    if (!changed) return this.reply(texts.linkInvalid, 'link_invalid');
    return this.reply(texts.consentConfirmed(bankName), 'consented');
  }

  /** No thanks: nothing is kept. */
  async decline(enrollmentId: string): Promise<EventOutcome> {
    const subscription = this.subscriptions.find((s) => s.enrollmentId === enrollmentId);
    if (subscription === undefined) return this.declineTakeover(enrollmentId);
    if (subscription.status !== 'pending_consent') {
      return this.reply(textsFor(subscription.locale).linkInvalid, 'link_invalid');
    }
    await this.ports.subscribers.delete(subscription.bankId, subscription.customerId);
    return this.reply(
      textsFor(subscription.locale).consentDeclined(await this.bankName(subscription.bankId)),
      'declined',
    );
  }

  /**
   * Agree to a link for a customer someone else is subscribed as: the subscription moves to this
   * person (the bank hears `customer.subscribed` with the new subscriberRef), and the previous
   * person is told that the alerts went elsewhere.
   */
  private async takeOver(enrollmentId: string): Promise<EventOutcome> {
    const offered = await this.offeredTakeover(enrollmentId);
    if (offered === undefined) return this.reply(textsFor(undefined).linkInvalid, 'link_invalid');
    const now = this.ports.clock.now().toISOString();
    const previous = await this.ports.subscribers.takeOver(
      offered.bankId,
      offered.customerId,
      { psid: this.psid, enrollmentId },
      { consentedAt: now, consentVersion: CONSENT_VERSION, lastInboundAt: now },
    );
    const texts = textsFor(offered.pendingLocale);
    if (previous === undefined) return this.reply(texts.linkInvalid, 'link_invalid');
    const bankName = await this.bankName(offered.bankId);
    if (previous.psid !== this.psid) {
      const moved = { text: textsFor(previous.locale).alertsMoved(bankName) };
      await this.sendTo(previous.psid, moved);
    }
    return this.reply(texts.consentConfirmed(bankName), 'consented');
  }

  /** No thanks to a link for a customer someone else is subscribed as: their subscription stays. */
  private async declineTakeover(enrollmentId: string): Promise<EventOutcome> {
    const offered = await this.offeredTakeover(enrollmentId);
    if (offered === undefined) return this.reply(textsFor(undefined).linkInvalid, 'link_invalid');
    await this.ports.subscribers.dropTakeover(offered.bankId, offered.customerId, this.psid);
    const bankName = await this.bankName(offered.bankId);
    return this.reply(textsFor(offered.pendingLocale).consentDeclined(bankName), 'declined');
  }

  private async offeredTakeover(enrollmentId: string): Promise<Subscriber | undefined> {
    const offers = await this.ports.subscribers.pendingTakeovers(this.psid);
    return offers.find((s) => s.pendingEnrollmentId === enrollmentId);
  }

  /** STOP: every active subscription of this person is revoked; each bank is told. */
  async stop(): Promise<EventOutcome> {
    const active = this.subscriptions.filter((s) => s.status === 'active');
    const texts = textsFor(this.subscriptions[0]?.locale);
    if (active.length === 0) return this.reply(texts.nothingToStop, 'stopped');
    const stopped: string[] = [];
    for (const subscription of active) {
      if (
        await this.ports.subscribers.changeStatus(
          subscription.bankId,
          subscription.customerId,
          ['active'],
          'revoked',
        )
      ) {
        stopped.push(await this.bankName(subscription.bankId));
      }
    }
    // Told in every case: another device's STOP may have revoked them a moment before.
    if (stopped.length === 0) return this.reply(texts.nothingToStop, 'stopped');
    return this.reply(stoppedText(stopped, this.subscriptions[0]?.locale), 'stopped');
  }

  /** START: a revoked subscription comes back only after a fresh consent. */
  async start(): Promise<EventOutcome> {
    const revoked = this.subscriptions.filter((s) => s.status === 'revoked');
    if (revoked.length === 0)
      return this.reply(textsFor(this.subscriptions[0]?.locale).nothingToStart, 'restarted');
    for (const subscription of revoked) {
      if (
        await this.ports.subscribers.changeStatus(
          subscription.bankId,
          subscription.customerId,
          ['revoked'],
          'pending_consent',
        )
      ) {
        await this.send(
          consentRequest(
            await this.bankName(subscription.bankId),
            subscription.enrollmentId,
            subscription.locale,
          ),
        );
      }
    }
    return 'restarted';
  }

  /** Yes / No to a fraud check, accepted only from the customer it was sent to, while open. */
  async answer(ref: string, status: 'confirmed' | 'disputed'): Promise<EventOutcome> {
    const alert = await this.ports.alerts.byRef(ref);
    const subscription = this.subscriptions.find((s) => s.bankId === alert?.bankId);
    const texts = textsFor(subscription?.locale);
    if (alert === undefined || alert.psid !== this.psid) return this.reply(texts.closed, 'answer_late');
    if (!(await this.ports.alerts.answer(alert.alertId, status, this.psid, this.ports.clock.now()))) {
      return this.reply(texts.closed, 'answer_late');
    }
    const text = status === 'confirmed' ? texts.confirmed : texts.disputed(await this.bankName(alert.bankId));
    // The answer applies to every payment of the fraud check, as it stood when it closed.
    const closed = await this.ports.alerts.get(alert.alertId);
    const payments = 1 + Object.keys(closed?.members ?? {}).length;
    return this.reply(payments > 1 ? `${text}${texts.covers(payments)}` : text, status);
  }

  /** TRAVEL, ALERTS OVER, SETTINGS and their quick replies (docs/messenger.md, "Customer controls"). */
  controls(): CustomerControls | undefined {
    if (this.ports.controls === undefined) return undefined;
    return new CustomerControls(
      this.subscriptions,
      { ...this.ports.controls, clock: this.ports.clock },
      (message) => this.send(message),
    );
  }

  async reply(text: string, outcome: EventOutcome): Promise<EventOutcome> {
    await this.send({ text });
    return outcome;
  }

  /** Replies are best effort: the state change is what counts, and Meta would redeliver otherwise. */
  private send(message: OutgoingMessage): Promise<void> {
    return this.sendTo(this.psid, message);
  }

  private async sendTo(psid: string, message: OutgoingMessage): Promise<void> {
    try {
      await this.ports.messenger.send({ psid, messagingType: 'RESPONSE', message });
    } catch (error) {
      this.ports.onReplyFailed?.(error);
    }
  }

  private async bankName(bankId: string): Promise<string> {
    return (await this.ports.banks.get(bankId))?.name ?? bankId;
  }
}
