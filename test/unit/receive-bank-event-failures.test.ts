import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BankRequest } from '../../shared/domain/authenticate-bank-request.ts';
import { type ReceiveBankEventPorts, receiveBankEvent } from '../../shared/domain/receive-bank-event.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import {
  FakeBankSecrets,
  FakeErasureKeys,
  FakeEventStore,
  FakeSubscriberDirectory,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

// A dependency that fails while an event is received, and two deliveries of one event at once.

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

async function world() {
  const subscriberStore = new FakeSubscriberStore();
  await subscriberStore.save({
    bankId: 'acme',
    customerId: 'cust_1',
    address: 'psid-1',
    status: 'active',
    locale: 'en_US',
    enrollmentId: 'enr-1',
    updatedAt: '2026-03-01T12:00:00.000Z',
  });
  const events = new FakeEventStore();
  const ports: ReceiveBankEventPorts = {
    secrets: new FakeBankSecrets({ acme: { signing: [SECRET] } }),
    subscribers: new FakeSubscriberDirectory(subscriberStore),
    events,
    // The signature check reads the real time: the fixed clock starts at it.
    clock: new FixedClock(new Date()),
    erasure: new FakeErasureKeys(),
  };
  return { ports, events, subscriberStore };
}

function request(eventId = 'evt_1', customerId = 'cust_1'): BankRequest {
  const text = JSON.stringify(cardTransaction({ customerId }));
  return { bankId: 'acme', headers: signedHeaders(SECRET, text, { eventId }), body: Buffer.from(text) };
}

describe('receiveBankEvent when a dependency fails', () => {
  it.each([
    ['the subscription read', 'subscribers'],
    ['the erasure key', 'erasure'],
  ] as const)(
    'stores nothing when %s fails, and the retry of the same delivery is accepted',
    async (_, port) => {
      const w = await world();
      const failing: ReceiveBankEventPorts = {
        ...w.ports,
        subscribers: {
          isSubscribed: async (...args) => {
            if (port === 'subscribers') throw new Error('ServiceUnavailable');
            return w.ports.subscribers.isSubscribed(...args);
          },
        },
        erasure: {
          refOf: async (...args) => {
            if (port === 'erasure') throw new Error('ServiceUnavailable');
            return w.ports.erasure.refOf(...args);
          },
        },
      };
      await expect(receiveBankEvent(request(), failing)).rejects.toThrow('ServiceUnavailable');
      // Accepted, not a duplicate: nothing was stored under its id.
      expect(await receiveBankEvent(request(), w.ports)).toEqual({ id: 'evt_1', status: 'accepted' });
    },
  );

  it('propagates a failed write, so the bank retries the same delivery and it is stored once', async () => {
    const w = await world();
    const failing = Object.create(w.events) as FakeEventStore;
    failing.putIfAbsent = async () => {
      throw new Error('InternalServerError');
    };
    await expect(receiveBankEvent(request(), { ...w.ports, events: failing })).rejects.toThrow(
      'InternalServerError',
    );
    expect(await receiveBankEvent(request(), w.ports)).toEqual({ id: 'evt_1', status: 'accepted' });
    expect(await receiveBankEvent(request(), w.ports)).toEqual({ id: 'evt_1', status: 'duplicate' });
  });
});

describe('receiveBankEvent, one event delivered twice at once', () => {
  it('accepts one and answers the other as a duplicate', async () => {
    const w = await world();
    const outcomes = await Promise.all([
      receiveBankEvent(request(), w.ports),
      receiveBankEvent(request(), w.ports),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['accepted', 'duplicate']);
  });

  it('ignores the event of a customer who stopped (revoked) before it arrived', async () => {
    const w = await world();
    await w.subscriberStore.changeStatus('acme', 'cust_1', ['active'], 'revoked');
    expect(await receiveBankEvent(request(), w.ports)).toEqual({
      id: 'evt_1',
      status: 'ignored',
      reason: 'not_subscribed',
    });
    expect(await w.ports.events.isScored('acme', 'evt_1')).toBe(false);
  });
});
