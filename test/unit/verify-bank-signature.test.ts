import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { verifyBankSignature } from '../../shared/domain/verify-bank-signature.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';

const current = newWebhookSecret();
const previous = newWebhookSecret();
const body = Buffer.from('{"type":"account.balance"}');
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe('bank signature verification', () => {
  it('accepts a request signed with the bank secret', () => {
    expect(verifyBankSignature([current], { headers: signedHeaders(current, body), body })).toBe(true);
  });

  it('accepts the previous secret during a rotation, and both signatures in one header', () => {
    expect(verifyBankSignature([current, previous], { headers: signedHeaders(previous, body), body })).toBe(
      true,
    );
    const headers = signedHeaders(current, body, { eventId: 'evt_1' });
    const old = signedHeaders(previous, body, { eventId: 'evt_1' })['webhook-signature'];
    const both = { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` };
    expect(verifyBankSignature([current], { headers: both, body })).toBe(true);
  });

  it('refuses the previous secret once the rotation is over', () => {
    expect(verifyBankSignature([current], { headers: signedHeaders(previous, body), body })).toBe(false);
  });

  it('refuses a changed body, id or timestamp', () => {
    const headers = signedHeaders(current, body, { eventId: 'evt_1' });
    expect(verifyBankSignature([current], { headers, body: Buffer.from('{"type":"account.balanc"}') })).toBe(
      false,
    );
    expect(verifyBankSignature([current], { headers: { ...headers, 'webhook-id': 'evt_2' }, body })).toBe(
      false,
    );
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(
      verifyBankSignature([current], { headers: { ...headers, 'webhook-timestamp': later }, body }),
    ).toBe(false);
  });

  it('accepts timestamps within 5 minutes either way and refuses older or newer ones', () => {
    const check = (at: Date) =>
      verifyBankSignature([current], { headers: signedHeaders(current, body, { timestamp: at }), body });
    expect(check(minutes(-4.5))).toBe(true);
    expect(check(minutes(4.5))).toBe(true);
    expect(check(minutes(-6))).toBe(false);
    expect(check(minutes(6))).toBe(false);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses a request without %s',
    (name) => {
      const headers: Record<string, string | undefined> = { ...signedHeaders(current, body) };
      delete headers[name];
      expect(verifyBankSignature([current], { headers, body })).toBe(false);
    },
  );

  it('refuses everything for a bank without secrets', () => {
    expect(verifyBankSignature([], { headers: signedHeaders(current, body), body })).toBe(false);
  });

  it('ignores signatures of another scheme version', () => {
    const headers = signedHeaders(current, body);
    const v2 = { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') };
    expect(verifyBankSignature([current], { headers: v2, body })).toBe(false);
  });
});
