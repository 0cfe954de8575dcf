import type { AlertStore } from '../ports/alert-store.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import { type ChannelName, type Channels, channelOf } from '../ports/channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { EnrollmentStore } from '../ports/enrollment-store.ts';
import type { InboundLog } from '../ports/inbound-log.ts';
import type { SubscriberStore } from '../ports/subscriber-store.ts';
import type { ChannelEvent } from './channel-event.ts';
import { type ControlOutcome, type ControlPorts, CustomerControls, controlOf } from './customer-controls.ts';
import { hashToken } from './enroll-customer.ts';
import { alertOfSubscriptions } from './record-delivery.ts';
import { consentRequest, type OutgoingMessage, stoppedText, textsFor } from './render-message.ts';
import { CONSENT_VERSION, type Subscriber } from './subscriber.ts';

export interface ChannelEventPorts {
  readonly subscribers: SubscriberStore;
  readonly enrollments: EnrollmentStore;
  readonly alerts: AlertStore;
  readonly inbound: InboundLog;
  readonly banks: BankDirectory;
  /** The channels replies go out on: the event's own, and another one's for a moved subscription. */
  readonly channels: Channels;
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
 * Handles one customer event once, whatever its channel (docs/contract.md#customer-messaging):
 * a redelivery with the same key changes nothing; a failure releases the event, so that the
 * platform's retry handles it.
 */
export async function handleChannelEvent(
  event: ChannelEvent,
  ports: ChannelEventPorts,
): Promise<EventOutcome> {
  const now = ports.clock.now();
  if (!(await ports.inbound.claim(event.key, now))) return 'duplicate';
  try {
    const subscriptions = (await ports.subscribers.byAddress(event.address)).filter(
      (s) => channelOf(s) === event.channel,
    );
    // Any message from the customer opens the channel's window for every bank they follow.
    await Promise.all(subscriptions.map((s) => ports.subscribers.touch(s.bankId, s.customerId, event.at)));
    return await dispatch(event, subscriptions, new Conversation(event, subscriptions, ports));
  } catch (error) {
    await ports.inbound.release(event.key);
    throw error;
  }
}

async function dispatch(
  event: ChannelEvent,
  subscriptions: Subscriber[],
  chat: Conversation,
): Promise<EventOutcome> {
  const { action } = event;
  const locale = subscriptions[0]?.locale;
  const controls = chat.controls();
  switch (action.type) {
    case 'opened_link':
      return chat.enroll(action.token);
    case 'agreed':
      return chat.agree(action.enrollmentId);
    case 'declined':
      return chat.decline(action.enrollmentId);
    case 'answered':
      return chat.answer(action.ref, action.answer);
    case 'get_started':
      return chat.reply(textsFor(locale).help, 'help');
    case 'control':
      if (controls !== undefined) return controls.payload(action.action, action.argument);
      return chat.reply(textsFor(locale).unknown, 'unknown');
    case 'command':
      if (action.command === 'STOP') return chat.stop();
      if (action.command === 'START') return chat.start();
      return chat.reply(textsFor(locale).help, 'help');
    case 'text': {
      const control = controlOf(action.text);
      if (control !== undefined && controls !== undefined) return controls.command(control);
      return chat.reply(textsFor(locale).unknown, 'unknown');
    }
  }
}

/** One customer's conversation with the page. */
class Conversation {
  private readonly channel: ChannelName;
  private readonly address: string;

  constructor(
    private readonly event: ChannelEvent,
    private readonly subscriptions: readonly Subscriber[],
    private readonly ports: ChannelEventPorts,
  ) {
    this.channel = event.channel;
    this.address = event.address;
  }

  /** The app the customer reads messages in, as texts name it. */
  private get app(): string {
    return this.channel === 'whatsapp' ? 'WhatsApp' : 'Messenger';
  }

  /** True when this subscription (or its pending takeover) is this person on this channel. */
  private isMe(address: string | undefined, channel: ChannelName | undefined): boolean {
    return address === this.address && (channel ?? 'messenger') === this.channel;
  }

  /** Opened the bank's link: check the token, then ask for consent naming the bank. */
  async enroll(token: string): Promise<EventOutcome> {
    const claim = await this.ports.enrollments.claim(hashToken(token), this.ports.clock.now());
    if (!claim.claimed)
      return this.reply(textsFor(this.subscriptions[0]?.locale).linkInvalid, 'link_invalid');
    const { bankId, customerId, locale, enrollmentId } = claim.enrollment;
    const existing = await this.ports.subscribers.get(bankId, customerId);
    const bankName = await this.bankName(bankId);
    if (existing?.status === 'active' && this.isMe(existing.address, existing.channel)) {
      return this.reply(textsFor(locale).consentConfirmed(bankName), 'consented');
    }
    if (existing?.status === 'active') {
      // Someone else holds this subscription: it stays theirs until this person agrees.
      await this.ports.subscribers.offerTakeover(bankId, customerId, {
        address: this.address,
        channel: this.channel,
        enrollmentId,
        locale,
      });
      await this.send(consentRequest(bankName, enrollmentId, locale, this.app));
      return 'enrolled';
    }
    await this.ports.subscribers.save({
      bankId,
      customerId,
      address: this.address,
      ...(this.channel !== 'messenger' && { channel: this.channel }),
      status: 'pending_consent',
      locale,
      enrollmentId,
      updatedAt: this.ports.clock.now().toISOString(),
      ...(existing?.lastInboundAt !== undefined && { lastInboundAt: existing.lastInboundAt }),
    });
    await this.send(consentRequest(bankName, enrollmentId, locale, this.app));
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
      { address: this.address, channel: this.channel, enrollmentId },
      { consentedAt: now, consentVersion: CONSENT_VERSION, lastInboundAt: now },
    );
    const texts = textsFor(offered.pendingLocale);
    if (previous === undefined) return this.reply(texts.linkInvalid, 'link_invalid');
    const bankName = await this.bankName(offered.bankId);
    if (!this.isMe(previous.address, previous.channel)) {
      const moved = { text: textsFor(previous.locale).alertsMoved(bankName) };
      await this.sendTo(channelOf(previous), previous.address, moved, offered.bankId);
    }
    return this.reply(texts.consentConfirmed(bankName), 'consented');
  }

  /** No thanks to a link for a customer someone else is subscribed as: their subscription stays. */
  private async declineTakeover(enrollmentId: string): Promise<EventOutcome> {
    const offered = await this.offeredTakeover(enrollmentId);
    if (offered === undefined) return this.reply(textsFor(undefined).linkInvalid, 'link_invalid');
    await this.ports.subscribers.dropTakeover(offered.bankId, offered.customerId, this.address);
    const bankName = await this.bankName(offered.bankId);
    return this.reply(textsFor(offered.pendingLocale).consentDeclined(bankName), 'declined');
  }

  private async offeredTakeover(enrollmentId: string): Promise<Subscriber | undefined> {
    const offers = await this.ports.subscribers.pendingTakeovers(this.address);
    return offers.find(
      (s) => s.pendingEnrollmentId === enrollmentId && this.isMe(s.pendingAddress, s.pendingChannel),
    );
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
            this.app,
          ),
        );
      }
    }
    return 'restarted';
  }

  /** Yes / No to a fraud check, accepted only from the customer it was sent to, while open. */
  async answer(ref: string, status: 'confirmed' | 'disputed'): Promise<EventOutcome> {
    const alert = await alertOfSubscriptions(this.ports.alerts, this.subscriptions, ref);
    const subscription = this.subscriptions.find((s) => s.bankId === alert?.bankId);
    const texts = textsFor(subscription?.locale);
    if (alert === undefined || !this.isMe(alert.address, alert.channel))
      return this.reply(texts.closed, 'answer_late');
    if (!(await this.ports.alerts.answer(alert.alertId, status, this.address, this.ports.clock.now()))) {
      return this.reply(texts.closed, 'answer_late');
    }
    const text = status === 'confirmed' ? texts.confirmed : texts.disputed(await this.bankName(alert.bankId));
    // The answer applies to every payment of the fraud check, as it stood when it closed.
    const closed = await this.ports.alerts.get(alert.alertId);
    const payments = 1 + Object.keys(closed?.members ?? {}).length;
    return this.reply(payments > 1 ? `${text}${texts.covers(payments)}` : text, status);
  }

  /** TRAVEL, ALERTS OVER, SETTINGS and their quick replies (docs/channels.md, "Customer controls"). */
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
    return this.sendTo(this.channel, this.address, message);
  }

  /**
   * A reply goes from where the customer wrote (`via`); a message to someone on another channel
   * goes from the bank's identity there.
   */
  private async sendTo(
    channelName: ChannelName,
    to: string,
    message: OutgoingMessage,
    bankId?: string,
  ): Promise<void> {
    try {
      const channel = this.ports.channels[channelName];
      if (channel === undefined) throw new Error(`The ${channelName} channel is not configured.`);
      const from =
        channelName === this.channel
          ? this.event.via
          : bankId && (await this.ports.banks.get(bankId))?.whatsapp?.phoneNumberId;
      await channel.send({ kind: 'reply', to, ...(from && { from }), message });
    } catch (error) {
      this.ports.onReplyFailed?.(error);
    }
  }

  private async bankName(bankId: string): Promise<string> {
    return (await this.ports.banks.get(bankId))?.name ?? bankId;
  }
}
