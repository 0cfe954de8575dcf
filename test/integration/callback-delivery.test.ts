import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/deliver-callbacks.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import { GuardedCallbackSender } from '../../shared/adapters/guarded-callback-sender.ts';
import {
  callbackSecretName,
  SecretStoreBankSecrets,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import { callbackId } from '../../shared/domain/bank-callback.ts';
import { type CallbackDelivery, newDelivery } from '../../shared/domain/callback-delivery.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// A bank's callback endpoint that can be up, down (503) or hanging, and that records every
// attempt with whether its signature verified.
interface Attempt {
  readonly webhookId: string;
  readonly verified: boolean;
  readonly answered: number;
}

class BankEndpoint {
  mode: 'up' | 'down' | 'hang' = 'up';
  readonly attempts: Attempt[] = [];
  private server?: Server;
  url = '';
  constructor(readonly secret: string) {}

  async start() {
    const port = await findFreePort();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.mode === 'hang') return;
        let verified = true;
        try {
          new Webhook(this.secret).verify(
            Buffer.concat(chunks).toString(),
            request.headers as Record<string, string>,
          );
        } catch {
          verified = false;
        }
        const answered = this.mode === 'up' && verified ? 200 : 503;
        this.attempts.push({ webhookId: String(request.headers['webhook-id']), verified, answered });
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
const banks = {
  'bank-a': new BankEndpoint(newWebhookSecret()),
  'bank-b': new BankEndpoint(newWebhookSecret()),
};

beforeAll(async () => {
  tables = await createTestTables();
  outbox = new DynamoDbCallbackOutbox(tables.documentClient, tables.names.callbacks);
  const secretsFile = join(await mkdtemp(join(tmpdir(), 'vigil-cb-')), 'secrets.json');
  const secrets: Record<string, unknown> = {};
  for (const [bankId, endpoint] of Object.entries(banks)) {
    await endpoint.start();
    secrets[callbackSecretName('vigil/test', bankId)] = { current: endpoint.secret };
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.banks,
        Item: { bankId, name: bankId, callbackUrl: endpoint.url },
      }),
    );
  }
  await writeFile(secretsFile, JSON.stringify(secrets));
  deliver = createHandler({
    outbox,
    banks: new DynamoDbBankDirectory(tables.documentClient, tables.names.banks),
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), 'vigil/test'),
    sender: new GuardedCallbackSender({ allowLoopback: true, timeoutMs: 1000 }),
    clock: systemClock,
    allowLoopbackHttp: true,
  });
});
afterEach(() => vi.useRealTimers());
afterAll(() => Promise.all(Object.values(banks).map((endpoint) => endpoint.stop())));

let sequence = 0;
async function queue(bankId: string): Promise<CallbackDelivery> {
  const id = callbackId(bankId, String(++sequence));
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

const firstAttempts = (deliveries: CallbackDelivery[]) =>
  deliver(
    {
      Records: deliveries.map((delivery, i) => ({
        eventID: String(i),
        eventName: 'INSERT' as const,
        dynamodb: { NewImage: marshall(delivery) as never, SequenceNumber: String(i) },
      })),
    },
    lambdaContext('deliver-callbacks'),
  );
const scheduledRun = () => deliver({ source: 'test' }, lambdaContext('deliver-callbacks'));

/** Moves the clock (Date only: sockets and timers keep real time) by some minutes. */
function advance(minutes: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + minutes * 60_000);
}

describe('bank callback delivery', () => {
  it('delivers at once, signed, with the delivery id as webhook-id', async () => {
    const delivery = await queue('bank-b');
    await firstAttempts([delivery]);
    expect(banks['bank-b'].attempts.at(-1)).toEqual({
      webhookId: delivery.deliveryId,
      verified: true,
      answered: 200,
    });
    expect((await outbox.get(delivery.deliveryId))?.status).toBe('delivered');
  });

  it('retries a bank that is down, with the same webhook-id, and delivers each callback once when it is back', async () => {
    const endpoint = banks['bank-a'];
    endpoint.mode = 'down';
    const deliveries = await Promise.all([queue('bank-a'), queue('bank-a'), queue('bank-a')]);
    await firstAttempts(deliveries);
    for (const minutes of [1, 2, 4, 8]) {
      advance(minutes);
      await scheduledRun();
    }
    expect(endpoint.delivered()).toEqual([]);
    endpoint.mode = 'up';
    advance(30);
    await scheduledRun();
    for (let i = 0; i < 3; i++) {
      advance(90);
      await scheduledRun();
    }

    const ids = deliveries.map((delivery) => delivery.deliveryId);
    expect(endpoint.delivered().sort()).toEqual([...ids].sort());
    // Every attempt, failed or not, carried one of the three ids and a valid signature.
    expect(new Set(endpoint.attempts.map((attempt) => attempt.webhookId))).toEqual(new Set(ids));
    expect(endpoint.attempts.every((attempt) => attempt.verified)).toBe(true);
    for (const id of ids) {
      const attempts = endpoint.attempts.filter((attempt) => attempt.webhookId === id).length;
      expect(attempts).toBeGreaterThanOrEqual(5);
      expect(await outbox.get(id)).toMatchObject({ status: 'delivered', attempts });
    }
  });

  it('serves other banks while one hangs', async () => {
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
