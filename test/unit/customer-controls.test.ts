import { describe, expect, it } from 'vitest';
import type { CallbackDelivery } from '../../shared/domain/callback-delivery.ts';
import {
  CONTROL_PAYLOADS,
  type ControlOutcome,
  CustomerControls,
  controlOf,
} from '../../shared/domain/customer-controls.ts';
import type { OutgoingMessage } from '../../shared/domain/render-message.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import {
  FakeCallbackOutbox,
  FakePreferenceStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';

function subscriber(bankId: string, changes: Partial<Subscriber> = {}): Subscriber {
  return {
    bankId,
    customerId: `cust-${bankId}`,
    address: 'psid-1',
    status: 'active',
    locale: 'en_US',
    enrollmentId: `enr-${bankId}`,
    updatedAt: NOW,
    ...changes,
  };
}

/** The controls of one person over the given subscriptions, recording what is sent and told. */
async function world(subscriptions: readonly Subscriber[]) {
  const clock = new FixedClock(NOW);
  const preferences = new FakePreferenceStore();
  const thresholds = new FakeThresholdStore();
  await thresholds.putBankDefault('gbank', { ...BUILT_IN_THRESHOLDS, currency: 'GBP' });
  const outbox = new FakeCallbackOutbox();
  const told: CallbackDelivery[] = [];
  const enqueue = outbox.enqueue.bind(outbox);
  outbox.enqueue = async (delivery) => {
    told.push(delivery);
    return enqueue(delivery);
  };
  const sent: OutgoingMessage[] = [];
  const controls = new CustomerControls(
    subscriptions,
    { preferences, thresholds, outbox, clock },
    async (m) => {
      sent.push(m);
    },
  );
  return { clock, preferences, told, sent, controls, last: () => sent.at(-1) };
}

const travel = (rest = '') => ({ kind: 'travel', rest }) as const;
const alertsOver = (rest: string) => ({ kind: 'alertsOver', rest }) as const;

describe('controlOf', () => {
  it('reads TRAVEL, ALERTS OVER and SETTINGS in English and French, and nothing else', () => {
    expect(controlOf('TRAVEL')).toEqual({ kind: 'travel', rest: '' });
    expect(controlOf(' voyage: Espagne 20/12/2026')).toEqual({ kind: 'travel', rest: 'Espagne 20/12/2026' });
    expect(controlOf('alerts over 50')).toEqual({ kind: 'alertsOver', rest: '50' });
    expect(controlOf('ALERTES PLUS DE 20,50 €')).toEqual({ kind: 'alertsOver', rest: '20,50 €' });
    expect(controlOf('alert above €7')).toEqual({ kind: 'alertsOver', rest: '€7' });
    expect(controlOf('Settings!')).toEqual({ kind: 'settings' });
    expect(controlOf('réglages')).toEqual({ kind: 'settings' });
    expect(controlOf('paramètres ?')).toEqual({ kind: 'settings' });
    expect(controlOf('settings please')).toBeUndefined();
    expect(controlOf('travelling soon')).toBeUndefined();
    expect(controlOf('ALERTS')).toBeUndefined();
    expect(controlOf('YES')).toBeUndefined();
  });
});

