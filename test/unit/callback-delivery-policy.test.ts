import { describe, expect, it } from 'vitest';
import { type CallbackDelivery, FIRST_RETRY_DELAY_MS } from '../../shared/domain/callback-delivery.ts';
import {
  type CallbackAttempt,
  COOL_DOWN_MS,
  callbackDeliveryPolicy,
  PER_BANK_LIMIT,
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
  const policy = callbackDeliveryPolicy(
    {
      outbox,
      banks: new FakeBankDirectory(
        banks.map((bankId) => ({ bankId, name: bankId, callbackUrl: `https://${bankId}.example/cb` })),
      ),
      secrets: new FakeBankSecrets(
        Object.fromEntries(banks.map((bankId) => [bankId, { callback: [SECRET] }])),
      ),
      sender,
      clock,
    },
    (attempt) => attempts.push(attempt),
  );
  return { clock, outbox, sender, attempts, policy };
}

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

describe('the callback delivery policy, on the injected clock', () => {
  it('tries a queued callback at once and reports the attempt with its ids and outcome', async () => {
    const w = world();
    expect(await w.policy.firstAttempt(await queue(w, 'cb_1'))).toBe('delivered');
    expect(w.sender.calls.map((call) => call.url)).toEqual(['https://acme.example/cb']);
    expect(w.attempts).toEqual([
      { bankId: 'acme', deliveryId: 'cb_1', type: 'alert.sent', outcome: 'delivered' },
    ]);
  });

  it('leaves a bank that just failed to the retrier for COOL_DOWN_MS, by the clock, other banks untouched', async () => {
    const w = world();
    w.sender.answerNext(503);
    expect(await w.policy.firstAttempt(await queue(w, 'cb_1'))).toBe('retry');
    expect(w.attempts[0]).toMatchObject({ outcome: 'retry', error: 'HTTP 503' });

    w.clock.advance(COOL_DOWN_MS - 1);
    expect(await w.policy.firstAttempt(await queue(w, 'cb_2'))).toBe('cooling-down');
    expect(await w.policy.firstAttempt(await queue(w, 'cb_z', 'zeta'))).toBe('delivered');
    expect(w.sender.calls.map((call) => call.url)).toEqual([
      'https://acme.example/cb',
      'https://zeta.example/cb',
    ]);

    w.clock.advance(1);
    expect(await w.policy.firstAttempt(await queue(w, 'cb_3'))).toBe('delivered');
  });

  it('ends the cool-down once the bank answers again', async () => {
    const w = world();
    w.sender.answerNext(500);
    await w.policy.firstAttempt(await queue(w, 'cb_1'));
    // The retrier's attempt, when it is due, succeeds: the next queued callback goes at once.
    const due = Date.parse((await w.outbox.get('cb_1'))?.nextAttemptAt ?? '');
    w.clock.advance(due - w.clock.now().getTime());
    expect(await w.policy.retryDue()).toEqual({ attempted: 1 });
    expect(w.attempts.at(-1)).toMatchObject({ deliveryId: 'cb_1', outcome: 'delivered' });
    expect(await w.policy.firstAttempt(await queue(w, 'cb_2'))).toBe('delivered');
  });

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
});
