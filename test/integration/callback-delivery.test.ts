import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/deliver-callbacks.ts';
import { createHandler as createNotifyBankHandler } from '../../functions/notify-bank.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbErasureMarkers } from '../../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import { GuardedCallbackSender } from '../../shared/adapters/guarded-callback-sender.ts';
import {
  callbackSecretName,
  SecretStoreBankSecrets,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { callbackId } from '../../shared/domain/bank-callback.ts';
import { type CallbackDelivery, newDelivery } from '../../shared/domain/callback-delivery.ts';
import { COOL_DOWN_MS } from '../../shared/domain/deliver-callbacks.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { alert } from '../fixtures/alerts.ts';
import { TEST_REPORTER_KEY } from '../support/test-keys.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// A bank's callback endpoint that can be up, down (503) or hanging, and that records every
// attempt with whether its signature verified.
interface Attempt {
  readonly webhookId: string;
  readonly verified: boolean;
  readonly answered: number;
  readonly body: string;
  /** The number of signatures in webhook-signature (two during a rotation). */
  readonly signatures: number;
}

class BankEndpoint {
  mode: 'up' | 'down' | 'hang' = 'up';
  /** The secrets the bank verifies with: any one of them (a rotation). */
  secrets: string[];
  readonly attempts: Attempt[] = [];
  private server?: Server;
  url = '';
  constructor(readonly secret: string) {
    this.secrets = [secret];
  }

  async start() {
    const port = await findFreePort();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.mode === 'hang') return;
        const body = Buffer.concat(chunks).toString();
        const verifiedWith = (secret: string) => {
          try {
            new Webhook(secret).verify(body, request.headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        };
        const verified = this.secrets.every(verifiedWith);
        const answered = this.mode === 'up' && verified ? 200 : 503;
        const signatures = String(request.headers['webhook-signature']).split(' ').length;
        this.attempts.push({
          webhookId: String(request.headers['webhook-id']),
          verified,
          answered,
          body,
          signatures,
        });
        response.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}/callbacks`;
  }

  delivered(): string[] {
    return this.attempts.filter((attempt) => attempt.answered === 200).map((attempt) => attempt.webhookId);
  }

  stop() {
    this.server?.closeAllConnections();
    return new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let tables: TestTables;
let outbox: DynamoDbCallbackOutbox;
let deliver: ReturnType<typeof createHandler>;
let notifyBank: ReturnType<typeof createNotifyBankHandler>;
let secretsFile: string;
const banks = {
  'bank-a': new BankEndpoint(newWebhookSecret()),
  'bank-b': new BankEndpoint(newWebhookSecret()),
};
const ROTATING = 'bank-r';
const rotating = new BankEndpoint(newWebhookSecret());
/** A bank whose callback URL nothing listens on: the connection is refused. */
const REFUSING = 'bank-x';

beforeAll(async () => {
  tables = await createTestTables();
  const client = tables.documentClient;
  outbox = new DynamoDbCallbackOutbox(client, tables.names.callbacks);
  secretsFile = join(await mkdtemp(join(tmpdir(), 'vigil-cb-')), 'secrets.json');
  const secrets: Record<string, unknown> = {};
  const previous = newWebhookSecret();
  rotating.secrets = [rotating.secret, previous];
  await rotating.start();
  for (const endpoint of Object.values(banks)) await endpoint.start();
  const closedPort = await findFreePort();
  const endpoints: [string, string, Record<string, string>][] = [
    ...Object.entries(banks).map(
      ([bankId, endpoint]) =>
        [bankId, endpoint.url, { current: endpoint.secret }] as [string, string, Record<string, string>],
    ),
    [ROTATING, rotating.url, { current: rotating.secret, previous }],
    [REFUSING, `http://127.0.0.1:${closedPort}/callbacks`, { current: newWebhookSecret() }],
  ];
  for (const [bankId, callbackUrl, secret] of endpoints) {
    secrets[callbackSecretName('vigil/test', bankId)] = secret;
    await client.send(
      new PutCommand({ TableName: tables.names.banks, Item: { bankId, name: bankId, callbackUrl } }),
    );
  }
  await writeFile(secretsFile, JSON.stringify(secrets));
  const sendPorts = {
    banks: new DynamoDbBankDirectory(client, tables.names.banks),
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), 'vigil/test'),
    sender: new GuardedCallbackSender({ allowLoopback: true, timeoutMs: 1000 }),
    clock: systemClock,
    allowLoopbackHttp: true,
  };
  deliver = createHandler({ outbox, ...sendPorts });
  notifyBank = newNotifyBank();
});
afterEach(() => vi.useRealTimers());
afterAll(() => Promise.all([...Object.values(banks), rotating].map((endpoint) => endpoint.stop())));

