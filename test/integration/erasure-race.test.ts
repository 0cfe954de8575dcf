import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHandler as createNotifyBankHandler } from '../../functions/notify-bank.ts';
import { createHandler as createNotifyCustomerHandler } from '../../functions/notify-customer.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { localAwsConfig } from '../../local/local-stack.ts';
import { type StreamHandler, type StreamPoller, startStreamPoller } from '../../local/stream-poller.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import {
  DynamoDbErasedDataCleaner,
  DynamoDbErasureMarkers,
} from '../../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import { GuardedCallbackSender } from '../../shared/adapters/guarded-callback-sender.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import {
  callbackSecretName,
  SecretStoreBankSecrets,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import { scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { SendRequest } from '../../shared/ports/messenger.ts';
import { callbackStream, notifyStream, type StreamSettings } from '../../shared/runtime/stream-settings.ts';
import type { TableKey } from '../../shared/runtime/table-definitions.ts';
import { tableKeys } from '../../shared/runtime/table-definitions.ts';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { TEST_REPORTER_KEY } from '../support/test-keys.ts';
import { scoringPorts, startTestScoring, type TestScoring } from '../support/test-scoring.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';
import { waitFor } from '../support/wait-for.ts';

// Erasure wins every race (docs/security.md, "Erasure"): 50 suspicious events are accepted for a
// subscribed customer, then the customer is erased before any is scored. Then the whole pipeline
// runs (scoring, customer notification, callback queuing and delivery, on the tables' streams as
// in AWS). Nothing about the customer may come back, and the bank hears of no alert.

const BANK = 'race-bank';
const CUSTOMER = 'cus_race1';
const EVENTS = 50;

let tables: TestTables;
let api: TestBankApi;
let scoring: TestScoring;
const pollers: StreamPoller[] = [];
const sent: SendRequest[] = [];
const received: { type: string; customerId?: unknown; reason?: unknown }[] = [];
const bank = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      type: string;
      data: Record<string, unknown>;
    };
    received.push({ type: body.type, customerId: body.data.customerId, reason: body.data.reason });
    response.writeHead(200).end();
  });
});

async function poll(table: TableKey, functionName: string, handler: StreamHandler, settings: StreamSettings) {
  pollers.push(
    await startStreamPoller({
      dynamoDb: tables.client,
      streams: new DynamoDBStreamsClient(localAwsConfig(inject('dynamoDbEndpoint'))),
      tableName: tables.names[table],
      functionName,
      handler,
      settings,
      onDeadLetter: () => {
        throw new Error(`dead letter in ${functionName}`);
      },
      pollIntervalMs: 20,
    }),
  );
}

/** Starts what the stack runs on the streams, after the events are in and the customer erased. */
async function startPipeline() {
  const { documentClient: client, names } = tables;
  scoring = await startTestScoring(tables);
  const notifyCustomer = createNotifyCustomerHandler({
    alerts: new DynamoDbAlertStore(client, names.alerts),
    subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
    banks: new DynamoDbBankDirectory(client, names.banks),
    channels: {
      messenger: new MessengerChannel({
        send: async (request) => {
          sent.push(request);
          return { messageId: `m_${sent.length}` };
        },
      }),
    },
    clock: systemClock,
    erasures: new DynamoDbErasedDataCleaner(client, names),
    sleep: (ms) => sleep(ms),
    maxAttempts: notifyStream.retryAttempts + 1,
  });
  const secretsFile = join(await mkdtemp(join(tmpdir(), 'vigil-race-')), 'secrets.json');
  const callbackSecret = newWebhookSecret();
  await writeFile(
    secretsFile,
    JSON.stringify({ [callbackSecretName('vigil/test', BANK)]: { current: callbackSecret } }),
  );
  const notifyBank = createNotifyBankHandler({
    outbox: new DynamoDbCallbackOutbox(client, names.callbacks),
    banks: new DynamoDbBankDirectory(client, names.banks),
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), 'vigil/test'),
    // The production timeout: on a busy machine a shorter one would leave callbacks to the retrier.
    sender: new GuardedCallbackSender({ allowLoopback: true }),
    allowLoopbackHttp: true,
    clock: systemClock,
    erasures: new DynamoDbErasureMarkers(client, names.activity),
    subscriberRefKey: async () => 'subscriber-ref-key-of-the-test',
    fraudFeedback: {
      merchants: new DynamoDbCompromisedMerchants(client, names.activity),
      thresholds: new DynamoDbThresholdStore(client, names.thresholds),
      reporterKey: async () => TEST_REPORTER_KEY,
    },
  });
  await poll('alerts', 'notify-customer', notifyCustomer as StreamHandler, notifyStream);
  await poll('alerts', 'notify-bank', notifyBank as StreamHandler, callbackStream);
  await poll('subscribers', 'notify-bank', notifyBank as StreamHandler, callbackStream);
}

/** Every item of every table that names the customer, its card or its Messenger id. */
async function itemsAbout(customerId: string): Promise<{ table: string; item: Record<string, unknown> }[]> {
  const found = [];
  for (const table of tableKeys) {
    for (const item of await tables.scan(table)) {
      const text = JSON.stringify(item);
      if (text.includes(customerId) || text.includes(`psid_${customerId}`)) found.push({ table, item });
    }
  }
  return found;
}

