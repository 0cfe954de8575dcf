import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { hashToken } from '../../shared/domain/enroll-customer.ts';
import {
  handleMessengerEvent,
  type MessengerEventPorts,
} from '../../shared/domain/handle-messenger-event.ts';
import type { MessagingEvent } from '../../shared/domain/messenger-webhook-schema.ts';
import { PAYLOADS, stoppedText, textsFor } from '../../shared/domain/render-message.ts';
import { CONSENT_VERSION, type Subscriber } from '../../shared/domain/subscriber.ts';
import { SendApiError } from '../../shared/ports/messenger.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const EN = textsFor('en_US');
const FR = textsFor('fr_FR');

function world() {
  const clock = new FixedClock(NOW);
  const replyFailures: unknown[] = [];
  const messenger = new FakeMessenger();
  const ports = {
    subscribers: new FakeSubscriberStore(() => clock.now()),
    enrollments: new FakeEnrollmentStore(),
    alerts: new FakeAlertStore(),
    inbound: new FakeInboundLog(),
    banks: new FakeBankDirectory([
      { bankId: 'acme', name: 'ACME Bank' },
      { bankId: 'globex', name: 'Globex' },
    ]),
    channels: { messenger: new MessengerChannel(messenger) },
    clock,
    onReplyFailed: (error: unknown) => replyFailures.push(error),
  } satisfies MessengerEventPorts;
  let seq = 0;
  const from = (psid: string, body: Partial<MessagingEvent>): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: 'page' },
    timestamp: NOW_MS - 1000,
    ...body,
  });
  return {
    ...ports,
    messenger,
    ports,
    replyFailures,
    /** A text message with a fresh message id. */
    text: (psid: string, text: string) => from(psid, { message: { mid: `mid.${++seq}`, text } }),
    /** A quick reply tap. */
    tap: (psid: string, payload: string) =>
      from(psid, { message: { mid: `mid.${++seq}`, text: 'x', quick_reply: { payload } } }),
    /** Opening an m.me link with a ref, as a referral. */
    open: (psid: string, ref: string) =>
      from(psid, { timestamp: NOW_MS - ++seq, referral: { ref, source: 'SHORTLINK' } }),
    from,
    handle: (event: MessagingEvent) => handleMessengerEvent(event, ports),
    async link(customerId: string, changes: { bankId?: string; locale?: string; expiresAt?: number } = {}) {
      const token = `token-${customerId}-${++seq}`;
      const enrollmentId = `enr-${customerId}-${seq}`;
      const bankId = changes.bankId ?? 'acme';
      await ports.enrollments.create({
        tokenHash: hashToken(token),
        enrollmentId,
        bankId,
        customerId,
        customerKey: `${bankId}#${customerId}`,
        locale: changes.locale ?? 'en_US',
        createdAt: NOW,
        expiresAt: changes.expiresAt ?? NOW_MS / 1000 + 3600,
        used: false,
      });
      return { token, enrollmentId };
    },
    subscribe: (changes: Partial<Subscriber> = {}) =>
      ports.subscribers.save({
        bankId: 'acme',
        customerId: 'c1',
        address: 'psid-1',
        status: 'active',
        locale: 'en_US',
        enrollmentId: 'enr-1',
        updatedAt: '2026-02-01T00:00:00.000Z',
        ...changes,
      }),
  };
}

