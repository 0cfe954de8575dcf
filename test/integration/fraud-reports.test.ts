import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { signAdminRequest } from '../../shared/domain/admin-signature.ts';
import { MAX_FRAUD_REPORTS } from '../../shared/domain/compromised-merchant.ts';
import { scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// Confirmed fraud (docs/bank-integration.md, "Confirmed fraud"): the bank's reports and the
// customers' "No" answers mark merchants, and other customers' card-present payments there
// score compromisedMerchant, within one bank only.

let local: TestLocalStack;
beforeAll(async () => {
  local = await startTestLocalStack();
  // One other customer's confirmed fraud is enough here, so that a single report or answer shows.
  const thresholds = {
    ...BUILT_IN_THRESHOLDS,
    homeCountries: ['FR'],
    compromisedMerchants: { days: 7, minReporters: 1 },
  };
  expect((await local.callBank('PUT', '/thresholds', thresholds)).status).toBe(200);
});
afterAll(() => local.stop());

const url = () => `${local.apiUrl}/v1/banks/demo-bank/fraud-reports`;

/** Posts a batch signed with demo-bank's administration key (with the given nonce, if any). */
async function postReports(body: unknown, options: { nonce?: string; created?: Date; raw?: string } = {}) {
  const text = options.raw ?? JSON.stringify(body);
  const headers = await signAdminRequest(
    local.bank.adminKey,
    { method: 'POST', url: url(), body: text },
    {
      ...(options.nonce !== undefined && { nonce: options.nonce }),
      ...(options.created && { created: options.created }),
    },
  );
  const response = await fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  const answer = await response.text();
  return { status: response.status, text: answer, headers: response.headers };
}

const report = (customerId: string, merchant: { id?: string; name: string; country: string }) => ({
  transactionId: `txn_${randomUUID().slice(0, 8)}`,
  customerId,
  merchant,
});

/** The compromised-merchant marks, as stored. */
const marks = async () =>
  (await local.scan('activity'))
    .filter((item) => item.bucket === 'compromised')
    .map((item) => JSON.stringify(item))
    .sort();

/** Sends a payment of the (subscribed) customer and waits until it is scored; its alert, if any. */
async function pay(
  customerId: string,
  merchant: { id?: string; name: string; country: string },
  channel = 'card_present',
) {
  const transactionId = `txn_${randomUUID().slice(0, 8)}`;
  const event = cardTransaction({
    customerId,
    transaction: {
      id: transactionId,
      amount: 1_500,
      channel: channel as 'card_present',
      merchant: { mcc: '5812', ...merchant },
    },
  });
  event.occurredAt = new Date().toISOString();
  expect((await local.callBank('POST', '/events', event)).status).toBe(202);
  const stored = await waitFor(
    async () =>
      (await local.scoredEvents()).find(
        (item) => (item.transaction as { id?: string } | undefined)?.id === transactionId,
      ),
    10_000,
    `${transactionId} scored`,
  );
  const alert = (await local.scan('alerts')).find((item) => item.transactionId === transactionId);
  return {
    stored,
    alert,
    rules: ((alert?.reasons ?? []) as { rule: string }[]).map((reason) => reason.rule),
  };
}

describe('POST /v1/banks/{bankId}/fraud-reports', () => {
  it('marks the merchant: another customer’s card-present payment there alerts, the reporter’s own does not', async () => {
    await local.subscribe('cus_fr_payer', 'psid_fr_payer');
    await local.subscribe('cus_fr_reporter', 'psid_fr_reporter');
    const before = Date.now();
    const answer = await postReports({
      reports: [
        report('cus_fr_reporter', { name: 'Corner Cafe', country: 'FR' }),
        report('cus_fr_reporter', { name: ' CORNER  cafe ', country: 'FR' }),
      ],
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { reports: number; merchants: number; until: string };
    expect(body).toMatchObject({ reports: 2, merchants: 1 });
    expect(Date.parse(body.until) - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);
    // The mark holds a keyed hash of the reporter, never their id.
    expect((await marks()).join('\n')).not.toContain('cus_fr_reporter');

    const payer = await pay('cus_fr_payer', { name: 'corner cafe', country: 'FR' });
    expect(payer.rules).toContain('compromisedMerchant');
    // The reporter's own report does not count against their own payment there.
    expect((await pay('cus_fr_reporter', { name: 'Corner Cafe', country: 'FR' })).rules).not.toContain(
      'compromisedMerchant',
    );
    // Online payments are not judged by the merchant's marks: the card data, not the shop, is at stake.
    expect(
      (await pay('cus_fr_payer', { name: 'Corner Cafe', country: 'FR' }, 'card_not_present')).alert,
    ).toBeUndefined();
  });

  it('keys the mark on merchant.id when the bank gives one', async () => {
    await local.subscribe('cus_mid_payer', 'psid_mid_payer');
    expect(
      (
        await postReports({
          reports: [report('cus_mid_reporter', { id: 'mid_0042', name: 'Kiosk', country: 'FR' })],
        })
      ).status,
    ).toBe(200);
    // Same id under another name: marked. Same name without the id: another merchant.
    expect(
      (await pay('cus_mid_payer', { id: 'mid_0042', name: 'KIOSK GARE NORD', country: 'FR' })).rules,
    ).toContain('compromisedMerchant');
    expect((await pay('cus_mid_payer', { name: 'Kiosk', country: 'FR' })).rules).not.toContain(
      'compromisedMerchant',
    );
  });

  it('refuses bad batches with 400 and the field, and marks nothing of them', async () => {
    const good = report('cus_bad_1', { name: 'Good Shop', country: 'FR' });
    const before = await marks();
    const cases: [unknown, string][] = [
      [{ reports: [] }, 'reports'],
      [{ reports: Array.from({ length: MAX_FRAUD_REPORTS + 1 }, () => good) }, 'reports'],
      [
        { reports: [good, { ...good, merchant: { name: 'Bad', country: 'XX' } }] },
        'reports[1].merchant.country',
      ],
      [{ reports: [good, { ...good, customerId: 'cus 1; DROP' }] }, 'reports[1].customerId'],
      [
        { reports: [good, { ...good, merchant: { name: 'Evil\u202Eshop', country: 'FR' } }] },
        'reports[1].merchant.name',
      ],
      [
        { reports: [good, { ...good, merchant: { ...good.merchant, id: 'id with spaces' } }] },
        'reports[1].merchant.id',
      ],
      [{ reports: [{ ...good, amount: 100 }] }, 'reports[0]'],
      [{ reports: [good], extra: true }, ''],
      [[good], ''],
    ];
    for (const [body, path] of cases) {
      const answer = await postReports(body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      if (path !== '') expect(answer.text).toContain(`"path":"${path}`);
    }
    expect((await postReports(undefined, { raw: '{"reports": [' })).status).toBe(400);
    expect(await marks()).toEqual(before);
  });

  it('answers a retry with the same nonce with the first answer, and refuses an unsigned or moved request', async () => {
    const body = { reports: [report('cus_retry', { name: 'Retry Shop', country: 'FR' })] };
    const nonce = `fraud-nonce-${randomUUID()}`;
    const first = await postReports(body, { nonce, created: new Date(Date.now() - 3000) });
    expect(first.status).toBe(200);
    const after = await marks();
    const retry = await postReports(body, { nonce });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('vigil-replayed')).toBe('true');
    expect(await marks()).toEqual(after);

    const other = { reports: [report('cus_retry', { name: 'Other Shop', country: 'FR' })] };
    const unsigned = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(other),
    });
    expect(unsigned.status).toBe(401);
    // A thresholds signature does not carry over to this route.
    const captured = await signAdminRequest(local.bank.adminKey, {
      method: 'PUT',
      url: `${local.apiUrl}/v1/banks/demo-bank/thresholds`,
      body: JSON.stringify(other),
    });
    const moved = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...captured },
      body: JSON.stringify(other),
    });
    expect(moved.status).toBe(401);
    expect(await marks()).toEqual(after);
  });
});

