import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCustomerHistory } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbRedriveStore } from '../../shared/adapters/dynamodb-redrive-store.ts';
import { checkMember, fraudCheckAlert } from '../../shared/domain/alert.ts';
import { newDelivery } from '../../shared/domain/callback-delivery.ts';
import { redrive } from '../../shared/domain/redrive.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../shared/domain/thresholds.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { scoringStream } from '../../shared/runtime/stream-settings.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';
import { waitFor } from '../support/wait-for.ts';

let tables: TestTables;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

beforeAll(async () => {
  tables = await createTestTables();
});

async function put(table: keyof TestTables['names'], item: object) {
  await tables.documentClient.send(new PutCommand({ TableName: tables.names[table], Item: item }));
}

describe('vigil redrive', () => {
  it('re-inserts stuck events and unclaimed alerts, gives up on unconfirmed sends, requeues dead callbacks', async () => {
    const event = (id: string, receivedAt: Date, occurredAt = receivedAt) =>
      toStoredEvent(
        'acme',
        id,
        cardTransaction({ occurredAt: occurredAt.toISOString(), transaction: { id } }),
        receivedAt,
      );
    await put('events', event('evt_stuck', minutesAgo(30)));
    await put('events', event('evt_recent', minutesAgo(1)));
    await put('events', { ...event('evt_scored', minutesAgo(30)), status: 'scored' });
    // Scored, and left `received`: its ledger entry keeps the decision.
    const kept = event('evt_kept', minutesAgo(30));
    await put('events', kept);
    const history = new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity);
    const at = Date.parse(kept.occurredAt);
    await history.record(
      'acme',
      kept.customerId,
      { eventId: kept.eventId, at, amount: 100, currency: 'EUR', authorized: true },
      { at, amount: 100, currency: 'EUR', country: 'FR', mcc: '5411', authorized: true, probe: false },
      { currency: 'EUR', ...historySettings(BUILT_IN_THRESHOLDS) },
      new Date(),
      () => ({ score: 0, alert: false, reasons: [] }),
    );
    // Arrived within the ledger's 48 hours, past them now: not told apart, left alone.
    await put('events', event('evt_aged', minutesAgo(48.5 * 60), minutesAgo(49 * 60)));
    const alert = (id: string, createdAt: Date) =>
      fraudCheckAlert(event(`evt_${id}`, createdAt), { score: 80, alert: true, reasons: [] }, createdAt);
    const unclaimed = alert('unclaimed', minutesAgo(30));
    const claimed = { ...alert('claimed', minutesAgo(30)), sendClaimedAt: minutesAgo(29).toISOString() };
    await put('alerts', unclaimed);
    await put('alerts', claimed);
    await put('alerts', alert('fresh', minutesAgo(1)));
    // The first alert of a fraud check that a transaction joined: changed in place, members kept.
    const check = alert('check', minutesAgo(30));
    const member = alert('member', minutesAgo(29));
    await put('alerts', {
      ...check,
      checkId: check.alertId,
      members: { [member.alertId]: checkMember(member, minutesAgo(29)) },
    });
    const dead = {
      ...newDelivery(
        { id: 'cb_dead', bankId: 'acme', type: 'alert.sent', occurredAt: '', data: {} },
        minutesAgo(2000),
      ),
      status: 'dead' as const,
    };
    await put('callbacks', dead);

    const alerts = new DynamoDbAlertStore(tables.documentClient, tables.names.alerts);
    const result = await redrive({
      store: new DynamoDbRedriveStore(tables.documentClient, tables.names),
      alerts,
      clock: systemClock,
      history,
    });

    expect(result).toEqual({
      eventsRescored: 1,
      eventsPastLedgerWindow: 1,
      alertsResent: 2,
      alertsUndeliverable: 1,
      callbacksRequeued: 1,
    });
    expect(await alerts.get(claimed.alertId)).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'send_unconfirmed',
    });
    expect(await alerts.get(check.alertId)).toMatchObject({
      status: 'pending',
      redrivenAt: expect.any(String),
      members: { [member.alertId]: expect.objectContaining({ transactionId: member.transactionId }) },
    });
    expect(
      await new DynamoDbCallbackOutbox(tables.documentClient, tables.names.callbacks).get('cb_dead'),
    ).toMatchObject({
      status: 'pending',
    });

    // The stuck event was inserted a second time: the scorer's stream sees it again.
    const inserts: string[] = [];
    const poller = await startStreamPoller({
      dynamoDb: tables.client,
      streams: new DynamoDBStreamsClient(localAwsConfig(inject('dynamoDbEndpoint'))),
      tableName: tables.names.events,
      functionName: 'recorder',
      handler: async (streamEvent: DynamoDBStreamEvent) => {
        for (const record of streamEvent.Records) {
          if (record.eventName === 'INSERT') inserts.push(record.dynamodb?.Keys?.eventKey?.S ?? '');
        }
        return { batchItemFailures: [] };
      },
      settings: scoringStream,
      onDeadLetter: () => undefined,
      pollIntervalMs: 20,
    });
    await waitFor(async () => (inserts.length >= 6 ? true : undefined));
    await poller.stop();
    expect(inserts.filter((key) => key === 'acme#evt_stuck')).toHaveLength(2);
    expect(inserts.filter((key) => key === 'acme#evt_recent')).toHaveLength(1);
    expect(inserts.filter((key) => key === 'acme#evt_kept')).toHaveLength(1);
    expect(inserts.filter((key) => key === 'acme#evt_aged')).toHaveLength(1);
  });
});
