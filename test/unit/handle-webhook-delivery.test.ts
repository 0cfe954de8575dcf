import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { MessengerEventPorts } from '../../shared/domain/handle-messenger-event.ts';
import { handleWebhookDelivery } from '../../shared/domain/handle-webhook-delivery.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW_MS = Date.parse('2026-03-01T12:00:00.000Z');

function ports(inbound = new FakeInboundLog()) {
  const clock = new FixedClock(new Date(NOW_MS));
  return {
    subscribers: new FakeSubscriberStore(() => clock.now()),
    enrollments: new FakeEnrollmentStore(),
    alerts: new FakeAlertStore(),
    inbound,
    banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME Bank' }]),
    channels: { messenger: new MessengerChannel(new FakeMessenger()) },
    clock,
  } satisfies MessengerEventPorts;
}

const text = (mid: string, body: string) => ({
  sender: { id: 'psid_1' },
  recipient: { id: 'page' },
  timestamp: NOW_MS - 1000,
  message: { mid, text: body },
});

const delivery = (...messaging: unknown[]) => ({
  object: 'page',
  entry: [{ id: 'page', time: NOW_MS, messaging }],
});

describe('a webhook delivery, item by item (docs/channels.md)', () => {
  it('handles each item it can act on, and skips the others with their reason', async () => {
    const outcome = await handleWebhookDelivery(
      delivery(text('mid.1', 'HELP'), {
        sender: { id: 'psid_1' },
        recipient: { id: 'page' },
        timestamp: 1,
        read: { watermark: 1 },
      }),
      ports(),
    );
    expect(outcome.outcomes).toHaveLength(1);
    expect(outcome.outcomes[0]).not.toBe('failed');
    expect(outcome.skipped).toEqual([{ type: 'read', reason: 'not_used' }]);
    expect(outcome.failure).toBeUndefined();
  });

  it('keeps handling the items after one that fails, and returns the first failure', async () => {
    const broken = new Error('inbound table unavailable');
    let calls = 0;
    const inbound = new FakeInboundLog();
    inbound.claim = async (key: string) => {
      calls++;
      if (calls === 1) throw broken;
      return FakeInboundLog.prototype.claim.call(inbound, key);
    };
    const outcome = await handleWebhookDelivery(
      delivery(text('mid.1', 'HELP'), text('mid.2', 'HELP')),
      ports(inbound),
    );
    expect(outcome.outcomes[0]).toBe('failed');
    expect(outcome.outcomes[1]).not.toBe('failed');
    expect(outcome.failure?.error).toBe(broken);
    // Meta's retry of the delivery finds the second item claimed.
    expect(inbound.claimed.size).toBe(1);
  });

  it('refuses a body that is not a webhook envelope at all', async () => {
    await expect(handleWebhookDelivery(undefined, ports())).rejects.toThrow(ValidationError);
    await expect(handleWebhookDelivery({ object: 'page' }, ports())).rejects.toThrow(ValidationError);
  });
});
