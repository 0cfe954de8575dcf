import { describe, expect, it } from 'vitest';
import { type CallbackDelivery, FIRST_RETRY_DELAY_MS } from '../../shared/domain/callback-delivery.ts';
import {
  type CallbackAttempt,
  COOL_DOWN_MS,
  callbackDeliveryPolicy,
  FIRST_ATTEMPT_TIME_NEEDED_MS,
  firstCallbackAttempts,
  PER_BANK_LIMIT,
  SLOW_ATTEMPT_MS,
} from '../../shared/domain/deliver-callbacks.ts';
import {
  FakeBankDirectory,
  FakeBankSecrets,
  FakeCallbackOutbox,
  FakeCallbackSender,
  FixedClock,
} from '../support/fakes/index.ts';

const T0 = '2026-03-01T12:00:00.000Z';
const SECRET = `whsec_${Buffer.from('current-callback-secret-32-bytes!').toString('base64')}`;

function world() {
  const clock = new FixedClock(T0);
  const outbox = new FakeCallbackOutbox();
  const sender = new FakeCallbackSender();
  const attempts: CallbackAttempt[] = [];
  const banks = ['acme', 'zeta'];
  const ports = {
    outbox,
    banks: new FakeBankDirectory(
      banks.map((bankId) => ({ bankId, name: bankId, callbackUrl: `https://${bankId}.example/cb` })),
    ),
    secrets: new FakeBankSecrets(Object.fromEntries(banks.map((bankId) => [bankId, { callback: [SECRET] }]))),
    sender,
    clock,
  };
  const policy = callbackDeliveryPolicy(ports, (attempt) => attempts.push(attempt));
  return { clock, outbox, sender, attempts, policy, sendPorts: ports, first: firstCallbackAttempts(ports) };
}

const callback = (deliveryId: string, bankId = 'acme') => ({
  deliveryId,
  bankId,
  body: JSON.stringify({ id: deliveryId }),
});

async function queue(
  w: ReturnType<typeof world>,
  deliveryId: string,
  bankId = 'acme',
): Promise<CallbackDelivery> {
  const delivery: CallbackDelivery = {
    deliveryId,
    bankId,
    type: 'alert.sent',
    body: JSON.stringify({ id: deliveryId }),
    status: 'pending',
    attempts: 0,
    createdAt: w.clock.now().toISOString(),
    nextAttemptAt: new Date(w.clock.now().getTime() + FIRST_RETRY_DELAY_MS).toISOString(),
    expiresAt: 0,
  };
  await w.outbox.enqueue(delivery);
  return delivery;
}

