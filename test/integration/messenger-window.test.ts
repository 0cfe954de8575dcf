import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fraudCheckAlert } from '../../shared/domain/alert.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// Meta's 24 h window (docs/contract.md#alerts): a normal message inside it, the bank's utility template outside
// it, and otherwise the alert is undeliverable.

let local: TestLocalStack;
const twoDaysAgo = new Date(Date.now() - 48 * 3600_000).toISOString();

beforeAll(async () => {
  local = await startTestLocalStack();
  const { documents, tables } = local.stack;
  await documents.send(
    new UpdateCommand({
      TableName: tables.banks,
      Key: { bankId: 'demo-bank' },
      UpdateExpression: 'SET utilityTemplate = :template',
      ExpressionAttributeValues: {
        ':template': {
          name: 'vigil_fraud_check',
          language: 'en_US',
          parameters: ['bankName', 'cardLast4', 'amount', 'merchant', 'time'],
        },
      },
    }),
  );
  await documents.send(
    new PutCommand({ TableName: tables.banks, Item: { bankId: 'plain-bank', name: 'Plain Bank' } }),
  );
  for (const [bankId, psid] of [
    ['demo-bank', 'psid_quiet'],
    ['plain-bank', 'psid_plain'],
  ] as const) {
    await documents.send(
      new PutCommand({
        TableName: tables.subscribers,
        Item: {
          bankId,
          customerId: 'cus_quiet',
          psid,
          status: 'active',
          locale: 'en_US',
          enrollmentId: 'enr_test',
          lastInboundAt: twoDaysAgo,
          updatedAt: twoDaysAgo,
        },
      }),
    );
  }
});
afterAll(() => local.stop());

/** Stores a fraud check alert as the scorer would; the alerts stream takes it from there. */
async function raiseAlert(bankId: string, transactionId: string) {
  const event = toStoredEvent(
    bankId,
    `evt_${transactionId}`,
    cardTransaction({ customerId: 'cus_quiet', transaction: { id: transactionId, amount: 64_900 } }),
    new Date(),
  );
  const alert = fraudCheckAlert(event, { score: 80, alert: true, reasons: [] }, new Date());
  await local.stack.documents.send(new PutCommand({ TableName: local.stack.tables.alerts, Item: alert }));
  return alert;
}

const statusOf = async (alertId: string) =>
  (await local.scan('alerts')).find((item) => item.alertId === alertId)?.status as string | undefined;

describe('the 24 h messaging window', () => {
  it('uses the bank’s utility template outside the window, parameters in its order, no tag', async () => {
    const alert = await raiseAlert('demo-bank', 'txn_template');
    const [message] = await local.waitForMessages('psid_quiet', 1);
    expect(message).toMatchObject({
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'vigil_fraud_check',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Demo Bank' },
                { type: 'text', text: '4242' },
                { type: 'text', text: '€649.00' },
                { type: 'text', text: 'ACME STORE (FR)' },
                { type: 'text', text: 'Nov 29, 10:00' },
              ],
            },
          ],
        },
      },
    });
    expect(message).not.toHaveProperty('tag');
    await waitFor(async () => ((await statusOf(alert.alertId)) === 'sent' ? true : undefined));
  });

  it('marks the alert undeliverable when the bank has no template', async () => {
    const alert = await raiseAlert('plain-bank', 'txn_no_template');
    await waitFor(async () => ((await statusOf(alert.alertId)) === 'undeliverable' ? true : undefined));
    expect((await local.scan('alerts')).find((item) => item.alertId === alert.alertId)).toMatchObject({
      undeliverableReason: 'outside_window',
    });
    expect(await local.messages('psid_plain')).toEqual([]);
  });

  it('sends a normal message again once the customer writes: the reply RESPONSE, the alert UPDATE', async () => {
    await local.say('psid_plain', 'HELP');
    const [help] = await local.waitForMessages('psid_plain', 1);
    expect(help?.messaging_type).toBe('RESPONSE');
    await raiseAlert('plain-bank', 'txn_after_message');
    const [, alert] = await local.waitForMessages('psid_plain', 2);
    expect(alert?.messaging_type).toBe('UPDATE');
    expect(alert?.message.text).toMatch(/^Plain Bank: card ••4242/);
  });

  it('sends an alert inside the window as UPDATE even when the customer wrote hours ago', async () => {
    // The emulator refuses a RESPONSE that answers no recent message, as a strict reading of
    // Meta's messaging types would: an alert labelled RESPONSE would end up undeliverable.
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await local.stack.documents.send(
      new PutCommand({
        TableName: local.stack.tables.subscribers,
        Item: {
          bankId: 'plain-bank',
          customerId: 'cus_quiet',
          psid: 'psid_hours_ago',
          status: 'active',
          locale: 'en_US',
          enrollmentId: 'enr_test',
          lastInboundAt: threeHoursAgo,
          updatedAt: threeHoursAgo,
        },
      }),
    );
    const alert = await raiseAlert('plain-bank', 'txn_hours_later');
    const [message] = await local.waitForMessages('psid_hours_ago', 1);
    expect(message).toMatchObject({ messaging_type: 'UPDATE', graphApiVersion: 'v27.0' });
    await waitFor(async () => ((await statusOf(alert.alertId)) === 'sent' ? true : undefined));
  });
});