describe('handleMessengerEvent: once per delivery', () => {
  it('ignores echoes and events with nothing to act on, without claiming them', async () => {
    const w = world();
    expect(
      await w.handle(w.from('psid-1', { message: { mid: 'mid.echo', text: 'STOP', is_echo: true } })),
    ).toBe('ignored');
    expect(await w.handle(w.from('psid-1', {}))).toBe('ignored');
    expect(w.inbound.claimed.size).toBe(0);
    expect(w.messenger.sent).toEqual([]);
  });

  it('handles a redelivered message id once', async () => {
    const w = world();
    await w.subscribe();
    const stop = w.text('psid-1', 'STOP');
    expect(await w.handle(stop)).toBe('stopped');
    await w.subscribers.changeStatus('acme', 'c1', ['revoked'], 'active');
    expect(await w.handle(stop)).toBe('duplicate');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('active');
    expect(w.messenger.sent).toHaveLength(1);
  });

  it('releases the delivery when handling fails, so that Meta’s retry is handled', async () => {
    const w = world();
    await w.subscribe();
    const failing = { ...w.ports, subscribers: Object.create(w.subscribers) as FakeSubscriberStore };
    failing.subscribers.changeStatus = async () => {
      throw new Error('throttled');
    };
    const stop = w.text('psid-1', 'STOP');
    await expect(handleMessengerEvent(stop, failing)).rejects.toThrow('throttled');
    expect(w.inbound.claimed.size).toBe(0);
    expect(await w.handle(stop)).toBe('stopped');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('revoked');
  });

  it('opens the 24 h window of every bank the person follows, at the message time', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribe({ bankId: 'globex', status: 'revoked' });
    await w.subscribe({ customerId: 'c2', address: 'someone-else' });
    await w.handle(w.text('psid-1', 'hello'));
    const at = new Date(NOW_MS - 1000).toISOString();
    expect((await w.subscribers.get('acme', 'c1'))?.lastInboundAt).toBe(at);
    expect((await w.subscribers.get('globex', 'c1'))?.lastInboundAt).toBe(at);
    expect((await w.subscribers.get('acme', 'c2'))?.lastInboundAt).toBeUndefined();
  });

  it('counts the event handled when a reply cannot be sent', async () => {
    const w = world();
    await w.subscribe();
    const failure = new SendApiError('blocked', 403, 200, undefined, false);
    w.messenger.failNext(failure);
    const stop = w.text('psid-1', 'STOP');
    expect(await w.handle(stop)).toBe('stopped');
    expect(w.replyFailures).toEqual([failure]);
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('revoked');
    expect(await w.handle(stop)).toBe('duplicate');
  });
});

describe('handleMessengerEvent: enrollment and consent', () => {
  it('asks for consent naming the bank, and keeps the subscription pending until Agree', async () => {
    const w = world();
    const { token, enrollmentId } = await w.link('c1', { locale: 'fr_FR' });
    expect(await w.handle(w.open('psid-1', token))).toBe('enrolled');
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({
      address: 'psid-1',
      status: 'pending_consent',
      enrollmentId,
      locale: 'fr_FR',
    });
    const [request] = w.messenger.sent;
    expect(request && 'message' in request && request.message).toEqual({
      text: FR.consentRequest('ACME Bank'),
      quickReplies: [
        { title: FR.agree, payload: PAYLOADS.agree(enrollmentId) },
        { title: FR.noThanks, payload: PAYLOADS.decline(enrollmentId) },
      ],
    });

    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree(enrollmentId)))).toBe('consented');
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({
      status: 'active',
      consentedAt: NOW,
      consentVersion: CONSENT_VERSION,
    });
    expect(w.messenger.textsTo('psid-1').at(-1)).toBe(FR.consentConfirmed('ACME Bank'));

    // Agree again (a second tap): confirmed again, nothing changes.
    w.clock.advance(60_000);
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree(enrollmentId)))).toBe('consented');
    expect((await w.subscribers.get('acme', 'c1'))?.consentedAt).toBe(NOW);
  });

  it('takes the enrollment from a postback referral (Get Started) too', async () => {
    const w = world();
    const { token } = await w.link('c1');
    const event = w.from('psid-1', { postback: { payload: 'GET_STARTED', referral: { ref: token } } });
    expect(await w.handle(event)).toBe('enrolled');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('pending_consent');
  });

  it('refuses a used, expired or unknown link and subscribes no one', async () => {
    const w = world();
    const used = await w.link('c1');
    await w.handle(w.open('psid-1', used.token));
    expect(await w.handle(w.open('psid-2', used.token))).toBe('link_invalid');
    const expired = await w.link('c2', { expiresAt: NOW_MS / 1000 });
    expect(await w.handle(w.open('psid-3', expired.token))).toBe('link_invalid');
    expect(await w.handle(w.open('psid-4', 'no-such-token'))).toBe('link_invalid');
    for (const psid of ['psid-2', 'psid-3', 'psid-4']) {
      expect(await w.subscribers.byAddress(psid)).toEqual([]);
      expect(w.messenger.textsTo(psid)).toEqual([EN.linkInvalid]);
    }
    expect(await w.subscribers.get('acme', 'c2')).toBeUndefined();
  });

  it('re-opening a fresh link when already subscribed on this account confirms, and changes nothing', async () => {
    const w = world();
    await w.subscribe({ consentedAt: '2026-02-01T00:00:00.000Z' });
    const { token } = await w.link('c1');
    expect(await w.handle(w.open('psid-1', token))).toBe('consented');
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({
      status: 'active',
      enrollmentId: 'enr-1',
      consentedAt: '2026-02-01T00:00:00.000Z',
    });
  });

  it('keeps the window the customer opened when a revoked subscription enrolls again', async () => {
    const w = world();
    await w.subscribe({ status: 'revoked', lastInboundAt: '2026-03-01T11:00:00.000Z' });
    const { token } = await w.link('c1');
    const open = w.open('psid-1', token);
    await w.handle(open);
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({
      status: 'pending_consent',
      lastInboundAt: new Date(open.timestamp).toISOString(),
    });
  });

  it('No thanks deletes a pending subscription; it cannot undo an active one', async () => {
    const w = world();
    const { token, enrollmentId } = await w.link('c1');
    await w.handle(w.open('psid-1', token));
    expect(await w.handle(w.tap('psid-1', PAYLOADS.decline(enrollmentId)))).toBe('declined');
    expect(await w.subscribers.get('acme', 'c1')).toBeUndefined();
    expect(w.messenger.textsTo('psid-1').at(-1)).toBe(EN.consentDeclined('ACME Bank'));

    await w.subscribe({ customerId: 'c2', enrollmentId: 'enr-active' });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.decline('enr-active')))).toBe('link_invalid');
    expect((await w.subscribers.get('acme', 'c2'))?.status).toBe('active');
  });

  it('Agree to an enrollment that is no longer pending (revoked meanwhile) activates nothing', async () => {
    const w = world();
    await w.subscribe({ status: 'revoked', enrollmentId: 'enr-old' });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree('enr-old')))).toBe('link_invalid');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('revoked');
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree('enr-unknown')))).toBe('link_invalid');
  });
});

