import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../cli/migrate.ts';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import { type Alert, messageCounterKey, openCheckKey } from '../../shared/domain/alert.ts';
import { handleMessengerEvent } from '../../shared/domain/handle-messenger-event.ts';
import { PAYLOADS } from '../../shared/domain/render-message.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import {
  FakeBankDirectory,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The alerts' one index by customer and ref (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md)
// on DynamoDB Local: items written by the release before it (legacy layout: `ref` or `memberRef`,
// and `customerKey`, in the `byRef` and `byCustomer` indexes) are still found and erased, and
// `vigil migrate` moves them; erasure leaves nothing of the customer in the alerts table.

const NOW = new Date('2036-03-01T12:00:00.000Z');
const DEADLINE = '2036-03-01T13:00:00.000Z';

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});

function alertOf(bankId: string, customerId: string, changes: Partial<Alert> = {}): Alert {
  const id = randomUUID();
  return {
    alertId: `${bankId}#txn#${id}`,
    ref: `ref-${id}`,
    bankId,
    customerId,
    customerKey: `${bankId}#${customerId}`,
    kind: 'fraud_check',
    status: 'pending',
    eventId: `evt-${id}`,
    transactionId: id,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 12.5,
      currency: 'EUR',
      merchantName: 'Shop',
      merchantCountry: 'FR',
      occurredAt: NOW.toISOString(),
    },
    createdAt: NOW.toISOString(),
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
    ...changes,
  };
}

/** A sent alert as the release before the index stored it: `ref`, `customerKey`, `psid`. */
async function putLegacy(alert: Alert, member?: { checkId: string }): Promise<void> {
  const { address, ref, ...rest } = alert;
  const item = member
    ? { ...rest, memberRef: ref, status: 'grouped', checkId: member.checkId }
    : { ...rest, ref, ...(address !== undefined && { psid: address }) };
  await tables.documentClient.send(new PutCommand({ TableName: tables.names.alerts, Item: item }));
}

/** A message counter as the release before stored it: with `customerKey`, in `byCustomer`. */
async function putLegacyCounter(bankId: string, customerId: string, at: Date): Promise<string> {
  const alertId = messageCounterKey(bankId, customerId, at);
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.names.alerts,
      Item: { alertId, customerKey: `${bankId}#${customerId}`, sent: 1, expiresAt: 2_100_000_000 },
    }),
  );
  return alertId;
}

/** A document client that records the index of every Query it makes. */
function recordingClient(): { client: DynamoDBDocumentClient; indexes: string[] } {
  const client = documentClientFor(new DynamoDBClient(localAwsConfig(inject('dynamoDbEndpoint'))));
  const indexes: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string };
      if (context.commandName === 'QueryCommand') indexes.push(input.IndexName ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'recordIndexes' },
  );
  return { client, indexes };
}

const migrationTables = () => ({
  client: tables.documentClient,
  thresholds: tables.names.thresholds,
  activity: tables.names.activity,
  alerts: tables.names.alerts,
});

/** Every alerts item that names the customer anywhere (its key, its attributes, a copy). */
async function alertsItemsAbout(customerId: string) {
  return (await tables.scan('alerts')).filter((item) => JSON.stringify(item).includes(customerId));
}

const sent = { status: 'sent' as const, address: 'psid-1', deadline: DEADLINE, messageId: 'm1' };

