import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../shared/domain/enroll-customer.ts';
import { metaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { accountBalance, cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

let local: TestLocalStack;
beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

async function enroll(customerId: string, locale = 'en_US') {
  const response = await local.callBank('POST', '/enrollments', { customerId, locale });
  expect(response.status).toBe(201);
  return response.body as { enrollmentId: string; link: string; expiresAt: string };
}

/** Enrolls the customer and agrees, as they would in Messenger. */
async function subscribe(customerId: string, psid: string, locale = 'en_US') {
  const { link } = await enroll(customerId, locale);
  await local.openLink(psid, link);
  const [consent] = await local.waitForMessages(psid, 1);
  const agree = consent?.message.quick_replies?.[0]?.payload ?? '';
  await local.say(psid, 'Agree', agree);
  await local.waitForMessages(psid, 2);
}

async function subscriber(customerId: string) {
  return (await local.scan('subscribers')).find((item) => item.customerId === customerId);
}

async function alertOf(customerId: string) {
  return (await local.scan('alerts')).find((item) => item.customerId === customerId);
}

describe('Messenger journey (docs/contract.md#enrollments, #customer-messaging)', () => {
  it('enrolls with consent, alerts, and records a "No" as disputed', async () => {
    const { link, expiresAt, enrollmentId } = await enroll('cus_journey');
    expect(link).toMatch(/^https:\/\/m\.me\/100000000000001\?ref=[A-Za-z0-9_-]{43}$/);
    expect(enrollmentId).toMatch(/^enr_/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const token = new URL(link).searchParams.get('ref') ?? '';
    const [stored] = (await local.scan('enrollments')).filter((item) => item.enrollmentId === enrollmentId);
    expect(stored?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    await local.openLink('psid_journey', link);
    const [consent] = await local.waitForMessages('psid_journey', 1);
    expect(consent?.messaging_type).toBe('RESPONSE');
    expect(consent?.message.text).toMatch(/Demo Bank/);
    expect(consent?.message.text).toMatch(/last 4 digits.*merchant.*amount.*time/);
    expect(consent?.message.quick_replies?.map((reply) => reply.title)).toEqual(['Agree', 'No thanks']);
    expect((await subscriber('cus_journey'))?.status).toBe('pending_consent');

    await local.say('psid_journey', 'Agree', consent?.message.quick_replies?.[0]?.payload);
    const [, confirmed] = await local.waitForMessages('psid_journey', 2);
    expect(confirmed?.message.text).toMatch(/You will get alerts from Demo Bank/);
    expect(await subscriber('cus_journey')).toMatchObject({
      status: 'active',
      psid: 'psid_journey',
      consentVersion: 'consent-v1',
      consentedAt: expect.any(String),
    });

    expect(
      (await local.callBank('POST', '/events', suspiciousTransaction('cus_journey', 'txn_j1'))).status,
    ).toBe(202);
    const [, , alert] = await local.waitForMessages('psid_journey', 3);
    expect(alert?.message.text).toBe(
      'Demo Bank: card ••4242, €649.00 at GADGETS ONLINE (US), Nov 29, 10:00. Was this you?',
    );
    expect(alert?.message.quick_replies?.map((reply) => reply.title)).toEqual([
      'Yes, it was me',
      "No, it wasn't",
    ]);
    await waitFor(async () => ((await alertOf('cus_journey'))?.status === 'sent' ? true : undefined));
    expect(await alertOf('cus_journey')).toMatchObject({
      psid: 'psid_journey',
      messageId: expect.stringMatching(/^m_/),
    });

    await local.say('psid_journey', "No, it wasn't", alert?.message.quick_replies?.[1]?.payload);
    const [, , , answer] = await local.waitForMessages('psid_journey', 4);
    expect(answer?.message.text).toMatch(/Demo Bank has been warned/);
    expect(await alertOf('cus_journey')).toMatchObject({
      status: 'disputed',
      answeredAt: expect.any(String),
    });

    // A late "Yes" changes nothing but gets a polite answer.
    await local.say('psid_journey', 'Yes, it was me', alert?.message.quick_replies?.[0]?.payload);
    const [, , , , late] = await local.waitForMessages('psid_journey', 5);
    expect(late?.message.text).toMatch(/already closed/);
    expect((await alertOf('cus_journey'))?.status).toBe('disputed');
  });

  it('writes in the customer’s language, amounts in the transaction’s currency', async () => {
    await subscribe('cus_fr', 'psid_fr', 'fr_FR');
    await local.callBank(
      'POST',
      '/events',
      cardTransaction({
        customerId: 'cus_fr',
        transaction: {
          id: 'txn_fr',
          amount: 64_900,
          currency: 'EUR',
          merchant: { name: 'BOUTIQUE', country: 'US' },
          channel: 'card_not_present',
        },
      }),
    );
    const [, , alert] = await local.waitForMessages('psid_fr', 3);
    expect(alert?.message.text).toBe(
      'Demo Bank : carte ••4242, 649,00\u00a0€ chez BOUTIQUE (US), 29 nov., 10:00. Était-ce vous ?',
    );
    expect(alert?.message.quick_replies?.map((reply) => reply.title)).toEqual([
      "Oui, c'était moi",
      'Non, pas moi',
    ]);
  });

  it('refuses an expired link', async () => {
    const { link, enrollmentId } = await enroll('cus_expired');
    const [item] = (await local.scan('enrollments')).filter((row) => row.enrollmentId === enrollmentId);
    await local.stack.documents.send(
      new UpdateCommand({
        TableName: local.stack.tables.enrollments,
        Key: { tokenHash: item?.tokenHash },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    await local.openLink('psid_expired', link);
    const [reply] = await local.waitForMessages('psid_expired', 1);
    expect(reply?.message.text).toMatch(/expired or was already used/);
    expect(await subscriber('cus_expired')).toBeUndefined();
  });

  it('refuses a link opened a second time, even by someone else', async () => {
    const { link } = await enroll('cus_reused');
    await local.openLink('psid_first', link);
    await local.waitForMessages('psid_first', 1);
    await local.openLink('psid_second', link);
    const [reply] = await local.waitForMessages('psid_second', 1);
    expect(reply?.message.text).toMatch(/expired or was already used/);
    expect((await subscriber('cus_reused'))?.psid).toBe('psid_first');
  });

  it('keeps nothing when consent is refused, and ignores the customer’s events', async () => {
    const { link } = await enroll('cus_refuses');
    await local.openLink('psid_refuses', link);
    const [consent] = await local.waitForMessages('psid_refuses', 1);
    await local.say('psid_refuses', 'No thanks', consent?.message.quick_replies?.[1]?.payload);
    const [, reply] = await local.waitForMessages('psid_refuses', 2);
    expect(reply?.message.text).toMatch(/no alerts from Demo Bank/);
    expect(await subscriber('cus_refuses')).toBeUndefined();
    const event = await local.callBank(
      'POST',
      '/events',
      suspiciousTransaction('cus_refuses', 'txn_refused'),
    );
    expect(event.body).toMatchObject({ status: 'ignored', reason: 'not_subscribed' });
  });

  it('stops on STOP: no message for a later transaction; START asks for consent again', async () => {
    await subscribe('cus_stop', 'psid_stop');
    await local.say('psid_stop', 'stop');
    const [, , stopped] = await local.waitForMessages('psid_stop', 3);
    expect(stopped?.message.text).toMatch(/Alerts from Demo Bank are off/);
    expect((await subscriber('cus_stop'))?.status).toBe('revoked');

    const event = await local.callBank(
      'POST',
      '/events',
      suspiciousTransaction('cus_stop', 'txn_after_stop'),
    );
    expect(event.body).toMatchObject({ status: 'ignored' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await local.messages('psid_stop')).toHaveLength(3);

    await local.say('psid_stop', 'START');
    const [, , , consent] = await local.waitForMessages('psid_stop', 4);
    expect(consent?.message.quick_replies?.[0]?.title).toBe('Agree');
    expect((await subscriber('cus_stop'))?.status).toBe('pending_consent');
  });

  it.each([
    ['Stop please', 'en_US', /Alerts from Demo Bank are off/],
    ['ＳＴＯＰ!', 'en_US', /Alerts from Demo Bank are off/],
    ['Arrêt.', 'fr_FR', /Les alertes de Demo Bank sont arrêtées/],
  ])('stops on %j and says so', async (words, locale, answer) => {
    const id = `stopw_${locale}_${words.length}`;
    await subscribe(`cus_${id}`, `psid_${id}`, locale);
    await local.say(`psid_${id}`, words);
    const [, , stopped] = await local.waitForMessages(`psid_${id}`, 3);
    expect(stopped?.message.text).toMatch(answer);
    expect((await subscriber(`cus_${id}`))?.status).toBe('revoked');
    // A second STOP finds nothing left to stop, and says that too.
    await local.say(`psid_${id}`, words);
    const [, , , again] = await local.waitForMessages(`psid_${id}`, 4);
    expect(again?.message.text).toBe(
      locale === 'fr_FR' ? 'Vous n’avez aucune alerte active.' : 'You have no active alerts.',
    );
  });

  it('answers HELP', async () => {
    await local.say('psid_help', 'help');
    const [reply] = await local.waitForMessages('psid_help', 1);
    expect(reply?.message.text).toMatch(/STOP/);
  });

  it('changes nothing for a replayed message id', async () => {
    await subscribe('cus_replay', 'psid_replay');
    await local.say('psid_replay', 'STOP', undefined, 'm_replayed');
    await local.waitForMessages('psid_replay', 3);
    await local.say('psid_replay', 'START');
    await local.waitForMessages('psid_replay', 4);
    const replay = await local.say('psid_replay', 'STOP', undefined, 'm_replayed');
    expect(replay.webhookStatus).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await subscriber('cus_replay'))?.status).toBe('pending_consent');
    expect(await local.messages('psid_replay')).toHaveLength(4);
  });

  it('refuses a forged or missing signature with 403 and changes nothing', async () => {
    await subscribe('cus_forged', 'psid_forged');
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1,
          messaging: [
            {
              sender: { id: 'psid_forged' },
              recipient: { id: '1' },
              timestamp: 1,
              message: { mid: 'm_forged', text: 'STOP' },
            },
          ],
        },
      ],
    });
    for (const signature of [metaSignature('not-the-app-secret', body), undefined, 'sha256=00', 'md5=abc']) {
      const response = await fetch(`${local.apiUrl}/messenger/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature && { 'x-hub-signature-256': signature }),
        },
        body,
      });
      expect(response.status).toBe(403);
    }
    expect((await subscriber('cus_forged'))?.status).toBe('active');
    expect((await local.scan('inbound')).some((item) => item.mid === 'm_forged')).toBe(false);
  });

  it('answers Meta’s subscription check with the verify token only', async () => {
    const { verifyToken } = local.stack.config.messenger;
    const check = (token: string) =>
      fetch(
        `${local.apiUrl}/messenger/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=12345`,
      );
    const ok = await check(verifyToken);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('12345');
    expect((await check('wrong')).status).toBe(403);
  });

  it('ignores an answer from another Messenger user', async () => {
    await subscribe('cus_owner', 'psid_owner');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_owner', 'txn_owner'));
    const [, , alert] = await local.waitForMessages('psid_owner', 3);
    await local.say('psid_intruder', 'No', alert?.message.quick_replies?.[1]?.payload);
    await local.waitForMessages('psid_intruder', 1);
    expect((await alertOf('cus_owner'))?.status).toBe('sent');
  });

  it('sends one message after a 500, a 613 or a 429 then success', async () => {
    // One customer per fault: a second suspicious payment of one customer would join the first's
    // open fraud check instead of making a message of its own (docs/scoring.md, "Fraud checks").
    for (const [index, fault] of [
      { status: 500, error: { code: 2 } },
      { status: 400, error: { code: 613 } },
      { status: 429, error: { code: 4 } },
    ].entries()) {
      await subscribe(`cus_faults_${index}`, `psid_faults_${index}`);
      await local.faults([fault]);
      await local.callBank(
        'POST',
        '/events',
        suspiciousTransaction(`cus_faults_${index}`, `txn_fault_${index}`),
      );
      await local.waitForMessages(`psid_faults_${index}`, 3);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const index of [0, 1, 2]) {
      expect((await local.messages(`psid_faults_${index}`)).slice(2)).toHaveLength(1);
      expect(
        (await local.scan('alerts'))
          .filter((a) => a.customerId === `cus_faults_${index}`)
          .map((a) => a.status),
      ).toEqual(['sent']);
    }
  });

  it('marks an alert undeliverable on a permanent error, and sends nothing', async () => {
    await subscribe('cus_gone', 'psid_gone');
    await local.faults([
      { status: 400, error: { code: 551, message: 'This person isn’t available right now.' } },
    ]);
    await local.callBank('POST', '/events', suspiciousTransaction('cus_gone', 'txn_gone'));
    await waitFor(async () => ((await alertOf('cus_gone'))?.status === 'undeliverable' ? true : undefined));
    expect(await alertOf('cus_gone')).toMatchObject({ undeliverableReason: 'send_error_551' });
    expect(await local.messages('psid_gone')).toHaveLength(2);
  });

  it('never sends a customer id, a card or account number or a balance to Messenger', async () => {
    await subscribe('cus_private_4242', 'psid_private');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_private_4242', 'txn_private'));
    await local.callBank(
      'POST',
      '/events',
      accountBalance({ customerId: 'cus_private_4242', balance: { accountLast4: '0042', available: 4_217 } }),
    );
    const messages = await local.waitForMessages('psid_private', 4);
    const low = messages.find((message) => message.message.text?.includes('••0042'));
    expect(low?.message.text).toMatch(/balance of account ••0042 is below/);
    const sent = JSON.stringify(messages);
    expect(sent).not.toContain('cus_private');
    expect(sent).not.toMatch(/42[.,]17|4217|4 217/);
    expect(sent).not.toMatch(/\d{13,19}/);
    expect(sent).not.toContain('txn_private');
  });

  it('erases everything held on a customer, idempotently', async () => {
    await subscribe('cus_erase', 'psid_erase');
    await local.callBank('POST', '/events', suspiciousTransaction('cus_erase', 'txn_erase'));
    await local.waitForMessages('psid_erase', 3);
    await local.callBank('PUT', '/customers/cus_erase/thresholds', { alertScore: 99 });
    await enroll('cus_erase');

    expect((await local.callBank('DELETE', '/customers/cus_erase')).status).toBe(204);
    for (const table of [
      'subscribers',
      'alerts',
      'events',
      'activity',
      'enrollments',
      'thresholds',
    ] as const) {
      const rows = await local.scan(table);
      expect(JSON.stringify(rows), table).not.toContain('cus_erase');
    }
    expect((await local.callBank('DELETE', '/customers/cus_erase')).status).toBe(204);
  });
});