describe('handleMessengerEvent: a second Messenger account opens a fresh link', () => {
  async function offered() {
    const w = world();
    await w.subscribe({ address: 'psid-old', lastInboundAt: '2026-03-01T11:00:00.000Z' });
    const { token, enrollmentId } = await w.link('c1', { locale: 'fr_FR' });
    expect(await w.handle(w.open('psid-new', token))).toBe('enrolled');
    // Until the newcomer agrees, the alerts still go to the first account.
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({ address: 'psid-old', status: 'active' });
    return { w, enrollmentId };
  }

  it('moves the subscription on Agree and tells the previous account', async () => {
    const { w, enrollmentId } = await offered();
    expect(await w.handle(w.tap('psid-new', PAYLOADS.agree(enrollmentId)))).toBe('consented');
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({
      address: 'psid-new',
      enrollmentId,
      locale: 'fr_FR',
      status: 'active',
      consentedAt: NOW,
      consentVersion: CONSENT_VERSION,
    });
    expect(w.messenger.textsTo('psid-old')).toEqual([EN.alertsMoved('ACME Bank')]);
    expect(w.messenger.textsTo('psid-new').at(-1)).toBe(FR.consentConfirmed('ACME Bank'));
    // The same tap again: the takeover is no longer pending.
    expect(await w.handle(w.tap('psid-new', PAYLOADS.agree(enrollmentId)))).toBe('consented');
    expect(w.messenger.textsTo('psid-old')).toHaveLength(1);
  });

  it('leaves the subscription to the first account on No thanks', async () => {
    const { w, enrollmentId } = await offered();
    expect(await w.handle(w.tap('psid-new', PAYLOADS.decline(enrollmentId)))).toBe('declined');
    const subscription = await w.subscribers.get('acme', 'c1');
    expect(subscription).toMatchObject({ address: 'psid-old', status: 'active' });
    expect(subscription).not.toHaveProperty('pendingPsid');
    expect(w.messenger.textsTo('psid-old')).toEqual([]);
    expect(await w.handle(w.tap('psid-new', PAYLOADS.agree(enrollmentId)))).toBe('link_invalid');
  });

  it('refuses Agree from a third account that was never offered the takeover', async () => {
    const { w, enrollmentId } = await offered();
    expect(await w.handle(w.tap('psid-intruder', PAYLOADS.agree(enrollmentId)))).toBe('link_invalid');
    expect(await w.handle(w.tap('psid-intruder', PAYLOADS.decline(enrollmentId)))).toBe('link_invalid');
    expect((await w.subscribers.get('acme', 'c1'))?.address).toBe('psid-old');
  });
});

