import { describe, expect, it } from 'vitest';
import type { BankEvent } from '../../shared/domain/bank-event.ts';
import { hashEvent, toStoredEvent } from '../../shared/domain/stored-event.ts';
import { storedEventSchema } from '../../shared/domain/stored-event-schema.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('hashEvent', () => {
  it('is the same for the same event whatever its key order, and differs for any change', () => {
    const event = cardTransaction({ customerId: 'c1' });
    const reordered = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(event).reverse())),
    ) as BankEvent;
    expect(hashEvent(reordered)).toBe(hashEvent(event));
    expect(hashEvent(cardTransaction({ customerId: 'c2' }))).not.toBe(hashEvent(event));
    expect(hashEvent(accountBalance())).not.toBe(hashEvent(event));
  });

  it('keeps the order of arrays and tells null, strings and numbers apart', () => {
    const a = { ...accountBalance(), tags: ['x', 'y'] } as unknown as BankEvent;
    const b = { ...accountBalance(), tags: ['y', 'x'] } as unknown as BankEvent;
    expect(hashEvent(a)).not.toBe(hashEvent(b));
    const asNull = { ...accountBalance(), extra: null } as unknown as BankEvent;
    const asString = { ...accountBalance(), extra: 'null' } as unknown as BankEvent;
    const asNumber = { ...accountBalance(), extra: 1 } as unknown as BankEvent;
    const asText = { ...accountBalance(), extra: '1' } as unknown as BankEvent;
    expect(new Set([asNull, asString, asNumber, asText].map(hashEvent)).size).toBe(4);
  });
});

describe('storedEventSchema', () => {
  it('reads back what toStoredEvent stores, for both event types', () => {
    for (const event of [cardTransaction(), accountBalance()]) {
      const stored = toStoredEvent('acme', 'evt_1', event, NOW, { erasureRef: 'er_1' });
      expect(storedEventSchema.parse(stored)).toEqual(stored);
    }
  });

  it('refuses an item that lacks the part its type needs, or has the other type’s part only', () => {
    const card = toStoredEvent('acme', 'evt_1', cardTransaction(), NOW);
    const balance = toStoredEvent('acme', 'evt_2', accountBalance(), NOW);
    const { transaction: _, ...cardWithout } = card;
    expect(storedEventSchema.safeParse(cardWithout).success).toBe(false);
    expect(storedEventSchema.safeParse({ ...cardWithout, balance: balance.balance }).success).toBe(false);
    const { balance: __, ...balanceWithout } = balance;
    expect(storedEventSchema.safeParse(balanceWithout).success).toBe(false);
    expect(storedEventSchema.safeParse({ ...balanceWithout, transaction: card.transaction }).success).toBe(
      false,
    );
    expect(storedEventSchema.safeParse({ ...card, status: 'deleted' }).success).toBe(false);
  });
});