/** An active subscription whose customer wrote a moment ago: alerts go out as plain messages. */
async function subscribe(customerId = CUSTOMER) {
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.names.subscribers,
      Item: {
        bankId: BANK,
        customerId,
        status: 'active',
        psid: `psid_${customerId}`,
        locale: 'en_US',
        consentedAt: new Date().toISOString(),
        lastInboundAt: new Date().toISOString(),
      },
    }),
  );
}

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK]);
  await new Promise<void>((resolve) => bank.listen(0, '127.0.0.1', resolve));
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.names.banks,
      Item: {
        bankId: BANK,
        name: 'Race Bank',
        callbackUrl: `http://127.0.0.1:${(bank.address() as AddressInfo).port}/callbacks`,
      },
    }),
  );
  await subscribe();
});

afterAll(async () => {
  await Promise.all([...pollers.map((poller) => poller.stop()), scoring?.stop()]);
  await api.close();
  bank.closeAllConnections();
  await new Promise<void>((resolve) => bank.close(() => resolve()));
});

describe('erasure under load', () => {
  it(`leaves nothing but the marker after ${EVENTS} events in flight, and the bank hears of no alert`, async () => {
    const accepted = await Promise.all(
      Array.from({ length: EVENTS }, async (_, i) => {
        const body = JSON.stringify(suspiciousTransaction(CUSTOMER, `txn_race_${i}`));
        return (await api.postSigned(BANK, body, `evt_race_${i}`)).status;
      }),
    );
    expect(accepted).toEqual(Array(EVENTS).fill(202));

    expect((await api.call(BANK, 'DELETE', `/customers/${CUSTOMER}`)).status).toBe(204);
    await startPipeline();

    // Drained: the unsubscribed callback was delivered at once, and no stream has anything left to do.
    await waitFor(
      async () => (received.some((callback) => callback.type === 'customer.unsubscribed') ? true : undefined),
      20_000,
      'the erasure callback',
    );
    // Delivered at the first attempt: nothing was queued for a retry.
    expect(await tables.scan('callbacks')).toEqual([]);
    await sleep(3000);

    expect(await itemsAbout(CUSTOMER)).toEqual([]);
    const markers = (await tables.scan('activity')).filter((item) =>
      String(item.counterKey).startsWith('erased#'),
    );
    expect(markers).toHaveLength(1);
    expect(Object.keys(markers[0] ?? {}).sort()).toEqual(['bucket', 'counterKey', 'erasedAt', 'expiresAt']);
    expect(await tables.scan('alerts')).toEqual([]);
    expect(await tables.scan('events')).toEqual([]);
    expect(sent).toEqual([]);
    // The bank heard of the subscription made before the test, then of the erasure: no alert.
    expect(received.map((callback) => callback.type).sort()).toEqual([
      'customer.subscribed',
      'customer.unsubscribed',
    ]);
    expect(received.find((callback) => callback.type === 'customer.unsubscribed')).toMatchObject({
      customerId: CUSTOMER,
      reason: 'erased',
    });
    expect(scoring.deadLetters).toEqual([]);
  });

  it('lets the customer subscribe again: events after the erasure are scored and alerted', async () => {
    await subscribe();
    const body = JSON.stringify(suspiciousTransaction(CUSTOMER, 'txn_after_erasure'));
    expect((await api.postSigned(BANK, body, 'evt_after_erasure')).status).toBe(202);
    await waitFor(async () => (sent.length > 0 ? true : undefined), 20_000, 'the new alert');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.psid).toBe(`psid_${CUSTOMER}`);
    const alerts = (await tables.scan('alerts')).filter((alert) => alert.customerId === CUSTOMER);
    expect(alerts.map((alert) => alert.transactionId)).toEqual(['txn_after_erasure']);
  });

  it('erases the open fraud check, which is in no index', async () => {
    const customer = 'cus_open_check';
    // Subscribed, so that the check stays open while the question waits for an answer (for a
    // customer who cannot be reached, notify-customer would close it before the scan below).
    await subscribe(customer);
    const ref = await api.ports.erasure.refOf(BANK, customer);
    const event = toStoredEvent(BANK, 'evt_open', suspiciousTransaction(customer, 'txn_open'), new Date(), {
      erasureRef: ref,
    });
    const outcome = await scoreBankEvent(event, scoringPorts(tables));
    expect(outcome).toMatchObject({ type: 'card.transaction', alertCreated: true });
    const check = (await tables.scan('alerts')).find(
      (item) => item.alertId === `${BANK}#open-check#${customer}`,
    );
    expect(check).toBeDefined();
    expect(check?.customerKey).toBeUndefined();
    await new DynamoDbCustomerEraser(tables.documentClient, tables.names).erase(BANK, customer, ref);
    await sleep(1000);
    expect(await itemsAbout(customer)).toEqual([]);
  });

  it('removes what scoring wrote when the erasure lands in the middle of it', async () => {
    const customer = 'cus_race2';
    const ref = await api.ports.erasure.refOf(BANK, customer);
    const event = toStoredEvent(BANK, 'evt_mid', suspiciousTransaction(customer, 'txn_mid'), new Date(), {
      erasureRef: ref,
    });
    const ports = scoringPorts(tables);
    const eraser = new DynamoDbCustomerEraser(tables.documentClient, tables.names);
    // The erasure runs right after the history write: the alert is created after its deletes.
    const outcome = await scoreBankEvent(event, {
      ...ports,
      history: {
        record: async (...args) => {
          const update = await ports.history.record(...args);
          await eraser.erase(BANK, customer, ref);
          return update;
        },
        entryOf: (event) => ports.history.entryOf(event),
      },
    });
    expect(outcome.type).toBe('erased');
    await sleep(1000);
    expect(await itemsAbout(customer)).toEqual([]);
  });
});
