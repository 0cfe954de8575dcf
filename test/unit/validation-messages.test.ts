import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bankEventSchema } from '../../shared/domain/bank-event.ts';
import { enrollmentRequestSchema } from '../../shared/domain/enroll-customer.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { thresholdsSchema } from '../../shared/domain/thresholds.ts';
import { parseOrThrow } from '../../shared/domain/validate.ts';

// The messages a bank's engineer reads in a 400: each says what to send instead.

const example = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'card-transaction.json'), 'utf8'),
) as { transaction: Record<string, unknown> } & Record<string, unknown>;

function problems(schema: Parameters<typeof parseOrThrow>[0], value: unknown) {
  try {
    parseOrThrow(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return Object.fromEntries(
      ((error as ValidationError).errors ?? []).map((problem) => [problem.path, problem.message]),
    );
  }
  throw new Error('accepted');
}

const withTransaction = (change: Record<string, unknown>) => ({
  ...example,
  transaction: { ...example.transaction, ...change },
});

describe('validation messages', () => {
  it('a missing field is "Required.", whatever its type', () => {
    const { customerId: _, ...noCustomer } = example;
    const { status: __, amount: ___, ...noStatusNoAmount } = example.transaction;
    expect(problems(bankEventSchema, noCustomer)).toEqual({ customerId: 'Required.' });
    expect(problems(bankEventSchema, { ...example, transaction: noStatusNoAmount })).toEqual({
      'transaction.status': 'Required.',
      'transaction.amount': 'Required.',
    });
    expect(problems(bankEventSchema, { ...example, occurredAt: undefined })).toEqual({
      occurredAt: 'Required.',
    });
  });

  it('an amount that is not an integer says minor units (cents)', () => {
    for (const amount of [125.5, '12500', null]) {
      expect(problems(bankEventSchema, withTransaction({ amount }))).toEqual({
        'transaction.amount': 'Must be an integer amount in minor units (cents): 12500 for 125.00.',
      });
    }
    expect(problems(thresholdsSchema, { singleTransactionAmount: 1.5 })).toMatchObject({
      singleTransactionAmount: 'Must be an integer amount in minor units (cents): 12500 for 125.00.',
    });
  });

  it('a date and time without its offset says the offset is missing', () => {
    for (const occurredAt of ['2026-11-29T10:00:00', '2026-11-29T10:00', '2026-11-29T10:00:00.123']) {
      expect(problems(bankEventSchema, { ...example, occurredAt })).toEqual({
        occurredAt:
          'The time zone offset is missing: add Z for UTC or the offset, e.g. 2026-11-29T10:00:00Z or 2026-11-29T11:00:00+01:00.',
      });
    }
    expect(problems(bankEventSchema, { ...example, occurredAt: 'yesterday' })).toEqual({
      occurredAt: 'Must be an ISO 8601 date and time with its offset, e.g. 2026-11-29T10:00:00Z.',
    });
  });

  it('ids name the characters they allow', () => {
    expect(problems(bankEventSchema, { ...example, customerId: 'jane doe' })).toEqual({
      customerId: 'Must be 1 to 64 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-".',
    });
  });

  it('choices are listed, unknown fields named, wrong types said plainly', () => {
    expect(problems(bankEventSchema, withTransaction({ channel: 'web' }))).toEqual({
      'transaction.channel': 'Must be one of: "card_present", "card_not_present", "atm", "transfer".',
    });
    expect(problems(bankEventSchema, { ...example, type: 'card.refund' })).toEqual({
      type: 'Must be one of: "card.transaction", "account.balance".',
    });
    expect(problems(bankEventSchema, withTransaction({ pan: 'x' }))).toEqual({
      transaction: 'Unknown field "pan": remove it; only the documented fields are accepted.',
    });
    expect(problems(bankEventSchema, 'text')).toEqual({ $: 'Must be an object, not a string.' });
    expect(problems(enrollmentRequestSchema, { customerId: 'cus_1', locale: 'french' })).toEqual({
      locale: 'Must be a locale such as en_US or fr_FR.',
    });
  });

  it('no message is zod’s own wording', () => {
    const all = problems(bankEventSchema, {
      type: 'card.transaction',
      occurredAt: 1,
      transaction: { amount: -1, merchant: { name: '' }, extra: true },
    });
    for (const message of Object.values(all)) {
      expect(message).not.toMatch(/expected|received|Invalid input|Invalid option|Too small/);
    }
  });
});