describe('the alerts index by customer and ref', () => {
  it('writes an alert and a check member with the index attributes only, and a counter with none', async () => {
    const store = new DynamoDbAlertStore(tables.documentClient, tables.names.alerts);
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const first = alertOf(bankId, 'c1');
    const member = alertOf(bankId, 'c1');
    await store.fileFraudCheck(first, NOW);
    await store.fileFraudCheck(member, NOW);
    await store.takeMessageSlot(first, NOW, 5);
    const items = await alertsItemsAbout(bankId);
    const byId = (id: string) => items.find((item) => item.alertId === id);
    for (const [alert, status] of [
      [first, 'pending'],
      [member, 'grouped'],
    ] as const) {
      const item = byId(alert.alertId);
      expect(item).toMatchObject({ ownerKey: `${bankId}#c1`, alertRef: alert.ref, status });
      // Not in the legacy indexes: no write to them.
      expect(item).not.toHaveProperty('ref');
      expect(item).not.toHaveProperty('memberRef');
      expect(item).not.toHaveProperty('customerKey');
    }
    const counter = byId(messageCounterKey(bankId, 'c1', NOW));
    expect(counter).toMatchObject({ sent: 1 });
    expect(Object.keys(counter ?? {}).sort()).toEqual(['alertId', 'expiresAt', 'sent']);
    const openCheck = byId(openCheckKey(bankId, 'c1'));
    expect(openCheck).toMatchObject({ checkId: first.alertId });
    expect(openCheck).not.toHaveProperty('ownerKey');
  });

  it('finds an alert of the legacy layout by its customer and ref, and nobody else’s', async () => {
    const { client, indexes } = recordingClient();
    const store = new DynamoDbAlertStore(client, tables.names.alerts);
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const legacy = alertOf(bankId, 'c1', sent);
    const legacyMember = alertOf(bankId, 'c1');
    await putLegacy(legacy);
    await putLegacy(legacyMember, { checkId: legacy.alertId });
    expect(await store.byRef({ bankId, customerId: 'c1' }, legacy.ref)).toMatchObject({
      alertId: legacy.alertId,
      ref: legacy.ref,
      customerKey: `${bankId}#c1`,
      address: 'psid-1',
    });
    // The new index first, the legacy one when it found nothing.
    expect(indexes).toEqual(['byCustomerRef', 'byRef']);
    // Another customer of the bank, or the same id at another bank, with the right ref.
    expect(await store.byRef({ bankId, customerId: 'c2' }, legacy.ref)).toBeUndefined();
    expect(await store.byRef({ bankId: `${bankId}-x`, customerId: 'c1' }, legacy.ref)).toBeUndefined();
    // A member's ref answers nothing.
    expect(await store.byRef({ bankId, customerId: 'c1' }, legacyMember.ref)).toBeUndefined();
    // The answer path, with the person's subscription: accepted from the address it was sent to.
    const clock = new FixedClock(NOW.toISOString());
    const subscribers = new FakeSubscriberStore(() => clock.now());
    const subscription = { bankId, status: 'active' as const, locale: 'en_US', updatedAt: NOW.toISOString() };
    await subscribers.save({ ...subscription, customerId: 'c1', address: 'psid-1', enrollmentId: 'e1' });
    await subscribers.save({ ...subscription, customerId: 'c2', address: 'psid-2', enrollmentId: 'e2' });
    const ports = {
      subscribers,
      enrollments: new FakeEnrollmentStore(),
      alerts: store,
      inbound: new FakeInboundLog(),
      banks: new FakeBankDirectory([{ bankId, name: 'Bank' }]),
      channels: { messenger: new MessengerChannel(new FakeMessenger()) },
      clock,
    };
    const tap = (psid: string, payload: string, mid: string) =>
      handleMessengerEvent(
        {
          sender: { id: psid },
          recipient: { id: 'page' },
          timestamp: NOW.getTime(),
          message: { mid, text: 'x', quick_reply: { payload } },
        },
        ports,
      );
    expect(await tap('psid-2', PAYLOADS.no(legacy.ref), 'mid-1')).toBe('answer_late');
    expect(await tap('psid-1', PAYLOADS.no(legacyMember.ref), 'mid-2')).toBe('answer_late');
    expect((await store.get(legacy.alertId))?.status).toBe('sent');
    expect(await tap('psid-1', PAYLOADS.no(legacy.ref), 'mid-3')).toBe('disputed');
    expect((await store.get(legacy.alertId))?.status).toBe('disputed');
  });

  it('vigil migrate moves old items to the new index, keeps newer changes, and changes nothing run again', async () => {
    const { client, indexes } = recordingClient();
    const store = new DynamoDbAlertStore(client, tables.names.alerts);
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const legacy = alertOf(bankId, 'c1', sent);
    const legacyMember = alertOf(bankId, 'c1');
    const notice = alertOf(bankId, 'c2', { kind: 'low_balance', status: 'pending' });
    const claimed = alertOf(bankId, 'c4', {
      kind: 'low_balance',
      status: 'pending',
      sendClaimedAt: NOW.toISOString(),
    });
    await putLegacy(legacy);
    await putLegacy(legacyMember, { checkId: legacy.alertId });
    await putLegacy(notice);
    await putLegacy(claimed);
    const counter = await putLegacyCounter(bankId, 'c1', NOW);
    // Written by this release: left as they are.
    const current = alertOf(bankId, 'c1');
    await store.createOnce(current);
    await store.takeMessageSlot({ bankId, customerId: 'c3' }, NOW, 5);
    const before = await alertsItemsAbout(bankId);

    const first = await migrate(migrationTables(), NOW);
    expect(first.alertsMoved).toBeGreaterThanOrEqual(3);
    expect(first.alertsLeftPending).toBeGreaterThanOrEqual(1);
    expect(first.messageCountersMoved).toBeGreaterThanOrEqual(1);
    const after = await alertsItemsAbout(bankId);
    const itemOf = (id: string) => after.find((item) => item.alertId === id);
    for (const [alert, status] of [
      [legacy, 'sent'],
      [legacyMember, 'grouped'],
      [claimed, 'pending'],
    ] as const) {
      const item = itemOf(alert.alertId);
      expect(item).toMatchObject({
        ownerKey: alert.customerKey,
        alertRef: alert.ref,
        status,
        bankId,
        customerId: alert.customerId,
      });
      expect(item).not.toHaveProperty('ref');
      expect(item).not.toHaveProperty('memberRef');
      expect(item).not.toHaveProperty('customerKey');
    }
    // A pending alert without a send claim is left as it is: rewriting it would send it.
    expect(itemOf(notice.alertId)).toEqual(before.find((i) => i.alertId === notice.alertId));
    // Everything else of the legacy alert is as it was (the address, the deadline...).
    const { ref: _ref, customerKey: _key, ...kept } = before.find((i) => i.alertId === legacy.alertId) ?? {};
    expect(itemOf(legacy.alertId)).toMatchObject(kept);
    expect(itemOf(counter)).toEqual({ alertId: counter, sent: 1, expiresAt: 2_100_000_000 });
    expect(itemOf(current.alertId)).toEqual(before.find((i) => i.alertId === current.alertId));
    // Now found through the new index alone.
    expect(await store.byRef(legacy, legacy.ref)).toMatchObject({
      alertId: legacy.alertId,
      address: 'psid-1',
    });
    expect(indexes).toEqual(['byCustomerRef']);
    expect(await store.byRef(legacyMember, legacyMember.ref)).toBeUndefined();

    const again = await migrate(migrationTables(), NOW);
    expect(again).toMatchObject({ alertsMoved: 0, messageCountersMoved: 0 });
    expect(await alertsItemsAbout(bankId)).toEqual(after);
  });

  it('vigil migrate does not bring back an alert erased while it runs, nor undo a status change', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const erased = alertOf(bankId, 'c1', sent);
    const answered = alertOf(bankId, 'c2', sent);
    await putLegacy(erased);
    await putLegacy(answered);
    const store = new DynamoDbAlertStore(tables.documentClient, tables.names.alerts);
    // The migration's scan reads both; before its updates, one is erased and the other answered.
    let changed = false;
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'UpdateCommand' && !changed) {
          changed = true;
          await new DynamoDbCustomerEraser(tables.documentClient, tables.names, () => NOW).erase(
            bankId,
            'c1',
            `er-${bankId}`,
          );
          expect(await store.answer(answered.alertId, 'confirmed', 'psid-1', NOW)).toBe(true);
        }
        return tables.documentClient.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    await migrate({ ...migrationTables(), client }, NOW);
    expect(await alertsItemsAbout(`${bankId}#c1`)).toEqual([]);
    expect(await store.get(answered.alertId)).toMatchObject({
      status: 'confirmed',
      ref: answered.ref,
      customerKey: answered.customerKey,
    });
    const [item] = await alertsItemsAbout(answered.alertId);
    expect(item).toMatchObject({ ownerKey: answered.customerKey, alertRef: answered.ref });
  });
});

