import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { createHandler as CreateHandler } from '../../functions/notify-bank.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { InMemoryCompromisedMerchants } from '../../shared/adapters/in-memory-compromised-merchants.ts';
import { InMemoryErasureMarkers } from '../../shared/adapters/in-memory-erasure-markers.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { DAY_MS } from '../../shared/domain/activity.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import type { CallbackDelivery as Delivery } from '../../shared/domain/callback-delivery.ts';
import { merchantKeyOf, reporterOf } from '../../shared/domain/compromised-merchant.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { FakeBankDirectory, FakeBankSecrets, FakeCallbackSender } from '../support/fakes/index.ts';

// notify-bank turns a "No, it wasn't me" into confirmed fraud (docs/scoring.md, "Confirmed
// fraud"): the merchants of the disputed check's payments are marked, once per answer, never for
// a customer erased meanwhile.

const KEY = 'reporter-key-of-the-unit-tests-0123';
const answeredAt = '2026-11-29T10:01:00.000Z';
const display = (merchantName: string, merchantId?: string) => ({
  cardLast4: '4242',
  amount: 64_900,
  currency: 'EUR',
  merchantName,
  merchantCountry: 'FR',
  ...(merchantId !== undefined && { merchantId }),
  occurredAt: '2026-11-29T09:59:00Z',
});
const check = (status: Alert['status'], extra: Partial<Alert> = {}): Alert => ({
  alertId: 'acme#txn#t1',
  ref: 'r',
  bankId: 'acme',
  customerId: 'cus_1',
  customerKey: 'acme#cus_1',
  kind: 'fraud_check',
  status,
  eventId: 'evt_1',
  transactionId: 't1',
  score: 80,
  reasons: [],
  display: display('Bakery'),
  createdAt: '2026-11-29T09:59:01Z',
  expiresAt: 0,
  checkId: 'acme#txn#t1',
  erasureRef: 'er_cus_1',
  receivedAt: '2026-11-29T09:59:00.500Z',
  members: {
    'acme#txn#t2': {
      transactionId: 't2',
      score: 60,
      reasons: [],
      display: display('Kiosk', 'mid_7'),
      joinedAt: '2026-11-29T09:59:30Z',
    },
  },
  ...(status === 'disputed' && { answeredAt }),
  ...extra,
});

