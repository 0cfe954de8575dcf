import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/notify-bank.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { InMemoryCompromisedMerchants } from '../../shared/adapters/in-memory-compromised-merchants.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { storedSubscriberSchema } from '../../shared/adapters/stored-address.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { alertsTableItemSchema, callbackDeliverySchema } from '../../shared/domain/table-items.ts';
import { InvalidStreamRecordError, readStreamRecord } from '../../shared/runtime/stream-records.ts';
import {
  FakeBankDirectory,
  FakeBankSecrets,
  FakeCallbackOutbox,
  FakeCallbackSender,
  FakeErasureMarkers,
  FixedClock,
} from '../support/fakes/index.ts';

const alert = (status: string, extra: Record<string, unknown> = {}) => ({
  alertId: 'acme#txn#txn_1',
  ref: 'r',
  bankId: 'acme',
  customerId: 'cus_secret_1',
  customerKey: 'acme#cus_secret_1',
  kind: 'fraud_check',
  status,
  eventId: 'evt_1',
  transactionId: 'txn_1',
  score: 80,
  reasons: [{ rule: 'singleTransaction', observed: 60_000, limit: 50_000, currency: 'EUR' }],
  display: {
    cardLast4: '4242',
    amount: 60_000,
    currency: 'EUR',
    merchantName: 'Hostile <script>',
    merchantCountry: 'FR',
    occurredAt: '2026-11-29T09:59:00Z',
  },
  createdAt: '2026-11-29T09:59:01Z',
  expiresAt: 0,
  ...extra,
});

let sequence = 0;
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { before?: object; after?: object },
): DynamoDBRecord {
  sequence++;
  return {
    eventID: `ev_${sequence}`,
    eventName,
    dynamodb: {
      SequenceNumber: String(sequence),
      ...(images.before && { OldImage: marshall(images.before, { removeUndefinedValues: true }) as never }),
      ...(images.after && { NewImage: marshall(images.after, { removeUndefinedValues: true }) as never }),
    },
  };
}

describe('stream records read with their table schema', () => {
  it('unmarshalls both images of a valid record, sets included', () => {
    const change = readStreamRecord(
      record('MODIFY', {
        before: alert('sent'),
        after: alert('sent', {
          summarized: new Set(['acme#txn#txn_2']),
          lastFollowUpAt: '2026-11-29T10:00:00Z',
        }),
      }),
      alertsTableItemSchema,
    );
    expect(change.eventName).toBe('MODIFY');
    expect(change.before?.kind).toBe('fraud_check');
    expect((change.after as Alert).summarized).toEqual(new Set(['acme#txn#txn_2']));
  });

  it("reads the alerts table's bookkeeping items as items without kind", () => {
    const change = readStreamRecord(
      record('INSERT', { after: { alertId: 'acme#open-check#cus_1', checkId: 'x' } }),
      alertsTableItemSchema,
    );
    expect(change.after?.kind).toBeUndefined();
    expect(change.before).toBeUndefined();
  });

  it.each([
    ['an unknown status', alert('bogus'), 'status'],
    ['an unknown kind', alert('sent', { kind: 'gift_card' }), 'kind'],
    ['a score that is text', alert('sent', { score: '80' }), 'score'],
    ['no display', alert('sent', { display: undefined }), 'display'],
  ])('refuses an alert with %s, naming the path and never the values', (_name, image, path) => {
    const read = () => readStreamRecord(record('INSERT', { after: image }), alertsTableItemSchema);
    expect(read).toThrow(InvalidStreamRecordError);
    try {
      read();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('NewImage');
      expect(message).toContain(path);
      for (const secret of ['cus_secret_1', '4242', 'Hostile', '60000'])
        expect(message).not.toContain(secret);
    }
  });

  it('refuses a subscription without its address, and a delivery with a negative attempt count', () => {
    const subscriber = { bankId: 'acme', customerId: 'c', status: 'active' };
    expect(() => readStreamRecord(record('REMOVE', { before: subscriber }), storedSubscriberSchema)).toThrow(
      /OldImage.*address/,
    );
    const delivery = {
      deliveryId: 'd',
      bankId: 'acme',
      type: 'alert.sent',
      body: '{}',
      status: 'pending',
      attempts: -1,
      createdAt: 'x',
      expiresAt: 0,
    };
    expect(() => readStreamRecord(record('INSERT', { after: delivery }), callbackDeliverySchema)).toThrow(
      /attempts/,
    );
  });
});

describe("the callbacks table's items", () => {
  const delivery = {
    deliveryId: 'd',
    bankId: 'acme',
    type: 'alert.sent',
    status: 'pending',
    attempts: 0,
    createdAt: '2026-11-29T10:00:00Z',
    expiresAt: 0,
  };

  it('keep their body until delivered, and may drop it then', () => {
    const read = (item: object) =>
      readStreamRecord(record('MODIFY', { after: item }), callbackDeliverySchema).after;
    expect(read({ ...delivery, body: '{"id":"d"}' })?.body).toBe('{"id":"d"}');
    expect(read({ ...delivery, status: 'delivered', attempts: 1 })?.status).toBe('delivered');
    expect(() => read(delivery)).toThrow(/body/);
    expect(() => read({ ...delivery, status: 'dead' })).toThrow(/body/);
  });

  it('read a subscription with only what its consumer needs, its stored psid as the address', () => {
    const subscription = { bankId: 'acme', customerId: 'c', psid: 'p', status: 'active' };
    expect(readStreamRecord(record('INSERT', { after: subscription }), storedSubscriberSchema).after).toEqual(
      {
        bankId: 'acme',
        customerId: 'c',
        address: 'p',
        status: 'active',
      },
    );
    const whatsapp = { ...subscription, psid: '33611111111', channel: 'whatsapp' };
    expect(
      readStreamRecord(record('INSERT', { after: whatsapp }), storedSubscriberSchema).after,
    ).toMatchObject({
      address: '33611111111',
      channel: 'whatsapp',
    });
  });
});

describe('a stream function given an invalid record', () => {
  it('reports that record alone in the partial batch response and handles the others', async () => {
    const outbox = new FakeCallbackOutbox();
    const sender = new FakeCallbackSender();
    const handler = createHandler({
      banks: new FakeBankDirectory([
        { bankId: 'acme', name: 'ACME', callbackUrl: 'https://acme.example/cb' },
      ]),
      secrets: new FakeBankSecrets({
        acme: { callback: [`whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`] },
      }),
      sender,
      outbox,
      erasures: new FakeErasureMarkers(),
      clock: new FixedClock('2026-11-29T10:00:00Z'),
      subscriberRefKey: async () => 'key',
      fraudFeedback: {
        merchants: new InMemoryCompromisedMerchants(),
        thresholds: new InMemoryThresholdStore(),
        reporterKey: async () => 'reporter-key-of-the-unit-tests-0123',
      },
    });
    const good = record('MODIFY', { before: alert('sent'), after: alert('confirmed') });
    const bad = record('MODIFY', { before: alert('sent'), after: alert('confirmed', { status: 42 }) });
    const event: DynamoDBStreamEvent = { Records: [good, bad] };
    const response = await handler(event, lambdaContext('notify-bank'));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.dynamodb?.SequenceNumber }] });
    // The good one reached the bank (nothing queued).
    expect(sender.calls).toHaveLength(1);
    expect(await outbox.due('acme', new Date('2030-01-01T00:00:00Z'), 10)).toHaveLength(0);
  });
});
