import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AdminRequest,
  adminKeyId,
  newAdminKey,
  signAdminRequest,
  verifyAdminRequest,
} from '../../shared/domain/admin-signature.ts';
import { diagnoseBankSignature } from '../../shared/domain/verify-bank-signature.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';

// Which check refuses an administration request, as the operator's log and `vigil events verify`
// name it (the client only ever gets one 401 body).

const key = newAdminKey();
const url = 'https://api.example/v1/banks/acme/customers/cus_1/thresholds';
const body = '{"alertScore":60}';
const now = new Date();

async function request(
  overrides: Partial<AdminRequest> = {},
  options: Parameters<typeof signAdminRequest>[2] = {},
  signingKey = key,
): Promise<AdminRequest> {
  const headers = await signAdminRequest(signingKey, { method: 'PUT', url, body }, options);
  return {
    method: 'PUT',
    authority: 'api.example',
    path: '/v1/banks/acme/customers/cus_1/thresholds',
    query: '',
    headers,
    body: Buffer.from(body),
    ...overrides,
  };
}

const check = async (candidate: AdminRequest, keys = [key]) => {
  const result = await verifyAdminRequest(candidate, keys, now);
  return result.valid ? 'valid' : result.diagnosis.check;
};

describe('administration request signatures', () => {
  it('accepts the request as signed, with the current or the previous key', async () => {
    expect(await check(await request())).toBe('valid');
    expect(await check(await request(), [newAdminKey(), key])).toBe('valid');
  });

  it('names what was changed after signing', async () => {
    const signed = await request();
    expect(await check({ ...signed, method: 'POST' })).toBe('signature-mismatch');
    expect(await check({ ...signed, path: '/v1/banks/acme/customers/cus_2/thresholds' })).toBe(
      'signature-mismatch',
    );
    expect(await check({ ...signed, path: '/v1/banks/other/customers/cus_1/thresholds' })).toBe(
      'signature-mismatch',
    );
    expect(await check({ ...signed, query: 'a=1' })).toBe('signature-mismatch');
    expect(await check({ ...signed, authority: 'api.example:8443' })).toBe('signature-mismatch');
    expect(await check({ ...signed, body: Buffer.from('{"alertScore":61}') })).toBe('content-digest');
    const digest = `sha-256=:${createHash('sha256').update('{"alertScore":61}').digest('base64')}:`;
    expect(
      await check({
        ...signed,
        body: Buffer.from('{"alertScore":61}'),
        headers: { ...signed.headers, 'content-digest': digest },
      }),
    ).toBe('signature-mismatch');
  });

  it('names missing or malformed headers and parameters', async () => {
    const signed = await request();
    const input = signed.headers['signature-input'] ?? '';
    expect(await check({ ...signed, headers: {} })).toBe('missing-signature');
    expect(await check({ ...signed, headers: { ...signed.headers, signature: 'not a dictionary (' } })).toBe(
      'header-format',
    );
    expect(
      await check({
        ...signed,
        headers: { ...signed.headers, 'signature-input': `${input}, sig2=${input.slice(4)}` },
      }),
    ).toBe('header-format');
    const without = (name: string) => input.replace(new RegExp(`;${name}=("[^"]*"|\\d+)`), '');
    for (const name of ['created', 'nonce', 'keyid']) {
      expect(
        await check({ ...signed, headers: { ...signed.headers, 'signature-input': without(name) } }),
      ).toBe('parameters');
    }
    expect(
      await check({
        ...signed,
        headers: { ...signed.headers, 'signature-input': input.replace('hmac-sha256', 'ed25519') },
      }),
    ).toBe('parameters');
    expect(
      await check({
        ...signed,
        headers: { ...signed.headers, 'signature-input': input.replace(' "content-digest"', '') },
      }),
    ).toBe('covered-components');
    const { 'content-digest': _, ...noDigest } = signed.headers;
    expect(await check({ ...signed, headers: noDigest })).toBe('content-digest');
  });

  it('names the time skew, both ways, and the tolerance', async () => {
    const stale = await verifyAdminRequest(
      await request({}, { created: new Date(now.getTime() - 301_000) }),
      [key],
      now,
    );
    expect(stale.valid ? undefined : stale.diagnosis).toMatchObject({
      check: 'timestamp-skew',
      skewSeconds: 301,
    });
    const ahead = await verifyAdminRequest(
      await request({}, { created: new Date(now.getTime() + 400_000) }),
      [key],
      now,
    );
    expect(ahead.valid ? undefined : ahead.diagnosis.detail).toMatch(/400 s in the future/);
    expect(await check(await request({}, { created: new Date(now.getTime() - 299_000) }))).toBe('valid');
  });

  it('tells an unknown bank from an unknown keyid, and never accepts another key', async () => {
    expect(await check(await request(), [])).toBe('unknown-bank');
    expect(await check(await request(), [newAdminKey()])).toBe('unknown-key');
    const other = newAdminKey();
    expect(await check(await request({}, { keyid: adminKeyId(key) }, other))).toBe('signature-mismatch');
  });
});