describe('CustomerControls', () => {
  it('answers a person without an active subscription that they have none, and changes nothing', async () => {
    const w = await world([subscriber('acme', { status: 'revoked' })]);
    expect(await w.controls.command({ kind: 'settings' })).toBe('control_cancelled');
    expect(await w.controls.payload('ALERTS_SET', '5000')).toBe('control_cancelled');
    expect(w.sent).toEqual([{ text: 'You have no active alerts.' }, { text: 'You have no active alerts.' }]);
    expect(await w.preferences.get('acme', 'cust-acme')).toBeUndefined();
    expect(w.told).toEqual([]);
  });

  it('TRAVEL alone offers common countries as quick replies within Messenger’s limits', async () => {
    const w = await world([subscriber('acme')]);
    expect(await w.controls.command(travel())).toBe('control_asked');
    const replies = w.last()?.quickReplies ?? [];
    expect(replies).toHaveLength(10);
    expect(replies[0]).toEqual({ title: 'Spain', payload: 'TRAVEL_COUNTRY:ES' });
    for (const reply of replies) expect([...reply.title].length).toBeLessThanOrEqual(20);
    expect(w.last()?.text).toContain('Where are you travelling?');
  });

  it('TRAVEL with a country asks until when; with a date it asks to confirm exactly that', async () => {
    const w = await world([subscriber('acme')]);
    expect(await w.controls.command(travel('Spain'))).toBe('control_asked');
    expect(w.last()?.text).toBe(
      'Until when are you in Spain? Tap a choice, or write the last day, e.g. TRAVEL ES 2026-12-20.',
    );
    expect(w.last()?.quickReplies).toEqual([
      { title: '1 week', payload: 'TRAVEL_SET:ES/2026-03-08' },
      { title: '2 weeks', payload: 'TRAVEL_SET:ES/2026-03-15' },
      { title: '1 month', payload: 'TRAVEL_SET:ES/2026-03-31' },
    ]);
    expect(await w.controls.command(travel('italy until 20/03/2026'))).toBe('control_asked');
    expect(w.last()?.text).toContain('being in Italy, until Mar 20, 2026 included?');
    expect(w.last()?.quickReplies).toEqual([
      { title: 'Yes', payload: 'TRAVEL_SET:IT/2026-03-20' },
      { title: 'No', payload: 'PREF_CANCEL:' },
    ]);
    expect(w.told).toEqual([]);
    expect(await w.preferences.get('acme', 'cust-acme')).toBeUndefined();
  });

  it('does not guess: an unknown country, a past or malformed date is not understood', async () => {
    const w = await world([subscriber('acme')]);
    for (const rest of ['Narnia', 'Spain 2020-01-01', 'Spain 31/02/2026', '<script>alert(1)</script>']) {
      expect(await w.controls.command(travel(rest))).toBe('control_cancelled');
      expect(w.last()?.text).toMatch(/^Sorry, I did not understand/);
    }
    expect(await w.controls.command(alertsOver('fifty'))).toBe('control_cancelled');
    expect(await w.controls.command(alertsOver('-5'))).toBe('control_cancelled');
    expect(w.told).toEqual([]);
  });

  it('a travel quick reply sets the notice for every active subscription and tells each bank', async () => {
    const w = await world([
      subscriber('acme'),
      subscriber('gbank'),
      subscriber('old', { status: 'revoked' }),
    ]);
    expect(await w.controls.payload('TRAVEL_COUNTRY', 'PT')).toBe('control_asked');
    expect(w.last()?.quickReplies?.[0]).toEqual({ title: '1 week', payload: 'TRAVEL_SET:PT/2026-03-08' });
    expect(await w.controls.payload('TRAVEL_SET', 'PT/2026-03-08')).toBe('control_set');
    expect(w.last()?.text).toBe(
      "Done: payments in Portugal won't be questioned for being abroad until Mar 8, 2026 included. Write SETTINGS to see or end it.",
    );
    const expected = { travel: { country: 'PT', until: '2026-03-09T00:00:00.000Z' }, updatedAt: NOW };
    expect(await w.preferences.get('acme', 'cust-acme')).toEqual(expected);
    expect(await w.preferences.get('gbank', 'cust-gbank')).toEqual(expected);
    expect(await w.preferences.get('old', 'cust-old')).toBeUndefined();
    expect(w.told.map((d) => [d.bankId, d.type])).toEqual([
      ['acme', 'customer.preferences_changed'],
      ['gbank', 'customer.preferences_changed'],
    ]);
    expect(JSON.parse(w.told[0]?.body ?? '{}').data).toEqual({
      customerId: 'cust-acme',
      travel: expected.travel,
    });
  });

  it('refuses a forged or stale travel quick reply without changing anything', async () => {
    const w = await world([subscriber('acme')]);
    for (const argument of ['pt/2026-03-08', 'XX/2026-03-08', 'PT/08-03-2026', 'PT/2026-02-27', 'PT', '']) {
      expect(await w.controls.payload('TRAVEL_SET', argument)).toBe('control_cancelled');
    }
    expect(await w.controls.payload('TRAVEL_COUNTRY', 'Atlantis')).toBe('control_cancelled');
    expect(await w.preferences.get('acme', 'cust-acme')).toBeUndefined();
    expect(w.told).toEqual([]);
  });

  it('ALERTS OVER asks to confirm in the bank’s currency, and the tap sets it per bank', async () => {
    const w = await world([subscriber('gbank'), subscriber('acme')]);
    expect(await w.controls.command(alertsOver('50'))).toBe('control_asked');
    expect(w.last()).toEqual({
      text: "Ask you about every payment over £50.00, even when your bank would not? Your bank's own alerts stay on.",
      quickReplies: [
        { title: 'Yes', payload: CONTROL_PAYLOADS.alertsSet(5000) },
        { title: 'No', payload: CONTROL_PAYLOADS.cancel },
      ],
    });
    expect(await w.controls.payload('ALERTS_SET', '5000')).toBe('control_set');
    expect(await w.preferences.get('gbank', 'cust-gbank')).toEqual({
      alertsOver: { amount: 5000, currency: 'GBP' },
      updatedAt: NOW,
    });
    expect(await w.preferences.get('acme', 'cust-acme')).toEqual({
      alertsOver: { amount: 5000, currency: 'EUR' },
      updatedAt: NOW,
    });
    for (const argument of ['-1', '1e3', '12.5', '1234567890123']) {
      expect(await w.controls.payload('ALERTS_SET', argument)).toBe('control_cancelled');
    }
    expect(w.told).toHaveLength(2);
  });

  it('SETTINGS shows what is set, leaves out an ended notice, and clears one thing at a time', async () => {
    const w = await world([subscriber('acme')]);
    expect(await w.controls.command({ kind: 'settings' })).toBe('settings');
    expect(w.last()?.text).toMatch(/^Nothing set\./);
    await w.controls.payload('TRAVEL_SET', 'ES/2026-03-10');
    await w.controls.payload('ALERTS_SET', '2500');
    expect(await w.controls.command({ kind: 'settings' })).toBe('settings');
    expect(w.last()).toEqual({
      text: 'Your settings: Travel notice for Spain until Mar 10, 2026. Asked about every payment over €25.00. Tap to remove one.',
      quickReplies: [
        { title: 'End travel notice', payload: 'PREF_CLEAR:travel' },
        { title: 'Remove my amount', payload: 'PREF_CLEAR:alertsOver' },
      ],
    });
    expect(await w.controls.payload('PREF_CLEAR', 'travel')).toBe('control_cleared');
    expect(await w.preferences.get('acme', 'cust-acme')).toEqual({
      alertsOver: { amount: 2500, currency: 'EUR' },
      updatedAt: NOW,
    });
    expect(await w.controls.payload('PREF_CLEAR', 'everything')).toBe('control_cancelled');
    expect(await w.controls.payload('PREF_CLEAR', 'alertsOver')).toBe('control_cleared');
    expect(await w.preferences.get('acme', 'cust-acme')).toBeUndefined();
    expect(JSON.parse(w.told.at(-1)?.body ?? '{}').data).toEqual({ customerId: 'cust-acme' });
    // A notice past its end is not shown.
    await w.controls.payload('TRAVEL_SET', 'ES/2026-03-02');
    w.clock.advance(2 * 86_400_000);
    expect(await w.controls.command({ kind: 'settings' })).toBe('settings');
    expect(w.last()?.text).toMatch(/^Nothing set\./);
  });

  it('No and unknown actions change nothing', async () => {
    const w = await world([subscriber('acme')]);
    const outcomes: ControlOutcome[] = [
      await w.controls.payload('PREF_CANCEL', ''),
      await w.controls.payload('SOMETHING_ELSE', 'x'),
    ];
    expect(outcomes).toEqual(['control_cancelled', 'control_cancelled']);
    expect(w.sent).toEqual([{ text: 'OK, nothing changed.' }, { text: 'OK, nothing changed.' }]);
    expect(w.told).toEqual([]);
  });

  it('speaks French to a French subscriber', async () => {
    const w = await world([subscriber('acme', { locale: 'fr_FR' })]);
    await w.controls.command(travel());
    expect(w.last()?.text).toMatch(/^Où partez-vous \?/);
    expect(w.last()?.quickReplies?.[0]).toEqual({ title: 'Espagne', payload: 'TRAVEL_COUNTRY:ES' });
    await w.controls.command(travel('Espagne jusqu’au 20/03/2026'));
    expect(w.last()?.text).toContain('de Espagne, jusqu’au 20 mars 2026 inclus ?');
    expect(w.last()?.quickReplies?.map((r) => r.title)).toEqual(['Oui', 'Non']);
    await w.controls.payload('ALERTS_SET', '5000');
    expect(w.last()?.text).toContain('chaque paiement de plus de 50,00');
    await w.controls.command({ kind: 'settings' });
    expect(w.last()?.text).toMatch(/^Vos réglages : Alerte pour chaque paiement de plus de 50,00/);
  });
});
