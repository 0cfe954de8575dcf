import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { callbackSecretName } from '../../shared/adapters/secret-store-bank-secrets.ts';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The alert lifecycle and bank callbacks (docs/contract.md#alert-lifecycle) through local mode: the local bank receiver
// verifies every callback with the standardwebhooks package and the bank's callback secret.

let local: TestLocalStack;
const hanging = createServer(() => undefined);

beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(async () => {
  hanging.closeAllConnections();
  hanging.close();
  await local.stop();
});

describe('alert lifecycle and bank callbacks', () => {
  it('tells the bank each change once: subscribed, sent, disputed; all verified', async () => {
    await local.subscribe('cus_cb', 'psid_cb');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_cb', 'txn_cb'));
    const [, , alert] = await local.waitForMessages('psid_cb', 3);
    await local.say('psid_cb', 'No', alert?.message.quick_replies?.[1]?.payload);
    const arrived = await waitFor(async () => {
      const list = await local.callbacksFor('cus_cb');
      return list.length >= 3 ? list : undefined;
    });
    // Delivery is at least once and not ordered (decision 6): occurredAt orders them.
    const received = [...arrived].sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt));
    expect(received.map((callback) => callback.body.type)).toEqual([
      'customer.subscribed',
      'alert.sent',
      'alert.disputed',
    ]);
    const disputed = received[2]?.body;
    expect(disputed).toMatchObject({
      id: received[2]?.webhookId,
      occurredAt: expect.any(String),
      data: {
        alertId: 'demo-bank#txn#txn_cb',
        customerId: 'cus_cb',
        transactionId: 'txn_cb',
        reasons: expect.arrayContaining([expect.objectContaining({ rule: 'singleTransaction' })]),
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await local.callbacksFor('cus_cb')).toHaveLength(3);
  });

  it('tells the bank of STOP and of an erased customer', async () => {
    await local.subscribe('cus_leaves', 'psid_leaves');
    await local.say('psid_leaves', 'STOP');
    await waitFor(async () =>
      (await local.callbacksFor('cus_leaves')).some((c) => c.body.type === 'customer.unsubscribed')
        ? true
        : undefined,
    );
    await local.subscribe('cus_erased', 'psid_erased');
    await local.callBank('DELETE', '/customers/cus_erased');
    const erased = await waitFor(async () => {
      const list = await local.callbacksFor('cus_erased');
      return list.some((c) => c.body.type === 'customer.unsubscribed') ? list : undefined;
    });
    expect(erased.find((c) => c.body.type === 'customer.unsubscribed')?.body.data).toMatchObject({
      reason: 'erased',
    });
  });

  it('expires an unanswered fraud check once; a late answer does not bring it back', async () => {
    await local.subscribe('cus_late', 'psid_late');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_late', 'txn_late'));
    const [, , alert] = await local.waitForMessages('psid_late', 3);
    await waitFor(async () =>
      (await local.scan('alerts')).find((a) => a.customerId === 'cus_late' && a.status === 'sent')
        ? true
        : undefined,
    );
    await local.stack.documents.send(
      new UpdateCommand({
        TableName: local.stack.tables.alerts,
        Key: { alertId: 'demo-bank#txn#txn_late' },
        UpdateExpression: 'SET deadline = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    await waitFor(async () =>
      (await local.callbacksFor('cus_late')).some((c) => c.body.type === 'alert.expired') ? true : undefined,
    );
    await local.say('psid_late', 'Yes', alert?.message.quick_replies?.[0]?.payload);
    const [, , , reply] = await local.waitForMessages('psid_late', 4);
    expect(reply?.message.text).toMatch(/already closed/);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const item = (await local.scan('alerts')).find((a) => a.customerId === 'cus_late');
    expect(item?.status).toBe('expired');
    expect(item).not.toHaveProperty('openBankId');
    expect(
      (await local.callbacksFor('cus_late'))
        .filter((c) => c.body.type.startsWith('alert.'))
        // Delivery is not ordered (decision 6); occurredAt is.
        .sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt))
        .map((c) => c.body.type),
    ).toEqual(['alert.sent', 'alert.expired']);
  });

  it('refuses an answer after the deadline at once, before any expiry run', async () => {
    const store = new DynamoDbAlertStore(local.stack.documents, local.stack.tables.alerts);
    const now = new Date();
    for (const [alertId, deadline] of [
      ['other-bank#txn#past', new Date(now.getTime() - 1000)],
      ['other-bank#txn#future', new Date(now.getTime() + 60_000)],
    ] as const) {
      await local.stack.documents.send(
        new PutCommand({
          TableName: local.stack.tables.alerts,
          Item: { alertId, status: 'sent', psid: 'psid_deadline', deadline: deadline.toISOString() },
        }),
      );
    }
    expect(await store.answer('other-bank#txn#past', 'confirmed', 'psid_deadline', now)).toBe(false);
    expect(await store.answer('other-bank#txn#future', 'confirmed', 'psid_deadline', now)).toBe(true);
    const statuses = (await local.scan('alerts')).filter((a) =>
      String(a.alertId).startsWith('other-bank#txn#'),
    );
    expect(Object.fromEntries(statuses.map((a) => [a.alertId, a.status]))).toEqual({
      'other-bank#txn#past': 'sent',
      'other-bank#txn#future': 'confirmed',
    });
  });

  it('never delays another bank’s customer alerts while a bank hangs', async () => {
    const port = await findFreePort();
    await new Promise<void>((resolve) => hanging.listen(port, '127.0.0.1', resolve));
    const secretsPath = join(local.stack.configPath, '..', 'secrets.json');
    const secrets = JSON.parse(await readFile(secretsPath, 'utf8')) as Record<string, unknown>;
    secrets[callbackSecretName('vigil/local', 'slow-bank')] = { current: newWebhookSecret() };
    await writeFile(secretsPath, JSON.stringify(secrets));
    await local.stack.documents.send(
      new PutCommand({
        TableName: local.stack.tables.banks,
        Item: { bankId: 'slow-bank', name: 'Slow Bank', callbackUrl: `http://127.0.0.1:${port}/callbacks` },
      }),
    );
    // Ten subscriptions of the hanging bank: ten callbacks that each wait for a timeout.
    for (let i = 0; i < 10; i++) {
      await local.stack.documents.send(
        new PutCommand({
          TableName: local.stack.tables.subscribers,
          Item: {
            bankId: 'slow-bank',
            customerId: `cus_slow_${i}`,
            psid: `psid_slow_${i}`,
            status: 'active',
            locale: 'en_US',
            enrollmentId: 'enr_slow',
            consentedAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
          },
        }),
      );
    }
    await local.subscribe('cus_unaffected', 'psid_unaffected');
    const started = Date.now();
    await local.callBank('POST', '/events', suspiciousTransaction('cus_unaffected', 'txn_unaffected'));
    await local.waitForMessages('psid_unaffected', 3);
    // Ten hanging callbacks cost 5 s each if anything waited for them: the alert comes long before.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
