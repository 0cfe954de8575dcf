import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The bank's hourly ceiling of alert messages per customer (docs/channels.md, "Fraud checks"),
// through local mode, with demo-bank's ceiling set to 2.

let local: TestLocalStack;

beforeAll(async () => {
  local = await startTestLocalStack();
  // Set before any message, so that no function holds the bank's settings in its cache yet.
  await local.stack.documents.send(
    new UpdateCommand({
      TableName: local.stack.tables.banks,
      Key: { bankId: 'demo-bank' },
      UpdateExpression: 'SET maxMessagesPerHour = :two',
      ExpressionAttributeValues: { ':two': 2 },
    }),
  );
  // The ceiling counts per clock hour: keep the test away from an hour's end.
  const left = 3_600_000 - (Date.now() % 3_600_000);
  if (left < 30_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
});
afterAll(async () => {
  await local.stop();
});

describe('hourly ceiling of messages per customer', () => {
  it('sends no third alert message in the hour; the bank hears it was rate limited', async () => {
    await local.subscribe('cus_ceiling', 'psid_ceiling');
    for (const [index, id] of ['txn_c1', 'txn_c2'].entries()) {
      await local.callBank('POST', '/events', suspiciousTransaction('cus_ceiling', id));
      const alert = (await local.waitForMessages('psid_ceiling', 3 + 2 * index)).at(-1);
      expect(alert?.message.text).toMatch(/Was this you\?/);
      // Answered: the next suspicious payment opens a new check, with a message of its own.
      await local.say('psid_ceiling', 'Yes', alert?.message.quick_replies?.[0]?.payload);
      await local.waitForMessages('psid_ceiling', 4 + 2 * index);
    }
    await local.callBank('POST', '/events', suspiciousTransaction('cus_ceiling', 'txn_c3'));
    const undeliverable = await waitFor(async () =>
      (await local.callbacksFor('cus_ceiling')).find((c) => c.body.type === 'alert.undeliverable'),
    );
    expect(undeliverable.body.data).toMatchObject({ transactionId: 'txn_c3', reason: 'rate_limited' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Two alerts and their two replies after the consent exchange; nothing for the third.
    expect(await local.messages('psid_ceiling')).toHaveLength(6);
  });

  it('counts per customer: another customer of the bank still gets alerts', async () => {
    await local.subscribe('cus_other', 'psid_other');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_other', 'txn_o1'));
    const [, , alert] = await local.waitForMessages('psid_other', 3);
    expect(alert?.message.text).toMatch(/Was this you\?/);
  });
});