describe('handleMessengerEvent: STOP, START, HELP', () => {
  it('STOP revokes every active subscription of this person only, naming each bank', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribe({ bankId: 'globex' });
    await w.subscribe({ customerId: 'c2', address: 'someone-else' });
    expect(await w.handle(w.text('psid-1', 'Stop please!'))).toBe('stopped');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('revoked');
    expect((await w.subscribers.get('globex', 'c1'))?.status).toBe('revoked');
    expect((await w.subscribers.get('acme', 'c2'))?.status).toBe('active');
    const [reply] = w.messenger.textsTo('psid-1');
    expect([
      stoppedText(['ACME Bank', 'Globex'], 'en_US'),
      stoppedText(['Globex', 'ACME Bank'], 'en_US'),
    ]).toContain(reply);
  });

  it('STOP with nothing active, or revoked a moment before by another device, says so', async () => {
    const w = world();
    expect(await w.handle(w.text('psid-1', 'STOP'))).toBe('stopped');
    await w.subscribe();
    const racing = { ...w.ports, subscribers: Object.create(w.subscribers) as FakeSubscriberStore };
    racing.subscribers.changeStatus = async () => false;
    expect(await handleMessengerEvent(w.text('psid-1', 'arrêt'), racing)).toBe('stopped');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.nothingToStop, EN.nothingToStop]);
  });

  it('START asks for a fresh consent for each revoked subscription; it never reactivates directly', async () => {
    const w = world();
    await w.subscribe({ status: 'revoked', enrollmentId: 'enr-a' });
    await w.subscribe({ bankId: 'globex', status: 'revoked', enrollmentId: 'enr-g' });
    expect(await w.handle(w.text('psid-1', 'start'))).toBe('restarted');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('pending_consent');
    expect((await w.subscribers.get('globex', 'c1'))?.status).toBe('pending_consent');
    expect(w.messenger.textsTo('psid-1').sort()).toEqual(
      [EN.consentRequest('ACME Bank'), EN.consentRequest('Globex')].sort(),
    );
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree('enr-g')))).toBe('consented');
    expect((await w.subscribers.get('globex', 'c1'))?.status).toBe('active');
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('pending_consent');
  });

  it('START with nothing revoked says there is nothing to turn back on', async () => {
    const w = world();
    await w.subscribe();
    expect(await w.handle(w.text('psid-1', 'START'))).toBe('restarted');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.nothingToStart]);
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('active');
  });

  it('answers HELP and Get Started with help in the customer’s language, and anything else with the commands', async () => {
    const w = world();
    await w.subscribe({ locale: 'fr_FR' });
    expect(await w.handle(w.text('psid-1', 'aide'))).toBe('help');
    expect(await w.handle(w.from('psid-1', { postback: { mid: 'mid.gs', payload: 'GET_STARTED' } }))).toBe(
      'help',
    );
    expect(await w.handle(w.text('psid-1', 'what is my balance?'))).toBe('unknown');
    expect(await w.handle(w.text('stranger', 'HELP'))).toBe('help');
    expect(w.messenger.textsTo('psid-1')).toEqual([FR.help, FR.help, FR.unknown]);
    expect(w.messenger.textsTo('stranger')).toEqual([EN.help]);
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('active');
  });
});