describe('"No, it wasn\'t me" (docs/scoring.md, "Confirmed fraud")', () => {
  it('marks the disputed payment’s merchant for the bank: another customer there then alerts; another bank sees nothing', async () => {
    await local.subscribe('cus_no_a', 'psid_no_a');
    await local.subscribe('cus_no_b', 'psid_no_b');
    const bakery = { name: 'Boulangerie Dupont', country: 'FR' };
    const before = await marks();
    // Before any answer, B's payment there is nothing special.
    expect((await pay('cus_no_b', bakery)).alert).toBeUndefined();

    const suspicious = cardTransaction({
      customerId: 'cus_no_a',
      transaction: {
        id: 'txn_no_a',
        amount: 64_900,
        channel: 'card_present',
        merchant: { ...bakery, mcc: '5462' },
      },
    });
    suspicious.occurredAt = new Date().toISOString();
    expect((await local.callBank('POST', '/events', suspicious)).status).toBe(202);
    const [, , question] = await local.waitForMessages('psid_no_a', 3);
    await local.say('psid_no_a', "No, it wasn't", question?.message.quick_replies?.[1]?.payload);
    await waitFor(
      async () =>
        (await local.callbacksFor('cus_no_a')).some((callback) => callback.body.type === 'alert.disputed') ||
        undefined,
      10_000,
      'alert.disputed',
    );
    const mark = await waitFor(
      async () =>
        (await local.scan('activity')).find(
          (item) =>
            item.bucket === 'compromised' &&
            Object.keys(item).some((name) => name.startsWith('r:')) &&
            !before.includes(JSON.stringify(item)),
        ),
      10_000,
      'the merchant mark',
    );
    expect(JSON.stringify(mark)).not.toMatch(/cus_no_a|BOULANGERIE/i);

    const b = await pay('cus_no_b', { name: 'BOULANGERIE  DUPONT', country: 'FR' });
    expect(b.rules).toEqual(['compromisedMerchant']);
    // A's own later payment there does not count A's own answer.
    expect((await pay('cus_no_a', bakery)).rules).not.toContain('compromisedMerchant');

    // Another bank, on the same tables: its customer's payment at the same merchant scores nothing.
    const thresholds = new InMemoryThresholdStore();
    const settings = {
      ...BUILT_IN_THRESHOLDS,
      homeCountries: ['FR'],
      compromisedMerchants: { days: 7, minReporters: 1 },
    };
    await thresholds.putBankDefault('other-bank', settings);
    await thresholds.putBankDefault('demo-bank', settings);
    const ports = {
      ...inMemoryScoringPorts(thresholds, { now: () => new Date() }),
      // The marks the deployment holds, on its tables.
      merchants: new DynamoDbCompromisedMerchants(local.stack.documents, local.stack.tables.activity),
    };
    const scoreAt = async (bankId: string) => {
      const event = cardTransaction({
        customerId: 'cus_no_c',
        transaction: {
          id: `txn_${bankId}`,
          amount: 1_500,
          channel: 'card_present',
          merchant: { ...bakery, mcc: '5462' },
        },
      });
      event.occurredAt = new Date().toISOString();
      const outcome = await scoreBankEvent(toStoredEvent(bankId, `evt_${bankId}`, event, new Date()), ports);
      return outcome.type === 'card.transaction' ? outcome.decision.reasons.map((reason) => reason.rule) : [];
    };
    expect(await scoreAt('demo-bank')).toEqual(['compromisedMerchant']);
    expect(await scoreAt('other-bank')).toEqual([]);

    // Erasing A removes A's report: the merchant is no longer marked for anyone.
    expect((await local.callBank('DELETE', '/customers/cus_no_a')).status).toBe(204);
    expect((await pay('cus_no_b', bakery)).rules).not.toContain('compromisedMerchant');
  });
});
