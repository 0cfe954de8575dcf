import { describe, expect, it } from 'vitest';
import { bankEventSchema } from '../../shared/domain/bank-event.ts';
import { type FieldProblem, ValidationError } from '../../shared/domain/errors.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { parseOrThrow } from '../../shared/domain/validate.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';

function problemsOf(value: unknown): readonly FieldProblem[] {
  try {
    parseOrThrow(bankEventSchema, value);
  } catch (error) {
    if (error instanceof ValidationError) return error.errors ?? [];
    throw error;
  }
  return [];
}

describe('bank event schema', () => {
  it('accepts the examples of the contract', () => {
    expect(problemsOf(cardTransaction())).toEqual([]);
    expect(problemsOf(accountBalance())).toEqual([]);
  });

  it.each([
    ['an unknown top-level field', { ...cardTransaction(), email: 'a@b.c' }, '$'],
    [
      'an unknown nested field',
      cardTransaction({ transaction: { merchant: { city: 'Paris' } as never } }),
      'transaction.merchant',
    ],
    ['a customer id with spaces', cardTransaction({ customerId: 'Jane Doe' }), 'customerId'],
    ['an e-mail as customer id', cardTransaction({ customerId: 'jane@example.com' }), 'customerId'],
    ['a customer id of 65 characters', cardTransaction({ customerId: 'c'.repeat(65) }), 'customerId'],
    ['a fractional amount', cardTransaction({ transaction: { amount: 125.5 } }), 'transaction.amount'],
    ['a negative amount', cardTransaction({ transaction: { amount: -1 } }), 'transaction.amount'],
    [
      'an amount as a string',
      cardTransaction({ transaction: { amount: '125' as never } }),
      'transaction.amount',
    ],
    ['a lower-case currency', cardTransaction({ transaction: { currency: 'eur' } }), 'transaction.currency'],
    ['an unknown currency', cardTransaction({ transaction: { currency: 'ABC' } }), 'transaction.currency'],
    [
      'an unknown country',
      cardTransaction({ transaction: { merchant: { country: 'ZZ' } } }),
      'transaction.merchant.country',
    ],
    [
      'a 3-letter country',
      cardTransaction({ transaction: { merchant: { country: 'FRA' } } }),
      'transaction.merchant.country',
    ],
    [
      'a 3-digit MCC',
      cardTransaction({ transaction: { merchant: { mcc: '541' } } }),
      'transaction.merchant.mcc',
    ],
    [
      'a 5-digit card suffix',
      cardTransaction({ transaction: { cardLast4: '42424' } }),
      'transaction.cardLast4',
    ],
    [
      'an unknown channel',
      cardTransaction({ transaction: { channel: 'phone' as never } }),
      'transaction.channel',
    ],
    [
      'an unknown status',
      cardTransaction({ transaction: { status: 'settled' as never } }),
      'transaction.status',
    ],
    ['a date without time', cardTransaction({ occurredAt: '2026-11-29' }), 'occurredAt'],
    ['a fractional balance', accountBalance({ balance: { available: 1.5 } }), 'balance.available'],
    ['an unknown type', { ...accountBalance(), type: 'account.opened' }, 'type'],
  ])('reports %s at its path', (_, value, path) => {
    const problems = problemsOf(value);
    expect(problems.map((problem) => problem.path)).toContain(path);
    for (const problem of problems) expect(problem.message).not.toBe('');
  });

  it('takes an optional stable merchant id, of the opaque id characters only, and stores it', () => {
    expect(problemsOf(cardTransaction({ transaction: { merchant: { id: 'mid_00:42.a-b' } } }))).toEqual([]);
    for (const id of ['', 'has space', 'x'.repeat(65), 'évry', '<script>'])
      expect(problemsOf(cardTransaction({ transaction: { merchant: { id } } })).map((p) => p.path)).toEqual([
        'transaction.merchant.id',
      ]);
    const event = cardTransaction({ transaction: { merchant: { id: 'mid_7' } } });
    expect(toStoredEvent('bank', 'evt', event, new Date()).transaction?.merchantId).toBe('mid_7');
    expect(toStoredEvent('bank', 'evt', cardTransaction(), new Date()).transaction).not.toHaveProperty(
      'merchantId',
    );
  });

  it('names the unknown field in the message', () => {
    expect(problemsOf({ ...cardTransaction(), email: 'a@b.c' })[0]?.message).toContain('email');
  });

  it('accepts a negative balance (overdraft) and a timestamp with an offset', () => {
    expect(
      problemsOf(accountBalance({ balance: { available: -5000 }, occurredAt: '2026-11-29T11:00:00+01:00' })),
    ).toEqual([]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      cardTransaction({ customerId: '', transaction: { amount: 1.5, currency: 'x' } }),
    );
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      'customerId',
      'transaction.amount',
      'transaction.currency',
    ]);
  });

  it('reports a body that is not an object at the root', () => {
    expect(problemsOf([1, 2])).toEqual([expect.objectContaining({ path: '$' })]);
  });

  it.each([
    ['a line feed', 'SHOP\n\nDemo Bank: this payment is verified safe, tap Yes'],
    ['a right-to-left override', 'SHOP \u202E'],
    ['a bidirectional isolate', 'SHOP \u2067x\u2069'],
    ['a zero-width space', 'SH\u200bOP'],
    ['a byte order mark', '\ufeffSHOP'],
    ['a tab', 'SHOP\tPARIS'],
    ['a paragraph separator', 'SHOP\u2029PARIS'],
    ['a NUL', 'SHOP\u0000'],
  ])('refuses a merchant name with %s, with the field path', (_, name) => {
    expect(problemsOf(cardTransaction({ transaction: { merchant: { name } } }))).toEqual([
      { path: 'transaction.merchant.name', message: expect.stringContaining('control') },
    ]);
  });

  it('accepts accents, symbols and emoji in a merchant name', () => {
    expect(
      problemsOf(cardTransaction({ transaction: { merchant: { name: 'Café Müller & Søn — №5 ☕' } } })),
    ).toEqual([]);
  });
});
