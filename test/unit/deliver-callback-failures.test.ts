import { describe, expect, it } from 'vitest';
import { type CallbackDelivery, FIRST_RETRY_DELAY_MS } from '../../shared/domain/callback-delivery.ts';
import { type DeliverCallbackPorts, deliverCallback } from '../../shared/domain/deliver-callbacks.ts';
import {
  FakeBankDirectory,
  FakeBankSecrets,
  FakeCallbackOutbox,
  FakeCallbackSender,
  FixedClock,
} from '../support/fakes/index.ts';

// The outbox failing around an attempt, a hostile callback URL, and two attempts at once.

const T0 = '2026-03-01T12:00:00.000Z';
const SECRET = `whsec_${Buffer.from('current-callback-secret-32-bytes!').toString('base64')}`;

function world(callbackUrl = 'https://bank.example/vigil') {
  const clock = new FixedClock(new Date(Date.parse(T0) + FIRST_RETRY_DELAY_MS));
  const failures: string[] = [];
  const ports = {
    outbox: new FakeCallbackOutbox(),
    banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME Bank', callbackUrl }]),
    secrets: new FakeBankSecrets({ acme: { callback: [SECRET] } }),
    sender: new FakeCallbackSender(),
    clock,
    onFailure: (failure: string) => failures.push(failure),
  } satisfies DeliverCallbackPorts;
  return { ...ports, ports, failures };
}

async function queued(w: ReturnType<typeof world>): Promise<CallbackDelivery> {
  const delivery: CallbackDelivery = {
    deliveryId: 'cb_1',
    bankId: 'acme',
    type: 'alert.answered',
    body: '{"type":"alert.answered","id":"cb_1"}',
    status: 'pending',
    attempts: 0,
    createdAt: T0,
    nextAttemptAt: new Date(Date.parse(T0) + FIRST_RETRY_DELAY_MS).toISOString(),
    expiresAt: 1_800_000_000,
  };
  await w.outbox.enqueue(delivery);
  return delivery;
}

describe('deliverCallback when the outbox fails', () => {
  it('reschedules a callback the bank took but that could not be recorded: the bank gets it again under the same webhook-id', async () => {
    const w = world();
    const delivery = await queued(w);
    const failing = Object.create(w.outbox) as FakeCallbackOutbox;
    failing.markDelivered = async () => {
      throw Object.assign(new Error('Throughput exceeded for table vigil-callbacks'), {
        name: 'ProvisionedThroughputExceededException',
      });
    };
    expect(await deliverCallback(delivery, { ...w.ports, outbox: failing })).toBe('retry');
    // Named in a few words: neither the table nor the body in the failure.
    expect(w.failures).toHaveLength(1);
    expect(w.failures[0]).not.toMatch(/vigil-callbacks|alert\.answered/);
    const again = (await w.outbox.get('cb_1')) as CallbackDelivery;
    expect(again).toMatchObject({ status: 'pending', attempts: 1 });
    w.clock.advance(Date.parse(again.nextAttemptAt as string) - w.clock.now().getTime());
    expect(await deliverCallback(again, w.ports)).toBe('delivered');
    expect(w.sender.calls.map((c) => c.headers['webhook-id'])).toEqual(['cb_1', 'cb_1']);
  });

  it('lets only one of two attempts at once post the callback', async () => {
    const w = world();
    const delivery = await queued(w);
    const outcomes = await Promise.all([
      deliverCallback(delivery, w.ports),
      deliverCallback(delivery, w.ports),
    ]);
    expect(outcomes.sort()).toEqual(['delivered', 'skipped']);
    expect(w.sender.calls).toHaveLength(1);
  });
});

describe('deliverCallback to a callback URL Vigil may not call', () => {
  it.each([
    'http://bank.example/vigil',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.7/vigil',
    'https://user:secret@bank.example/vigil',
    'javascript:alert(1)',
  ])('calls no one at %s and reschedules', async (url) => {
    const w = world(url);
    expect(await deliverCallback(await queued(w), w.ports)).toBe('retry');
    expect(w.sender.calls).toEqual([]);
    expect(w.failures).toEqual(['no valid callback URL or callback secret']);
  });
});