describe('whole-request binding (property)', () => {
  const call = fc.record({
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
    bank: fc.constantFrom('acme', 'acme-2', 'other'),
    customer: fc.stringMatching(/^cus_[A-Za-z0-9_.:-]{0,8}$/),
    route: fc.constantFrom('/thresholds', '', '/x'),
    query: fc.constantFrom('', 'a=1', 'a=2'),
    body: fc.oneof(fc.constant(''), fc.json({ maxDepth: 1 })),
  });
  const pathOf = (c: { bank: string; customer: string; route: string }) =>
    new URL(`https://api.example/v1/banks/${c.bank}/customers/${encodeURIComponent(c.customer)}${c.route}`)
      .pathname;

  it('a signature verifies for its own request only', async () => {
    await fc.assert(
      // Half the cases send the very request that was signed, so both outcomes are exercised.
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(call, call),
          call.map((c) => [c, c] as const),
        ),
        async ([signedCall, sentCall]) => {
          const path = pathOf(signedCall);
          const query = signedCall.query === '' ? '' : `?${signedCall.query}`;
          const headers = await signAdminRequest(key, {
            method: signedCall.method,
            url: `https://api.example${path}${query}`,
            body: signedCall.body,
          });
          const result = await verifyAdminRequest(
            {
              method: sentCall.method,
              authority: 'api.example',
              path: pathOf(sentCall),
              query: sentCall.query,
              headers,
              body: Buffer.from(sentCall.body),
            },
            [key],
            now,
          );
          const same =
            signedCall.method === sentCall.method &&
            path === pathOf(sentCall) &&
            signedCall.query === sentCall.query &&
            signedCall.body === sentCall.body;
          expect(result.valid).toBe(same);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('event signature diagnosis', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const event = Buffer.from('{"type":"account.balance"}');
  const diagnose = (headers: Record<string, string>, secrets = [secret]) =>
    diagnoseBankSignature(secrets, { headers, body: event }, new Date())?.check;

  it('refuses timestamps that are not plain integers of seconds, leading spaces included', () => {
    const headers = signedHeaders(secret, event);
    const ts = headers['webhook-timestamp'];
    for (const timestamp of [`${ts}abc`, `${ts}.9`, ` ${ts}`, `0${ts}`, `${ts} `, `-${ts}`]) {
      expect(diagnose({ ...headers, 'webhook-timestamp': timestamp })).toBe('header-format');
    }
    expect(diagnose(headers)).toBeUndefined();
  });

  it('names milliseconds, v1= instead of v1, a wrong secret and an unknown bank', () => {
    const headers = signedHeaders(secret, event);
    const ms = diagnoseBankSignature(
      [secret],
      { headers: { ...headers, 'webhook-timestamp': `${Date.now()}` }, body: event },
      new Date(),
    );
    expect(ms).toMatchObject({ check: 'timestamp-skew', detail: expect.stringMatching(/milliseconds/) });
    const equals = headers['webhook-signature'].replace('v1,', 'v1=');
    expect(diagnose({ ...headers, 'webhook-signature': equals })).toBe('header-format');
    expect(diagnose(headers, ['whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=='])).toBe('signature-mismatch');
    expect(diagnose(headers, [])).toBe('unknown-bank');
  });
});
