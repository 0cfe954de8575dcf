import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import { ForbiddenError, ServiceNotConfiguredError } from '../../shared/domain/errors.ts';
import { handleWebhookDelivery } from '../../shared/domain/handle-webhook-delivery.ts';
import { whatsappItems } from '../../shared/domain/whatsapp-webhook.ts';
import { whatsappFixture } from '../fixtures/whatsapp/whatsapp-fixture.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

// What a skipped item reports (docs/channels.md): where it could not be read, never a value.

describe('a Messenger item that cannot be read', () => {
  it('is skipped with the field at fault and changes nothing, beside a handled one', async () => {
    const clock = new FixedClock();
    const inbound = new FakeInboundLog();
    const hostile = '<script>alert(1)</script>'.repeat(40);
    const outcome = await handleWebhookDelivery(
      {
        object: 'page',
        entry: [
          {
            id: 'page',
            time: 1,
            messaging: [
              {
                sender: { id: { $gt: '' } },
                recipient: { id: 'page' },
                timestamp: 1,
                message: { mid: 'm.0', text: 'HELP' },
              },
              {
                sender: { id: 'psid_1' },
                recipient: { id: 'page' },
                timestamp: 1,
                message: { mid: hostile, text: 'HELP' },
              },
              {
                sender: { id: 'psid_1' },
                recipient: { id: 'page' },
                timestamp: 1,
                message: { mid: 'm.1', text: 'HELP' },
              },
            ],
          },
        ],
      },
      {
        subscribers: new FakeSubscriberStore(() => clock.now()),
        enrollments: new FakeEnrollmentStore(),
        alerts: new FakeAlertStore(),
        inbound,
        banks: new FakeBankDirectory([]),
        channels: { messenger: new MessengerChannel(new FakeMessenger()) },
        clock,
      },
    );
    expect(outcome.skipped).toEqual([
      { type: 'message', reason: 'invalid', field: 'sender.id' },
      { type: 'message', reason: 'invalid', field: 'message.mid' },
    ]);
    expect(JSON.stringify(outcome.skipped)).not.toContain('script');
    expect(outcome.outcomes).toHaveLength(1);
    expect([...inbound.claimed].some((key) => key.includes('m.1'))).toBe(true);
    expect(inbound.claimed.size).toBe(1);
  });
});

describe('the WhatsApp number a message came in on', () => {
  it('is the change’s phone_number_id, and absent when the metadata is missing or not a string', () => {
    const withMetadata = (metadata: unknown) => {
      const body = whatsappFixture('message-text', { phoneNumberId: '106540352242922' });
      const value = (body.entry as { changes: { value: Record<string, unknown> }[] }[])[0]?.changes[0]?.value;
      if (value !== undefined) value.metadata = metadata;
      const [item] = whatsappItems(body);
      return item?.act === 'message' ? item.event : undefined;
    };
    expect(withMetadata({ phone_number_id: '106540352242922' })?.via).toBe('106540352242922');
    for (const metadata of [undefined, 'x', [1], { phone_number_id: 12345 }]) {
      const event = withMetadata(metadata);
      expect(event?.address).toBe('16315551181');
      expect(event).not.toHaveProperty('via');
    }
  });
});

describe('webhook refusals', () => {
  it('are 403 for an unsigned request and 503 before Messenger is set up, with their default details', () => {
    const forbidden = new ForbiddenError();
    expect([forbidden.status, forbidden.problemType, forbidden.name]).toEqual([
      403,
      'forbidden',
      'ForbiddenError',
    ]);
    expect(forbidden.detail).toMatch(/not signed/);
    expect(new ForbiddenError('Wrong verify token.').detail).toBe('Wrong verify token.');
    const early = new ServiceNotConfiguredError();
    expect([early.status, early.problemType, early.name]).toEqual([
      503,
      'not-configured',
      'ServiceNotConfiguredError',
    ]);
    expect(early.detail).toMatch(/not configured/);
  });
});
