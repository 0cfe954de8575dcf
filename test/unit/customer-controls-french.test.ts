import { describe, expect, it } from 'vitest';
import { CustomerControls } from '../../shared/domain/customer-controls.ts';
import type { OutgoingMessage } from '../../shared/domain/render-message.ts';
import {
  FakeCallbackOutbox,
  FakePreferenceStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

// The customer's controls in French (docs/channels.md, "Customer controls"): the travel notice asked step by
// step and set, the own alert amount asked, and the settings listing both.

describe('customer controls for a French subscriber', () => {
  it('asks until when, sets the travel notice, asks to confirm an amount, and lists both', async () => {
    const clock = new FixedClock('2026-03-01T12:00:00.000Z');
    const preferences = new FakePreferenceStore();
    const sent: OutgoingMessage[] = [];
    const controls = new CustomerControls(
      [
        {
          bankId: 'acme',
          customerId: 'cust-1',
          address: 'psid-1',
          status: 'active',
          locale: 'fr_FR',
          enrollmentId: 'enr-1',
          updatedAt: clock.now().toISOString(),
        },
      ],
      { preferences, thresholds: new FakeThresholdStore(), outbox: new FakeCallbackOutbox(), clock },
      async (m) => {
        sent.push(m);
      },
    );
    const last = () => sent.at(-1);

    expect(await controls.command({ kind: 'travel', rest: 'Espagne' })).toBe('control_asked');
    expect(last()?.text).toMatch(/^Jusqu’à quand êtes-vous en Espagne \? .* VOYAGE ES 20\/12\/2026\.$/);
    expect(last()?.quickReplies?.map((r) => r.title)).toEqual(['1 semaine', '2 semaines', '1 mois']);

    expect(await controls.payload('TRAVEL_SET', 'ES/2026-03-08')).toBe('control_set');
    expect(last()?.text).toMatch(/^C’est fait : les paiements en Espagne .* jusqu’au 8 mars 2026 inclus\./);

    expect(await controls.command({ kind: 'alertsOver', rest: '50' })).toBe('control_asked');
    expect(last()?.text).toMatch(/^Vous demander pour chaque paiement de plus de 50,00/);
    expect(last()?.quickReplies?.map((r) => r.title)).toEqual(['Oui', 'Non']);
    expect(await controls.payload('ALERTS_SET', '5000')).toBe('control_set');

    await controls.command({ kind: 'settings' });
    expect(last()?.text).toContain('Voyage : Espagne jusqu’au 8 mars 2026.');
    expect(last()?.text).toContain('Alerte pour chaque paiement de plus de 50,00');
  });
});
