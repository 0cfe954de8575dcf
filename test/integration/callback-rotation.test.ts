import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import {
  callbackSecretName,
  SecretStoreBankSecrets,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import { callbackId } from '../../shared/domain/bank-callback.ts';
import { newDelivery } from '../../shared/domain/callback-delivery.ts';
import { deliverCallback } from '../../shared/domain/deliver-callbacks.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Rotating a bank's callback secret: while both are valid each callback carries one signature per
// secret, so the bank's endpoint verifies with either; after finish-rotation, only the new one.

const BANK = 'rotating-bank';
const oldSecret = newWebhookSecret();
const newSecret = newWebhookSecret();
let tables: TestTables;
let secretsFile: string;
const sent: { headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  tables = await createTestTables();
  secretsFile = join(await mkdtemp(join(tmpdir(), 'vigil-rotation-')), 'secrets.json');
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.names.banks,
      Item: { bankId: BANK, name: 'Rotating', callbackUrl: 'https://bank.example/callbacks' },
    }),
  );
});

async function deliverOne(secretValue: { current: string; previous?: string }) {
  await writeFile(secretsFile, JSON.stringify({ [callbackSecretName('vigil/test', BANK)]: secretValue }));
  const outbox = new DynamoDbCallbackOutbox(tables.documentClient, tables.names.callbacks);
  const delivery = newDelivery(
    {
      id: callbackId(BANK, String(sent.length)),
      bankId: BANK,
      type: 'alert.sent',
      occurredAt: new Date().toISOString(),
      data: { alertId: `a${sent.length}` },
    },
    new Date(),
  );
  await outbox.enqueue(delivery);
  const outcome = await deliverCallback(delivery, {
    outbox,
    banks: new DynamoDbBankDirectory(tables.documentClient, tables.names.banks),
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), 'vigil/test'),
    sender: {
      post: async (_url, headers, body) => {
        sent.push({ headers, body });
        return 200;
      },
    },
    clock: systemClock,
  });
  expect(outcome).toBe('delivered');
  return sent.at(-1) ?? { headers: {}, body: '' };
}

const verifies = (secret: string, { headers, body }: { headers: Record<string, string>; body: string }) => {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
};

describe('callback secret rotation', () => {
  it('signs with both secrets during the rotation, so either verifies', async () => {
    const request = await deliverOne({ current: newSecret, previous: oldSecret });
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifies(oldSecret, request)).toBe(true);
    expect(verifies(newSecret, request)).toBe(true);
    expect(verifies(newWebhookSecret(), request)).toBe(false);
  });

  it('signs with the new secret only once the rotation is finished', async () => {
    const request = await deliverOne({ current: newSecret });
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(verifies(newSecret, request)).toBe(true);
    expect(verifies(oldSecret, request)).toBe(false);
  });
});
