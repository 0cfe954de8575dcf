import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/domain/zod.ts';

// z.isoDateTime stands in for z.iso.datetime (it keeps z.iso's other formats out of the bundles):
// the same acceptance, the same output and the same issues, with every option the schemas use.

const outcome = (schema: z.ZodMiniType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: result.data }
    : { issues: result.error.issues.map(({ code, message, path }) => ({ code, message, path })) };
};

const options = [
  undefined,
  { offset: true },
  { offset: true, local: true },
  { precision: 3 },
  { offset: true, error: (issue: { input?: unknown }) => `custom ${String(issue.input)}` },
] as const;

describe('z.isoDateTime', () => {
  const samples = [
    '2026-11-29T10:00:00Z',
    '2026-11-29T11:00:00+01:00',
    '2026-11-29T11:00:00.123+01:00',
    '2026-11-29T11:00:00.123Z',
    '2026-11-29T10:00',
    '2026-11-29T10:00:00',
    '2026-11-29',
    '2026-02-30T10:00:00Z',
    '2026-11-29 10:00:00Z',
    'P1D',
    '10:00:00',
    '',
    42,
    undefined,
  ];

  it.each(options.map((params, index) => [index, params]))(
    'reads as z.iso.datetime does (options %i)',
    (_, params) => {
      for (const value of samples)
        expect(outcome(z.isoDateTime(params), value)).toEqual(outcome(z.iso.datetime(params), value));
    },
  );

  it('reads any date-like string as z.iso.datetime does', () => {
    const dateLike = fc.oneof(
      fc.string(),
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc
        .tuple(
          fc.date({ noInvalidDate: true }),
          fc.constantFrom('', 'Z', '+01:00', '-0530', '+1', '.5Z'),
          fc.integer({ min: 10, max: 23 }),
        )
        .map(([date, suffix, cut]) => `${date.toISOString().slice(0, cut)}${suffix}`),
    );
    fc.assert(
      fc.property(dateLike, fc.constantFrom(...options), (value, params) => {
        expect(outcome(z.isoDateTime(params), value)).toEqual(outcome(z.iso.datetime(params), value));
      }),
      { numRuns: 1000 },
    );
  });
});