describe('erasure in the alerts table', () => {
  it('leaves no item of the customer: check and members, notice, counters, old and migrated alerts', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const customerId = `cus_${randomUUID().slice(0, 8)}`;
    /** The customer's items: naming them anywhere (key, attributes, a copy), at this bank. */
    const left = async () =>
      (await tables.scan('alerts')).filter(
        (item) =>
          JSON.stringify(item).includes(customerId) &&
          (item.bankId === bankId || String(item.alertId).startsWith(`${bankId}#`)),
      );
    const store = new DynamoDbAlertStore(tables.documentClient, tables.names.alerts);
    // Written by the release before this one, then moved by `vigil migrate`.
    const migrated = alertOf(bankId, customerId, { status: 'confirmed', address: 'psid-1' });
    const migratedMember = alertOf(bankId, customerId);
    await putLegacy(migrated);
    await putLegacy(migratedMember, { checkId: migrated.alertId });
    await migrate(migrationTables(), NOW);
    // Written by the release before this one, not migrated: a check with a member, a counter.
    const legacy = alertOf(bankId, customerId, { status: 'expired', address: 'psid-1' });
    const legacyMember = alertOf(bankId, customerId);
    await putLegacy(legacy);
    await putLegacy(legacyMember, { checkId: legacy.alertId });
    await putLegacyCounter(bankId, customerId, new Date(NOW.getTime() - 60 * 60_000));
    // Written by this release: an open check with two members, a low-balance notice, counters
    // of this hour, of 30 hours ago (expired, not yet removed by TTL) and of the next hour (a
    // writer whose clock is ahead).
    await store.fileFraudCheck(alertOf(bankId, customerId), NOW);
    await store.fileFraudCheck(alertOf(bankId, customerId), NOW);
    await store.fileFraudCheck(alertOf(bankId, customerId), NOW);
    await store.createOnce(alertOf(bankId, customerId, { kind: 'low_balance' }));
    for (const hoursAgo of [0, 30, -1]) {
      await store.takeMessageSlot({ bankId, customerId }, new Date(NOW.getTime() - hoursAgo * 3600_000), 5);
    }
    // Another customer of the bank, and the same customer id at another bank, keep theirs.
    const otherCustomer = alertOf(bankId, `other_${randomUUID().slice(0, 8)}`);
    const otherBank = alertOf(`${bankId}-x`, customerId);
    await store.fileFraudCheck(otherCustomer, NOW);
    await store.createOnce(otherBank);
    await store.takeMessageSlot(otherCustomer, NOW, 5);
    await store.takeMessageSlot(otherBank, NOW, 5);
    // 2 migrated, 3 legacy (one a counter), 3 + 1 of the open check, 1 notice, 3 counters.
    expect(await left()).toHaveLength(13);

    await new DynamoDbCustomerEraser(tables.documentClient, tables.names, () => NOW).erase(
      bankId,
      customerId,
      `er-${customerId}`,
    );

    expect(await left()).toEqual([]);
    expect(await store.get(otherCustomer.alertId)).toBeDefined();
    expect(await store.get(otherBank.alertId)).toBeDefined();
    const counters = (await tables.scan('alerts')).filter((item) =>
      [otherCustomer, otherBank].some((a) => item.alertId === messageCounterKey(a.bankId, a.customerId, NOW)),
    );
    expect(counters).toHaveLength(2);
  });
});
