import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPreferenceStore } from '../../shared/adapters/dynamodb-preference-store.ts';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import {
  type ReceivedBankCallback,
  type SentMessage,
  startTestLocalStack,
  type TestLocalStack,
} from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The customer's own controls in the chat (docs/channels.md, "Customer controls"), black-box
// through local mode: the Messenger emulator, the bank API and the local bank receiver, which
// verifies every callback's signature.

let local: TestLocalStack;

beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(async () => {
  await local.stop();
});

async function callbacksFor(customerId: string, type: string): Promise<ReceivedBankCallback[]> {
  return (await local.callbacksFor(customerId)).filter((callback) => callback.body.type === type);
}

/** Says something and returns the page's answer to it (a RESPONSE, not an alert or follow-up). */
async function ask(psid: string, text: string, payload?: string): Promise<SentMessage['message']> {
  const responses = async () => (await local.messages(psid)).filter((m) => m.messaging_type === 'RESPONSE');
  const before = (await responses()).length;
  await local.say(psid, text, payload);
  const reply = await waitFor(async () => (await responses())[before], 10_000, `a reply to ${text}`);
  return reply.message;
}

const tap = (message: SentMessage['message'], title: string) => {
  const reply = message.quick_replies?.find((q) => q.title === title);
  if (reply === undefined) throw new Error(`no quick reply "${title}" in ${JSON.stringify(message)}`);
  return reply.payload;
};

/** €250 online abroad: foreignCountry (30) + cardNotPresent (20) reach the demo alert score. */
function onlineAbroad(customerId: string, id: string, country: string) {
  return cardTransaction({
    customerId,
    occurredAt: new Date().toISOString(),
    transaction: {
      id,
      amount: 25_000,
      channel: 'card_not_present',
      merchant: { name: `SHOP ${country}`, mcc: '5999', country },
    },
  });
}

/** The alert of a scored transaction, or undefined when it did not score as suspicious. */
async function scoredAlert(customerId: string, transactionId: string) {
  const event = await waitFor(
    async () =>
      (await local.scoredEvents()).find(
        (e) =>
          e.customerId === customerId &&
          (e as { transaction?: { id?: string } }).transaction?.id === transactionId,
      ),
    10_000,
    `${transactionId} scored`,
  );
  if (event.alertId === undefined) return undefined;
  return (await local.scan('alerts')).find((a) => a.alertId === event.alertId);
}