/** notify-bank as Lambda runs it, in a fresh execution environment (no bank cooling down). */
function newNotifyBank() {
  const client = tables.documentClient;
  return createNotifyBankHandler({
    outbox,
    banks: new DynamoDbBankDirectory(client, tables.names.banks),
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), 'vigil/test'),
    sender: new GuardedCallbackSender({ allowLoopback: true, timeoutMs: 1000 }),
    clock: systemClock,
    allowLoopbackHttp: true,
    erasures: new DynamoDbErasureMarkers(client, tables.names.activity),
    subscriberRefKey: async () => 'subscriber-ref-key-of-the-test',
    fraudFeedback: {
      merchants: new DynamoDbCompromisedMerchants(client, tables.names.activity),
      thresholds: new DynamoDbThresholdStore(client, tables.names.thresholds),
      reporterKey: async () => TEST_REPORTER_KEY,
    },
  });
}

let sequence = 0;
/** A fraud check of the bank that its customer just confirmed, as the alerts stream tells it. */
function confirmedAlert(bankId: string): { record: DynamoDBRecord; deliveryId: string } {
  const n = ++sequence;
  const sent = alert('sent', {
    alertId: `${bankId}#txn#txn_${n}`,
    bankId,
    customerKey: `${bankId}#cus_1`,
    transactionId: `txn_${n}`,
  });
  const confirmed: Alert = { ...sent, status: 'confirmed', answeredAt: new Date().toISOString() };
  const image = (item: Alert) =>
    marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  const record = {
    eventID: String(n),
    eventName: 'MODIFY',
    dynamodb: {
      Keys: { alertId: { S: sent.alertId } },
      OldImage: image(sent),
      NewImage: image(confirmed),
      SequenceNumber: String(n).padStart(10, '0'),
    },
  } as unknown as DynamoDBRecord;
  return { record, deliveryId: callbackId(sent.alertId, 'confirmed') };
}

const notify = (records: DynamoDBRecord[], handler = notifyBank) =>
  handler({ Records: records }, lambdaContext('notify-bank', 60_000));
const scheduledRun = () => deliver({ source: 'test' }, lambdaContext('deliver-callbacks'));

/** A callback queued by notify-bank without an attempt, due at once (as items queued before the upgrade are picked up). */
async function queue(bankId: string): Promise<CallbackDelivery> {
  const id = callbackId(bankId, `q${++sequence}`);
  const delivery = newDelivery(
    {
      id,
      bankId,
      type: 'alert.sent',
      occurredAt: new Date().toISOString(),
      data: { alertId: `a${sequence}` },
    },
    new Date(),
  );
  await outbox.enqueue(delivery);
  return delivery;
}

/** Moves the clock (Date only: sockets and timers keep real time) by some minutes. */
function advance(minutes: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + minutes * 60_000);
}

