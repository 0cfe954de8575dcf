import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/domain/alert.ts';
import { expireAlerts } from '../../shared/domain/expire-alerts.ts';
import { FakeAlertStore, FakeBankDirectory, FixedClock } from '../support/fakes/index.ts';

const NOW = '2026-03-01T13:00:00.000Z';

function alert(id: string, bankId = 'acme', changes: Partial<Alert> = {}): Alert {
  return {
    alertId: id,
    ref: `ref-${id}`,
    bankId,
    customerId: `c-${id}`,
    customerKey: `${bankId}#c-${id}`,
    kind: 'fraud_check',
    status: 'pending',
    eventId: `e-${id}`,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 1,
      currency: 'EUR',
      merchantName: 'M',
      merchantCountry: 'FR',
      occurredAt: NOW,
    },
    createdAt: NOW,
    expiresAt: 0,
    ...changes,
  };
}

async function sent(alerts: FakeAlertStore, a: Alert, deadline: string) {
  await alerts.fileFraudCheck(a, new Date('2026-03-01T12:00:00.000Z'));
  await alerts.claimSend(a.alertId, new Date('2026-03-01T12:00:00.000Z'));
  await alerts.markSent(a.alertId, { address: `p-${a.alertId}`, messageId: 'm', sentAt: NOW, deadline });
}

function world() {
  return {
    alerts: new FakeAlertStore(),
    banks: new FakeBankDirectory([
      { bankId: 'acme', name: 'ACME' },
      { bankId: 'globex', name: 'Globex' },
    ]),
    clock: new FixedClock(NOW),
  };
}

describe('expireAlerts', () => {
  it('keeps the answer of a check answered between the listing and the expiry, and does not count it', async () => {
    const w = world();
    await sent(w.alerts, alert('a1'), '2026-03-01T12:30:00.000Z');
    await sent(w.alerts, alert('a2'), '2026-03-01T12:30:00.000Z');
    const racing = Object.create(w.alerts) as FakeAlertStore;
    racing.openPastDeadline = async (bankId, ...rest) => {
      const ids = await w.alerts.openPastDeadline(bankId, ...rest);
      if (bankId !== 'acme') return ids;
      // The customer's "No", sent just before the deadline, is written after the listing.
      await forceAnswer(w.alerts, 'a1');
      return ids;
    };
    expect(await expireAlerts({ ...w, alerts: racing })).toEqual({ expired: 1 });
    expect((await w.alerts.get('a1'))?.status).toBe('disputed');
    expect((await w.alerts.get('a2'))?.status).toBe('expired');
  });

  it('expires at most 100 checks per bank per run; the next run takes the rest', async () => {
    const w = world();
    for (let i = 0; i < 101; i++)
      await sent(w.alerts, alert(`a${String(i).padStart(3, '0')}`), '2026-03-01T12:30:00.000Z');
    await sent(w.alerts, alert('g1', 'globex'), '2026-03-01T12:30:00.000Z');
    expect(await expireAlerts(w)).toEqual({ expired: 101 });
    expect((await w.alerts.get('g1'))?.status).toBe('expired');
    expect(await expireAlerts(w)).toEqual({ expired: 1 });
    expect(await expireAlerts(w)).toEqual({ expired: 0 });
  });

  it('stops at a store that fails, having expired what came before; a rerun finishes the work', async () => {
    const w = world();
    await sent(w.alerts, alert('a1'), '2026-03-01T12:30:00.000Z');
    await sent(w.alerts, alert('g1', 'globex'), '2026-03-01T12:30:00.000Z');
    const failing = Object.create(w.alerts) as FakeAlertStore;
    failing.openPastDeadline = async (bankId, ...rest) => {
      if (bankId === 'globex') throw new Error('ThrottlingException');
      return w.alerts.openPastDeadline(bankId, ...rest);
    };
    await expect(expireAlerts({ ...w, alerts: failing })).rejects.toThrow('ThrottlingException');
    expect((await w.alerts.get('a1'))?.status).toBe('expired');
    expect((await w.alerts.get('g1'))?.status).toBe('sent');
    expect(await expireAlerts(w)).toEqual({ expired: 1 });
  });

  it('closes an expired check as its customer’s open one, so a later payment opens a new check', async () => {
    const w = world();
    await sent(
      w.alerts,
      alert('a1', 'acme', { customerId: 'c1', customerKey: 'acme#c1' }),
      '2026-03-01T12:30:00.000Z',
    );
    await expireAlerts(w);
    const next = alert('a2', 'acme', { customerId: 'c1', customerKey: 'acme#c1' });
    expect(await w.alerts.fileFraudCheck(next, new Date(NOW))).toEqual({ checkId: 'a2', created: true });
  });
});

/** Answers a sent alert as its customer would have just before its deadline. */
async function forceAnswer(alerts: FakeAlertStore, alertId: string) {
  const before = await alerts.get(alertId);
  const ok = await alerts.answer(
    alertId,
    'disputed',
    before?.address ?? '',
    new Date('2026-03-01T12:29:59.000Z'),
  );
  expect(ok).toBe(true);
}
