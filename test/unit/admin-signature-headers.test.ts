import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AdminRequest,
  newAdminKey,
  signAdminRequest,
  verifyAdminRequest,
} from '../../shared/domain/admin-signature.ts';
import {
  type AdminBankRequest,
  authenticateAdminRequest,
} from '../../shared/domain/authenticate-admin-request.ts';
import { isJsonContentType } from '../../shared/domain/authenticate-bank-request.ts';
import { diagnoseBankSignature } from '../../shared/domain/verify-bank-signature.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { FakeBankDirectory, FakeBankSecrets } from '../support/fakes/index.ts';

// Malformed or hostile signature headers: each refused with the check that names what is wrong,
// never accepted and never a crash.

const key = newAdminKey();
const url = 'https://api.example/v1/banks/acme/thresholds';
const now = new Date();

async function request(body = '', headers: Record<string, string | undefined> = {}): Promise<AdminRequest> {
  const signed = await signAdminRequest(key, { method: body ? 'PUT' : 'GET', url, body });
  return {
    method: body ? 'PUT' : 'GET',
    authority: 'api.example',
    path: '/v1/banks/acme/thresholds',
    query: '',
    headers: { ...signed, ...headers },
    body: Buffer.from(body),
  };
}

async function refusal(candidate: AdminRequest) {
  const result = await verifyAdminRequest(candidate, [key], now);
  if (result.valid) throw new Error('accepted');
  return result.diagnosis;
}

describe('administration signature headers', () => {
  it('signs a request without a body as a GET, and verifies it', async () => {
    const headers = await signAdminRequest(key, { method: 'GET', url });
    expect(headers['content-digest']).toBeUndefined();
    const result = await verifyAdminRequest(
      {
        method: 'GET',
        authority: 'api.example',
        path: '/v1/banks/acme/thresholds',
        query: '',
        headers,
        body: Buffer.alloc(0),
      },
      [key],
      now,
    );
    expect(result.valid).toBe(true);
  });

  it('tells a bank that signed an administration request with its event secret what it did', async () => {
    const diagnosis = await refusal(
      await request('', {
        signature: undefined,
        'signature-input': undefined,
        'webhook-signature': 'v1,abc',
      }),
    );
    expect(diagnosis).toMatchObject({ check: 'missing-signature' });
    expect(diagnosis.detail).toMatch(/Standard Webhooks signs events only/);
  });

  it('refuses a Signature-Input that is a bare item, and a Signature that is not a byte sequence', async () => {
    expect(await refusal(await request('', { 'signature-input': 'sig=token' }))).toMatchObject({
      check: 'header-format',
      detail: expect.stringMatching(/not a list of components/),
    });
    expect(await refusal(await request('', { signature: 'sig="not bytes"' }))).toMatchObject({
      check: 'header-format',
      detail: expect.stringMatching(/no byte sequence labelled sig/),
    });
  });

  it('names an algorithm given as a token, and refuses it', async () => {
    const signed = await request();
    const input = String(signed.headers['signature-input']).replace(/;alg="hmac-sha256"/, ';alg=rsa');
    expect(input).toMatch(/;alg=rsa/);
    expect(
      await refusal({ ...signed, headers: { ...signed.headers, 'signature-input': input } }),
    ).toMatchObject({
      check: 'parameters',
      detail: 'alg must be "hmac-sha256" when given, not rsa.',
    });
  });

  it('refuses a Content-Digest with no sha-256 or sha-512 digest', async () => {
    const md5 = `md5=:${randomBytes(16).toString('base64')}:`;
    expect(await refusal(await request('{"alertScore":60}', { 'content-digest': md5 }))).toMatchObject({
      check: 'content-digest',
      detail: 'Content-Digest holds no sha-256 or sha-512 digest.',
    });
  });
});

describe('JSON content types', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=UTF-8', true],
    ['application/json; charset="utf-8"', true],
    ['application/problem+json', true],
    ['application/json; boundary=x', true],
    ['application/json; charset=latin1', false],
    ['text/json', false],
    ['application/jsonp', false],
    ['', false],
    [undefined, false],
  ])('%s: %s', (header, json) => {
    expect(isJsonContentType(header)).toBe(json);
  });
});

describe('authenticateAdminRequest without a bank directory, or with a malformed bank id', () => {
  const target = (bankId: string) => ({
    method: 'GET',
    authority: 'api.example',
    path: `/v1/banks/${bankId}/thresholds`,
    query: '',
    now,
  });

  it('authenticates an administration request on its signature alone when no directory is given', async () => {
    const headers = await signAdminRequest(key, { method: 'GET', url });
    const signed: AdminBankRequest = {
      bankId: 'acme',
      headers,
      body: Buffer.alloc(0),
      admin: target('acme'),
    };
    const secrets = new FakeBankSecrets({ acme: { admin: [key] } });
    expect(await authenticateAdminRequest(signed, secrets)).toMatchObject({ nonce: expect.any(String) });
    // With the directory, the bank's source allow-list applies to the same request.
    const banks = new FakeBankDirectory([
      { bankId: 'acme', name: 'ACME', allowedSourceIps: ['203.0.113.0/24'] },
    ]);
    await expect(
      authenticateAdminRequest({ ...signed, sourceIp: '10.0.0.1' }, secrets, banks),
    ).rejects.toMatchObject({
      status: 403,
    });
  });

  it('looks up no key for a bank id that is not one, and refuses it as unknown', async () => {
    const lookedUp: string[] = [];
    const secrets = new FakeBankSecrets({ acme: { admin: [key] } });
    const spying = Object.create(secrets) as FakeBankSecrets;
    spying.adminKeys = async (bankId) => {
      lookedUp.push(bankId);
      return secrets.adminKeys(bankId);
    };
    const headers = await signAdminRequest(key, { method: 'GET', url });
    const hostile = '../acme';
    await expect(
      authenticateAdminRequest(
        { bankId: hostile, headers, body: Buffer.alloc(0), admin: target(hostile) },
        spying,
      ),
    ).rejects.toMatchObject({ status: 401 });
    expect(lookedUp).toEqual([]);
  });
});

describe('event signature diagnoses', () => {
  const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

  it('tells a bank that signed an event as an administration request what it did', async () => {
    const headers = await signAdminRequest(key, { method: 'POST', url, body: '{}' });
    expect(diagnoseBankSignature([secret()], { headers, body: Buffer.from('{}') }, now)).toMatchObject({
      check: 'missing-signature',
      detail: expect.stringMatching(/HTTP Message Signatures sign administration requests only/),
    });
  });

  it('counts the secrets tried during a rotation when none matches', () => {
    const body = Buffer.from('{"a":1}');
    const headers = signedHeaders(secret(), body, { timestamp: now });
    expect(diagnoseBankSignature([secret(), secret()], { headers, body }, now)?.detail).toMatch(
      /under the bank's 2 secrets/,
    );
    expect(diagnoseBankSignature([secret()], { headers, body }, now)?.detail).toMatch(
      /under the bank's secret /,
    );
  });
});