describe('the first attempts at new callbacks, on the injected clock', () => {
  it('sends a callback at once and says it was delivered', async () => {
    const w = world();
    expect(await w.first.attempt(callback('cb_1'))).toEqual({ type: 'delivered' });
    expect(w.sender.calls.map((call) => [call.url, call.headers['webhook-id']])).toEqual([
      ['https://acme.example/cb', 'cb_1'],
    ]);
  });

  it('leaves a bank that just failed to the outbox for COOL_DOWN_MS, by the clock, other banks untouched', async () => {
    const w = world();
    w.sender.answerNext(503);
    expect(await w.first.attempt(callback('cb_1'))).toEqual({ type: 'failed', error: 'HTTP 503' });

    const failedAt = w.clock.now().getTime();
    w.clock.advance(COOL_DOWN_MS - 1);
    // Queued to be sent after the failed one's retry (30 s and up to 20 % jitter after it).
    expect(await w.first.attempt(callback('cb_2'))).toEqual({
      type: 'not-attempted',
      reason: 'cooling-down',
      notBefore: new Date(failedAt + 37_000),
    });
    expect(await w.first.attempt(callback('cb_z', 'zeta'))).toEqual({ type: 'delivered' });
    expect(w.sender.calls.map((call) => call.url)).toEqual([
      'https://acme.example/cb',
      'https://zeta.example/cb',
    ]);

    w.clock.advance(1);
    expect(await w.first.attempt(callback('cb_3'))).toEqual({ type: 'delivered' });
    // Answered again: the cool-down is over at once, even if the bank fails again later.
    w.sender.answerNext(new Error('boom'));
    expect(await w.first.attempt(callback('cb_4'))).toMatchObject({ type: 'failed' });
    expect(await w.first.attempt(callback('cb_5'))).toMatchObject({ type: 'not-attempted' });
  });

  it('leaves a bank that answers, but slowly, to the outbox once its attempts took SLOW_BANK_BUDGET_MS within COOL_DOWN_MS', async () => {
    const w = world();
    const slowSender = {
      calls: 0,
      async post() {
        this.calls++;
        w.clock.advance(4_000);
        return 200;
      },
    };
    const first = firstCallbackAttempts({ ...w.sendPorts, sender: slowSender });
    for (const id of ['cb_1', 'cb_2', 'cb_3']) {
      expect(await first.attempt(callback(id))).toEqual({ type: 'delivered' });
    }
    // 12 s spent on acme within the minute: the rest waits for the retrier; zeta is still called.
    expect(await first.attempt(callback('cb_4'))).toEqual({ type: 'not-attempted', reason: 'bank-slow' });
    expect(await first.attempt(callback('cb_z', 'zeta'))).toEqual({ type: 'delivered' });
    expect(slowSender.calls).toBe(4);
    // A new minute, a new budget.
    w.clock.advance(COOL_DOWN_MS);
    expect(await first.attempt(callback('cb_5'))).toEqual({ type: 'delivered' });
  });

  it('never holds back a bank that answers fast, however many callbacks it gets', async () => {
    const w = world();
    const fastSender = {
      async post() {
        w.clock.advance(SLOW_ATTEMPT_MS - 1);
        return 200;
      },
    };
    const first = firstCallbackAttempts({ ...w.sendPorts, sender: fastSender });
    for (let i = 0; i < 60; i++) {
      expect(await first.attempt(callback(`cb_${i}`))).toEqual({ type: 'delivered' });
    }
  });

  it('does not send a callback it delivered again when its record comes back to the same environment', async () => {
    const w = world();
    expect(await w.first.attempt(callback('cb_1'))).toEqual({ type: 'delivered' });
    expect(await w.first.attempt(callback('cb_1'))).toEqual({ type: 'delivered' });
    expect(w.sender.calls).toHaveLength(1);
    // One that failed is tried again by the next record after the cool-down.
    w.sender.answerNext(503);
    expect(await w.first.attempt(callback('cb_2'))).toMatchObject({ type: 'failed' });
    w.clock.advance(COOL_DOWN_MS);
    expect(await w.first.attempt(callback('cb_2'))).toEqual({ type: 'delivered' });
    expect(w.sender.calls).toHaveLength(3);
  });

  it('makes no attempt with less than FIRST_ATTEMPT_TIME_NEEDED_MS left in the invocation', async () => {
    const w = world();
    expect(await w.first.attempt(callback('cb_1'), FIRST_ATTEMPT_TIME_NEEDED_MS - 1)).toEqual({
      type: 'not-attempted',
      reason: 'no-time-left',
    });
    expect(w.sender.calls).toEqual([]);
    expect(await w.first.attempt(callback('cb_1'), FIRST_ATTEMPT_TIME_NEEDED_MS)).toEqual({
      type: 'delivered',
    });
  });

  it('counts a bank without a valid URL or secret as failed, and calls nothing', async () => {
    const w = world();
    expect(await w.first.attempt(callback('cb_1', 'unknown'))).toEqual({
      type: 'failed',
      error: 'no valid callback URL or callback secret',
    });
    expect(w.sender.calls).toEqual([]);
  });
});

describe('the callback retrier, on the injected clock', () => {
  it('retries what is due, each bank up to PER_BANK_LIMIT per run, and nothing before its time', async () => {
    const w = world();
    for (let i = 0; i < PER_BANK_LIMIT + 2; i++) await queue(w, `cb_${String(i).padStart(2, '0')}`);
    await queue(w, 'cb_z', 'zeta');
    expect(await w.policy.retryDue()).toEqual({ attempted: 0 });
    w.clock.advance(FIRST_RETRY_DELAY_MS);
    expect(await w.policy.retryDue()).toEqual({ attempted: PER_BANK_LIMIT + 1 });
    expect(w.attempts.filter((a) => a.bankId === 'zeta')).toHaveLength(1);
    expect(await w.policy.retryDue()).toEqual({ attempted: 2 });
    expect(await w.policy.retryDue()).toEqual({ attempted: 0 });
  });

  it('reports each attempt with its ids, outcome and error', async () => {
    const w = world();
    await queue(w, 'cb_1');
    w.clock.advance(FIRST_RETRY_DELAY_MS);
    w.sender.answerNext(500);
    await w.policy.retryDue();
    expect(w.attempts).toEqual([
      { bankId: 'acme', deliveryId: 'cb_1', type: 'alert.sent', outcome: 'retry', error: 'HTTP 500' },
    ]);
    w.clock.advance(FIRST_RETRY_DELAY_MS * 2);
    await w.policy.retryDue();
    expect(w.attempts.at(-1)).toEqual({
      bankId: 'acme',
      deliveryId: 'cb_1',
      type: 'alert.sent',
      outcome: 'delivered',
    });
  });
});