describe('bank callbacks sent by notify-bank, retried from the outbox', () => {
  it('delivers at once, signed, with the delivery id as webhook-id, and stores nothing', async () => {
    const { record, deliveryId } = confirmedAlert('bank-b');
    expect(await notify([record])).toEqual({ batchItemFailures: [] });
    expect(banks['bank-b'].attempts.filter((a) => a.webhookId === deliveryId)).toEqual([
      expect.objectContaining({ verified: true, answered: 200, signatures: 1 }),
    ]);
    expect(JSON.parse(banks['bank-b'].attempts.at(-1)?.body ?? '{}')).toMatchObject({
      type: 'alert.confirmed',
      id: deliveryId,
    });
    expect(await outbox.get(deliveryId)).toBeUndefined();
  });

  it('signs with both callback secrets during a rotation: the bank verifies with either', async () => {
    const { record, deliveryId } = confirmedAlert(ROTATING);
    await notify([record]);
    expect(rotating.attempts).toEqual([
      expect.objectContaining({ webhookId: deliveryId, verified: true, answered: 200, signatures: 2 }),
    ]);
  });

  it.each([
    ['answers 503', 'bank-a', 'down', 'HTTP 503'],
    ['does not answer in time', 'bank-a', 'hang', 'TimeoutError'],
    ['refuses the connection', REFUSING, 'up', 'ECONNREFUSED'],
  ] as const)(
    'queues a callback the bank %s for, one attempt counted, and the retrier delivers it with the same webhook-id and body',
    async (_, bankId, mode, error) => {
      const handler = newNotifyBank();
      const endpoint = bankId === 'bank-a' ? banks['bank-a'] : undefined;
      if (endpoint) endpoint.mode = mode;
      const { record, deliveryId } = confirmedAlert(bankId);
      const before = Date.now();
      expect(await notify([record], handler)).toEqual({ batchItemFailures: [] });
      const queued = await outbox.get(deliveryId);
      expect(queued).toMatchObject({ status: 'pending', attempts: 1, bankId });
      expect(queued?.lastError).toBe(error === 'TimeoutError' ? 'timeout' : error);
      // The backoff: 30 s after the attempt, with up to 20 % jitter.
      const wait = Date.parse(queued?.nextAttemptAt ?? '') - before;
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThan(36_000 + 5_000);
      if (endpoint === undefined) return;
      endpoint.mode = 'up';
      await scheduledRun();
      expect(endpoint.delivered()).not.toContain(deliveryId);
      advance(1);
      await scheduledRun();
      const tries = endpoint.attempts.filter((a) => a.webhookId === deliveryId);
      expect(tries.at(-1)).toMatchObject({ answered: 200, verified: true });
      expect(new Set(tries.map((t) => t.body)).size).toBe(1);
      expect(await outbox.get(deliveryId)).toMatchObject({ status: 'delivered', attempts: 2 });
    },
  );

  it('sends nothing more to a bank that just failed, queues its callbacks as they are, and still calls other banks at once', async () => {
    const handler = newNotifyBank();
    banks['bank-a'].mode = 'down';
    const failed = confirmedAlert('bank-a');
    await notify([failed.record], handler);
    const callsToA = banks['bank-a'].attempts.length;
    const next = [confirmedAlert('bank-a'), confirmedAlert('bank-a')];
    const other = confirmedAlert('bank-b');
    expect(await notify([...next.map((n) => n.record), other.record], handler)).toEqual({
      batchItemFailures: [],
    });
    expect(banks['bank-a'].attempts).toHaveLength(callsToA);
    expect(banks['bank-b'].delivered()).toContain(other.deliveryId);
    for (const { deliveryId } of next) {
      expect(await outbox.get(deliveryId)).toMatchObject({ status: 'pending', attempts: 0 });
    }
    // After the cool-down, the bank is tried at once again.
    banks['bank-a'].mode = 'up';
    advance(COOL_DOWN_MS / 60_000);
    const later = confirmedAlert('bank-a');
    await notify([later.record], handler);
    expect(banks['bank-a'].delivered()).toContain(later.deliveryId);
    expect(await outbox.get(later.deliveryId)).toBeUndefined();
  });

  it("serves other banks of the batch while one hangs, and keeps each bank's records in order", async () => {
    const handler = newNotifyBank();
    banks['bank-a'].mode = 'hang';
    const slow = [confirmedAlert('bank-a'), confirmedAlert('bank-a')];
    const fast = [confirmedAlert('bank-b'), confirmedAlert('bank-b'), confirmedAlert('bank-b')];
    const bStart = banks['bank-b'].attempts.length;
    const real = performance.now();
    let fastDoneMs = 0;
    const watch = (async () => {
      while (!fast.every((f) => banks['bank-b'].delivered().includes(f.deliveryId))) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      fastDoneMs = performance.now() - real;
    })();
    const records = [slow[0], fast[0], slow[1], fast[1], fast[2]].map((r) => r?.record as DynamoDBRecord);
    expect(await notify(records, handler)).toEqual({ batchItemFailures: [] });
    await watch;
    // The hanging bank costs its timeout (1 s here) once: its second record is not tried.
    expect(performance.now() - real).toBeLessThan(1900);
    expect(fastDoneMs).toBeLessThan(900);
    expect(banks['bank-b'].attempts.slice(bStart).map((a) => a.webhookId)).toEqual(
      fast.map((f) => f.deliveryId),
    );
    expect(await outbox.get(slow[0]?.deliveryId ?? '')).toMatchObject({ attempts: 1, lastError: 'timeout' });
    expect(await outbox.get(slow[1]?.deliveryId ?? '')).toMatchObject({ attempts: 0 });
    banks['bank-a'].mode = 'up';
  });

  it('sends a redelivered record again with the same webhook-id after a success only from another environment, and queues no second item after a failure', async () => {
    const delivered = confirmedAlert('bank-b');
    const handler = newNotifyBank();
    await notify([delivered.record], handler);
    // Back to the same environment (a batch retried for another record): not sent again.
    await notify([delivered.record], handler);
    const sent = () => banks['bank-b'].attempts.filter((a) => a.webhookId === delivered.deliveryId);
    expect(sent().map((t) => t.answered)).toEqual([200]);
    // To a fresh one: sent again (at least once), with the same webhook-id and body.
    await notify([delivered.record], newNotifyBank());
    const tries = sent();
    expect(tries.map((t) => t.answered)).toEqual([200, 200]);
    expect(tries[0]?.body).toBe(tries[1]?.body);
    expect(await outbox.get(delivered.deliveryId)).toBeUndefined();

    banks['bank-a'].mode = 'down';
    const failed = confirmedAlert('bank-a');
    await notify([failed.record], newNotifyBank());
    const queued = await outbox.get(failed.deliveryId);
    // Redelivered to a fresh container (no cool-down): tried again, and the queued item stays as it was.
    await notify([failed.record], newNotifyBank());
    expect(await outbox.get(failed.deliveryId)).toEqual(queued);
    expect(banks['bank-a'].attempts.filter((a) => a.webhookId === failed.deliveryId)).toHaveLength(2);
    banks['bank-a'].mode = 'up';
  });

  it('retries a bank that is down, with the same webhook-id, and delivers each callback once when it is back', async () => {
    const endpoint = banks['bank-a'];
    endpoint.mode = 'down';
    const deliveries = await Promise.all([queue('bank-a'), queue('bank-a'), queue('bank-a')]);
    for (const minutes of [1, 2, 4, 8]) {
      advance(minutes);
      await scheduledRun();
    }
    expect(endpoint.delivered().filter((id) => deliveries.some((d) => d.deliveryId === id))).toEqual([]);
    endpoint.mode = 'up';
    advance(30);
    await scheduledRun();
    for (let i = 0; i < 3; i++) {
      advance(90);
      await scheduledRun();
    }

    const ids = deliveries.map((delivery) => delivery.deliveryId);
    const mine = endpoint.attempts.filter((attempt) => ids.includes(attempt.webhookId));
    expect(
      mine
        .filter((a) => a.answered === 200)
        .map((a) => a.webhookId)
        .sort(),
    ).toEqual([...ids].sort());
    // Every attempt carried a valid signature.
    expect(mine.every((attempt) => attempt.verified)).toBe(true);
    for (const id of ids) {
      const attempts = mine.filter((attempt) => attempt.webhookId === id).length;
      expect(attempts).toBeGreaterThanOrEqual(5);
      expect(await outbox.get(id)).toMatchObject({ status: 'delivered', attempts });
    }
  });

  it('serves other banks while one hangs, in a scheduled run', async () => {
    banks['bank-a'].mode = 'hang';
    const slow = await queue('bank-a');
    const fast = await queue('bank-b');
    advance(1);
    const real = performance.now();
    await scheduledRun();
    // The hanging bank costs its own timeout (1 s here) once; the other bank is served meanwhile.
    expect(performance.now() - real).toBeLessThan(4000);
    expect(banks['bank-b'].delivered()).toContain(fast.deliveryId);
    expect((await outbox.get(slow.deliveryId))?.status).toBe('pending');
    banks['bank-a'].mode = 'up';
  });

  it('gives up after the retry window and keeps the delivery for operators', async () => {
    banks['bank-a'].mode = 'down';
    const delivery = await queue('bank-a');
    advance(26 * 60);
    await scheduledRun();
    expect(await outbox.get(delivery.deliveryId)).toMatchObject({ status: 'dead', lastError: 'HTTP 503' });
    expect((await outbox.dead(100)).map((item) => item.deliveryId)).toContain(delivery.deliveryId);
    banks['bank-a'].mode = 'up';
  });
});