describe('customer controls', () => {
  it('a travel notice for ES silences foreignCountry in Spain, not in Italy, and ends at its date', async () => {
    await local.subscribe('cus_trip', 'psid_trip');
    const countries = await ask('psid_trip', 'TRAVEL');
    expect(countries.text).toMatch(/Where are you travelling\?/);
    expect(countries.quick_replies?.every((q) => q.title.length <= 20)).toBe(true);
    const until = await ask('psid_trip', 'Spain', tap(countries, 'Spain'));
    expect(until.text).toMatch(/Until when are you in Spain\?/);
    const done = await ask('psid_trip', '1 week', tap(until, '1 week'));
    expect(done.text).toMatch(/^Done: payments in Spain won't be questioned for being abroad until/);

    const [changed] = await waitFor(async () => {
      const list = await callbacksFor('cus_trip', 'customer.preferences_changed');
      return list.length > 0 ? list : undefined;
    });
    expect(callbackSchemas['customer.preferences_changed'].parse(changed?.body)).toBeTruthy();
    const travelUntil = Date.parse(
      String((changed?.body.data.travel as { until?: string } | undefined)?.until),
    );
    expect(changed?.body.data).toMatchObject({ customerId: 'cus_trip', travel: { country: 'ES' } });
    expect(travelUntil - Date.now()).toBeGreaterThan(7 * 86_400_000);
    expect(travelUntil - Date.now()).toBeLessThanOrEqual(8 * 86_400_000);

    await local.callBank('POST', '/events', onlineAbroad('cus_trip', 'txn_es', 'ES'));
    expect(await scoredAlert('cus_trip', 'txn_es')).toBeUndefined();
    await local.callBank('POST', '/events', onlineAbroad('cus_trip', 'txn_it', 'IT'));
    const italy = await scoredAlert('cus_trip', 'txn_it');
    expect(italy?.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'foreignCountry' })]),
    );

    // The notice's date passes (set here to a second ago): Spain is foreign again.
    const store = new DynamoDbPreferenceStore(local.stack.documents, local.stack.tables.thresholds);
    const stored = await store.get('demo-bank', 'cus_trip');
    if (stored?.travel === undefined) throw new Error('no travel notice stored');
    await store.put('demo-bank', 'cus_trip', {
      ...stored,
      travel: { ...stored.travel, until: new Date(Date.now() - 1000).toISOString() },
    });
    await local.callBank('POST', '/events', onlineAbroad('cus_trip', 'txn_es_after', 'ES'));
    const after = await scoredAlert('cus_trip', 'txn_es_after');
    expect(after?.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'foreignCountry', observed: 'ES' })]),
    );
    expect((await ask('psid_trip', 'SETTINGS')).text).toMatch(/^Nothing set\./);
  });

  it('"ALERTS OVER 50" makes a €60 grocery payment ask the customer, after a Yes', async () => {
    await local.subscribe('cus_over', 'psid_over');
    const grocery = (id: string, amount: number) =>
      cardTransaction({
        customerId: 'cus_over',
        occurredAt: new Date().toISOString(),
        transaction: { id, amount, merchant: { name: 'CARREFOUR', mcc: '5411', country: 'FR' } },
      });
    await local.callBank('POST', '/events', grocery('txn_before', 6_000));
    expect(await scoredAlert('cus_over', 'txn_before')).toBeUndefined();

    const question = await ask('psid_over', 'ALERTS OVER 50');
    expect(question.text).toMatch(/^Ask you about every payment over €50\.00/);
    // Nothing is set before the Yes.
    await local.callBank('POST', '/events', grocery('txn_unconfirmed', 6_000));
    expect(await scoredAlert('cus_over', 'txn_unconfirmed')).toBeUndefined();
    expect((await ask('psid_over', 'Yes', tap(question, 'Yes'))).text).toMatch(
      /^Done: you will be asked about every payment over €50\.00/,
    );
    const [changed] = await waitFor(async () => {
      const list = await callbacksFor('cus_over', 'customer.preferences_changed');
      return list.length > 0 ? list : undefined;
    });
    expect(changed?.body.data).toEqual({
      customerId: 'cus_over',
      alertsOver: { amount: 5_000, currency: 'EUR' },
    });

    const before = (await local.messages('psid_over')).length;
    await local.callBank('POST', '/events', grocery('txn_60', 6_000));
    const alert = await scoredAlert('cus_over', 'txn_60');
    expect(alert?.reasons).toEqual([
      { rule: 'customerAlertAmount', observed: 6_000, limit: 5_000, currency: 'EUR' },
    ]);
    const message = (await local.waitForMessages('psid_over', before + 1)).at(-1);
    expect(message?.message.text).toMatch(/€60\.00 at CARREFOUR .*Was this you\?/);
    await local.callBank('POST', '/events', grocery('txn_40', 4_000));
    expect(await scoredAlert('cus_over', 'txn_40')).toBeUndefined();

    // The bank sees it read-only, and can clear it.
    const shown = await local.callBank('GET', '/customers/cus_over/preferences');
    expect(shown).toMatchObject({ status: 200, body: { alertsOver: { amount: 5_000, currency: 'EUR' } } });
    expect(
      (await local.callBank('PUT', '/customers/cus_over/preferences', {})).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await local.callBank('DELETE', '/customers/cus_over/preferences')).status).toBe(204);
    expect((await local.callBank('GET', '/customers/cus_over/preferences')).status).toBe(404);
  });

  it('SETTINGS shows what is set and removes one with a tap; each change is told to the bank', async () => {
    await local.subscribe('cus_set', 'psid_set');
    const countries = await ask('psid_set', 'TRAVEL Italy');
    await ask('psid_set', '2 weeks', tap(countries, '2 weeks'));
    const question = await ask('psid_set', 'alerts over €25,50');
    await ask('psid_set', 'Yes', tap(question, 'Yes'));
    const settings = await ask('psid_set', 'Settings');
    expect(settings.text).toMatch(
      /Travel notice for Italy until .* Asked about every payment over €25\.50\./,
    );
    await ask('psid_set', 'Remove my amount', tap(settings, 'Remove my amount'));
    const shown = await local.callBank('GET', '/customers/cus_set/preferences');
    expect(shown.body).toMatchObject({ travel: { country: 'IT' } });
    expect(shown.body).not.toHaveProperty('alertsOver');
    const changes = await waitFor(async () => {
      const list = await callbacksFor('cus_set', 'customer.preferences_changed');
      return list.length >= 3 ? list : undefined;
    });
    const last = [...changes].sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt)).at(-1);
    expect(Object.keys(last?.body.data ?? {}).sort()).toEqual(['customerId', 'travel']);

    // Erasing the customer erases what they set.
    expect((await local.callBank('DELETE', '/customers/cus_set')).status).toBe(204);
    expect((await local.callBank('GET', '/customers/cus_set/preferences')).status).toBe(404);
    expect((await local.scan('thresholds')).filter((item) => String(item.scope).includes('cus_set'))).toEqual(
      [],
    );
  });

  it('speaks French: VOYAGE with a date, ALERTES PLUS DE 50, Oui / Non', async () => {
    await local.subscribe('cus_fr', 'psid_fr', 'fr_FR');
    const day = new Date(Date.now() + 10 * 86_400_000);
    const date = `${String(day.getUTCDate()).padStart(2, '0')}/${String(day.getUTCMonth() + 1).padStart(2, '0')}/${day.getUTCFullYear()}`;
    const question = await ask('psid_fr', `voyage Espagne ${date}`);
    expect(question.text).toMatch(/^Plus de question sur les paiements parce qu’ils viennent de Espagne/);
    expect(question.quick_replies?.map((q) => q.title)).toEqual(['Oui', 'Non']);
    expect((await ask('psid_fr', 'Non', tap(question, 'Non'))).text).toBe('D’accord, rien n’a changé.');
    expect((await local.callBank('GET', '/customers/cus_fr/preferences')).status).toBe(404);
    const amount = await ask('psid_fr', 'ALERTES PLUS DE 50');
    expect(amount.text).toMatch(/de plus de 50,00\s€/);
    expect((await ask('psid_fr', 'Oui', tap(amount, 'Oui'))).text).toMatch(/^C’est fait/);
  });

  it('refuses what it cannot read, and forged or stale quick replies, changing nothing', async () => {
    await local.subscribe('cus_hostile', 'psid_hostile');
    for (const [text, payload] of [
      ['ALERTS OVER lots', undefined],
      ['TRAVEL Atlantis', undefined],
      ['TRAVEL ES 2020-01-01', undefined],
      ['x', 'TRAVEL_SET:ES/2020-01-01'],
      ['x', 'TRAVEL_SET:ZZ/2099-01-01'],
      ['x', 'TRAVEL_SET:ES/9999-99-99'],
      ['x', 'ALERTS_SET:-5'],
      ['x', 'ALERTS_SET:5e3'],
      ['x', 'PREF_CLEAR:__proto__'],
    ] as const) {
      expect((await ask('psid_hostile', text, payload)).text).toMatch(/^Sorry, I did not understand/);
    }
    expect((await local.callBank('GET', '/customers/cus_hostile/preferences')).status).toBe(404);
    expect(await callbacksFor('cus_hostile', 'customer.preferences_changed')).toEqual([]);
    // Someone with no subscription changes nothing.
    expect((await ask('psid_nobody', 'x', 'ALERTS_SET:5000')).text).toBe('You have no active alerts.');
  });
});