describe('handleMessengerEvent: answers to a fraud check', () => {
  const alertOf = ({
    bankId = 'acme',
    customerId = 'c1',
    transactionId = 't1',
    ref = 'ref-1',
  } = {}): Alert => ({
    alertId: `${bankId}#txn#${transactionId}`,
    ref,
    bankId,
    customerId,
    customerKey: `${bankId}#${customerId}`,
    kind: 'fraud_check',
    status: 'pending',
    eventId: 'e1',
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 1,
      currency: 'EUR',
      merchantName: 'M',
      merchantCountry: 'FR',
      occurredAt: NOW,
    },
    createdAt: NOW,
    expiresAt: 0,
  });

  async function sentAlert(
    w: ReturnType<typeof world>,
    psid = 'psid-1',
    which: Parameters<typeof alertOf>[0] = {},
  ): Promise<Alert> {
    const alert = alertOf(which);
    await w.alerts.fileFraudCheck(alert, w.clock.now());
    await w.alerts.claimSend(alert.alertId, w.clock.now());
    await w.alerts.markSent(alert.alertId, {
      address: psid,
      messageId: 'm1',
      sentAt: NOW,
      deadline: '2026-03-01T13:00:00.000Z',
    });
    return alert;
  }

  it('records Yes from the customer it was sent to', async () => {
    const w = world();
    await w.subscribe();
    await sentAlert(w);
    expect(await w.handle(w.tap('psid-1', PAYLOADS.yes('ref-1')))).toBe('confirmed');
    expect(await w.alerts.get('acme#txn#t1')).toMatchObject({ status: 'confirmed', answeredAt: NOW });
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.confirmed]);
  });

  it('records No and names the bank to call', async () => {
    const w = world();
    await w.subscribe();
    await sentAlert(w);
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-1')))).toBe('disputed');
    expect((await w.alerts.get('acme#txn#t1'))?.status).toBe('disputed');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.disputed('ACME Bank')]);
  });

  it('refuses an answer from another account, a second answer, an unknown ref and a late one', async () => {
    const w = world();
    await w.subscribe();
    await sentAlert(w);
    expect(await w.handle(w.tap('psid-other', PAYLOADS.no('ref-1')))).toBe('answer_late');
    expect((await w.alerts.get('acme#txn#t1'))?.status).toBe('sent');
    expect(await w.handle(w.tap('psid-1', PAYLOADS.yes('no-such-ref')))).toBe('answer_late');

    w.clock.advance(60 * 60 * 1000);
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-1')))).toBe('answer_late');
    expect((await w.alerts.get('acme#txn#t1'))?.status).toBe('sent');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.closed, EN.closed]);
    expect(w.messenger.textsTo('psid-other')).toEqual([EN.closed]);

    const again = world();
    await again.subscribe();
    await sentAlert(again);
    await again.handle(again.tap('psid-1', PAYLOADS.yes('ref-1')));
    expect(await again.handle(again.tap('psid-1', PAYLOADS.no('ref-1')))).toBe('answer_late');
    expect((await again.alerts.get('acme#txn#t1'))?.status).toBe('confirmed');
  });

  it('refuses an answer from another subscriber of the same bank, even with the right ref', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribe({ customerId: 'c2', address: 'psid-2', enrollmentId: 'enr-2' });
    await sentAlert(w);
    expect(await w.handle(w.tap('psid-2', PAYLOADS.yes('ref-1')))).toBe('answer_late');
    expect((await w.alerts.get('acme#txn#t1'))?.status).toBe('sent');
    // The alert is not c2's: it is not even found among that person's alerts.
    expect(await w.alerts.byRef({ bankId: 'acme', customerId: 'c2' }, 'ref-1')).toBeUndefined();
    expect(w.messenger.textsTo('psid-2')).toEqual([EN.closed]);
  });

  it('never answers a check through the ref of one of its members', async () => {
    const w = world();
    await w.subscribe();
    await sentAlert(w);
    // A second suspicious payment joins the open check: its own ref was never sent.
    await w.alerts.fileFraudCheck(alertOf({ transactionId: 't2', ref: 'ref-member' }), w.clock.now());
    expect((await w.alerts.get('acme#txn#t2'))?.status).toBe('grouped');
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-member')))).toBe('answer_late');
    expect((await w.alerts.get('acme#txn#t1'))?.status).toBe('sent');
    expect((await w.alerts.get('acme#txn#t2'))?.status).toBe('grouped');
    // The check's own ref answers it, for both payments.
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-1')))).toBe('disputed');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.closed, `${EN.disputed('ACME Bank')}${EN.covers(2)}`]);
  });

  it('finds the alert of whichever bank of the person it belongs to', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribe({ bankId: 'globex', customerId: 'g7', enrollmentId: 'enr-g7' });
    await sentAlert(w, 'psid-1', { bankId: 'globex', customerId: 'g7', transactionId: 't9', ref: 'ref-g' });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-g')))).toBe('disputed');
    expect((await w.alerts.get('globex#txn#t9'))?.status).toBe('disputed');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.disputed('Globex')]);
  });
});