const image = (alert: Alert) =>
  marshall(alert, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
const record = (before: Alert, after: Alert): DynamoDBRecord =>
  ({
    eventID: `${before.status}-${after.status}`,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: { OldImage: image(before), NewImage: image(after), SequenceNumber: '1' },
  }) as unknown as DynamoDBRecord;

let createHandler: typeof CreateHandler;
beforeAll(async () => {
  vi.stubEnv('CALLBACKS_TABLE', 'callbacks');
  vi.stubEnv('ACTIVITY_TABLE', 'activity');
  vi.stubEnv('THRESHOLDS_TABLE', 'thresholds');
  vi.stubEnv('SECRET_PREFIX', 'vigil/test');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  ({ createHandler } = await import('../../functions/notify-bank.ts'));
});

async function world() {
  const merchants = new InMemoryCompromisedMerchants();
  const erasures = new InMemoryErasureMarkers();
  const thresholds = new InMemoryThresholdStore();
  await thresholds.putBankDefault('acme', {
    ...BUILT_IN_THRESHOLDS,
    compromisedMerchants: { days: 5, minReporters: 1 },
  });
  const queued: Delivery[] = [];
  const marks: string[] = [];
  const sender = new FakeCallbackSender();
  const handler = createHandler({
    banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME', callbackUrl: 'https://acme.example/cb' }]),
    secrets: new FakeBankSecrets({
      acme: { callback: [`whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`] },
    }),
    sender,
    outbox: {
      enqueue: async (delivery: Delivery) => {
        queued.push(delivery);
        return true;
      },
    } as never,
    clock: { now: () => new Date('2026-11-29T10:05:00Z') },
    erasures,
    subscriberRefKey: async () => 'subscriber-ref-key',
    fraudFeedback: {
      thresholds,
      reporterKey: async () => KEY,
      merchants: {
        mark: async (bankId, merchantKey, reporter, until, now) => {
          marks.push(`${bankId} ${merchantKey} ${reporter} ${until.toISOString()}`);
          await merchants.mark(bankId, merchantKey, reporter, until, now);
        },
        reporters: (...args) => merchants.reporters(...args),
        forget: (...args) => merchants.forget(...args),
      },
    },
  });
  const deliver = (...records: DynamoDBRecord[]) =>
    handler({ Records: records }, lambdaContext('notify-bank'));
  /** The types of the callbacks the bank received. */
  const told = () => sender.calls.map((call) => (JSON.parse(call.body) as { type: string }).type);
  return { merchants, erasures, queued, marks, deliver, told };
}

const other = reporterOf(KEY, 'acme', 'cus_2');
const at = new Date(Date.parse(answeredAt) + DAY_MS);

describe('notify-bank and "No, it wasn\'t me"', () => {
  it('marks every payment’s merchant of the disputed check from the answer’s time, once per answer', async () => {
    const { merchants, marks, queued, deliver, told } = await world();
    const answer = record(check('sent'), check('disputed'));
    expect(await deliver(answer)).toEqual({ batchItemFailures: [] });
    const until = new Date(Date.parse(answeredAt) + 5 * DAY_MS).toISOString();
    const reporter = reporterOf(KEY, 'acme', 'cus_1');
    expect(marks.sort()).toEqual([
      `acme FR:BAKERY ${reporter} ${until}`,
      `acme mid:mid_7 ${reporter} ${until}`,
    ]);
    expect(marks.join()).not.toContain('cus_1');
    expect(
      await merchants.reporters('acme', merchantKeyOf({ name: 'bakery', country: 'FR' }), other, at),
    ).toBe(1);
    expect(await merchants.reporters('acme', 'mid:mid_7', other, at)).toBe(1);
    expect(await merchants.reporters('other-bank', 'mid:mid_7', other, at)).toBe(0);
    expect(told()).toEqual(['alert.disputed', 'alert.disputed']);
    expect(queued).toEqual([]);
    // A redelivered record marks the same window: nothing moves.
    await deliver(answer);
    expect(new Set(marks).size).toBe(2);
  });

  it('marks nothing for another outcome, a joined transaction or an unchanged status', async () => {
    const { marks, deliver } = await world();
    await deliver(
      record(check('sent'), check('confirmed', { answeredAt })),
      record(check('sent'), check('expired')),
      record(check('disputed'), check('disputed')),
      record(
        check('grouped', { alertId: 'acme#txn#t2', transactionId: 't2' }),
        check('disputed', { alertId: 'acme#txn#t2', transactionId: 't2' }),
      ),
    );
    expect(marks).toEqual([]);
  });

  it('removes the marks again when the erasure lands while they are written', async () => {
    const { merchants, queued, erasures, deliver, told } = await world();
    const checked = erasures.erasedAt.bind(erasures);
    let calls = 0;
    // The first check finds no erasure; the customer is erased before the second.
    erasures.erasedAt = async (ref: string) => {
      calls++;
      if (calls === 2) await erasures.mark('er_cus_1', new Date('2026-11-29T10:02:00Z'));
      return checked(ref);
    };
    await deliver(record(check('sent'), check('disputed')));
    expect(calls).toBe(2);
    expect(await merchants.reporters('acme', 'FR:BAKERY', other, at)).toBe(0);
    expect(await merchants.reporters('acme', 'mid:mid_7', other, at)).toBe(0);
    expect(queued).toEqual([]);
    expect(told()).toEqual([]);
  });

  it('marks nothing when the customer was erased after the event arrived', async () => {
    const { marks, queued, erasures, deliver, told } = await world();
    await erasures.mark('er_cus_1', new Date('2026-11-29T10:02:00Z'));
    await deliver(record(check('sent'), check('disputed')));
    expect(marks).toEqual([]);
    expect(queued).toEqual([]);
    expect(told()).toEqual([]);
  });
});
