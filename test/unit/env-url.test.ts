import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/domain/zod.ts';
import { envUrl, parseEnv } from '../../shared/runtime/env.ts';

// envUrl stands in for zod's z.url() in the functions' environment schemas (it keeps zod's URL
// schema out of the bundles): it must accept, refuse and rewrite exactly as z.url() does.

const outcome = (schema: z.ZodMiniType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: result.data }
    : { messages: result.error.issues.map((issue) => issue.message) };
};

describe('envUrl', () => {
  const samples = [
    'http://127.0.0.1:8000',
    'https://graph.facebook.com',
    '  http://localhost:4566/  ',
    'http://exa\nmple.com/pa\tth',
    'http:example.com',
    'mailto:someone@example.com',
    'not a url',
    '',
    '   ',
    '//no-scheme.example',
    'http://[::1]:8000',
    'http://[::1',
    'https://exa mple.com',
    '\u0000http://example.com',
    42,
    undefined,
    null,
  ];

  it.each(samples.map((value) => [JSON.stringify(value) ?? 'undefined', value]))(
    'reads %s as z.url() does',
    (_, value) => {
      expect(outcome(envUrl(), value)).toEqual(outcome(z.url(), value));
    },
  );

  it('reads any string as z.url() does', () => {
    const urlish = fc.oneof(
      fc.string(),
      fc.webUrl(),
      fc
        .tuple(fc.constantFrom('', ' ', '\t', '\n'), fc.webUrl(), fc.constantFrom('', ' ', '\r\n'))
        .map(([before, url, after]) => `${before}${url}${after}`),
    );
    fc.assert(
      fc.property(urlish, (value) => {
        expect(outcome(envUrl(), value)).toEqual(outcome(z.url(), value));
      }),
      { numRuns: 500 },
    );
  });

  it('names the variable in the configuration error', () => {
    const schema = z.object({ LOCAL_DYNAMODB_ENDPOINT: z.optional(envUrl()) });
    expect(() => parseEnv(schema, { LOCAL_DYNAMODB_ENDPOINT: 'dynamodb local' })).toThrow(
      'Invalid environment: LOCAL_DYNAMODB_ENDPOINT: Invalid URL',
    );
    expect(parseEnv(schema, { LOCAL_DYNAMODB_ENDPOINT: ' http://127.0.0.1:8000 ' })).toEqual({
      LOCAL_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    expect(parseEnv(schema, {})).toEqual({});
  });
});
