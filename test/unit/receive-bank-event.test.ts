import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../../shared/adapters/in-memory-event-store.ts';
import { signAdminRequest } from '../../shared/domain/admin-signature.ts';
import {
  type AdminBankRequest,
  authenticateAdminRequest,
} from '../../shared/domain/authenticate-admin-request.ts';
import { type BankRequest, MAX_BODY_BYTES } from '../../shared/domain/authenticate-bank-request.ts';
import { type ReceiveBankEventPorts, receiveBankEvent } from '../../shared/domain/receive-bank-event.ts';
import { eventKeyOf } from '../../shared/domain/stored-event.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { FakeBankDirectory, FakeBankSecrets, FixedClock } from '../support/fakes/index.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ADMIN_KEY = `vadm_${randomBytes(32).toString('base64')}`;

// The signature check reads the real time (Standard Webhooks' 5 minute tolerance): the fixed
// clock starts at the real time of the test run.
function world(options: { subscribed?: boolean; allowedSourceIps?: string[] } = {}) {
  const events = new InMemoryEventStore();
  const stored: string[] = [];
  const ports: ReceiveBankEventPorts = {
    secrets: new FakeBankSecrets({ acme: { signing: [SECRET], admin: [ADMIN_KEY] } }),
    subscribers: {
      isSubscribed: async (bankId, customerId) =>
        (options.subscribed ?? true) && bankId === 'acme' && customerId === 'cust_1',
    },
    events: {
      putIfAbsent: async (event) => {
        stored.push(event.eventKey);
        return events.putIfAbsent(event);
      },
      isScored: (bankId, eventId) => events.isScored(bankId, eventId),
      markScored: (bankId, eventId, outcome) => events.markScored(bankId, eventId, outcome),
    },
    clock: new FixedClock(new Date()),
    banks: new FakeBankDirectory([
      {
        bankId: 'acme',
        name: 'ACME',
        ...(options.allowedSourceIps && { allowedSourceIps: options.allowedSourceIps }),
      },
    ]),
    erasure: { refOf: async (bankId, customerId) => `er_${bankId}_${customerId}` },
  };
  return { ports, events, stored };
}

function request(
  body: unknown,
  options: { eventId?: string; headers?: Record<string, string>; sourceIp?: string } = {},
): BankRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    bankId: 'acme',
    headers: { ...signedHeaders(SECRET, text, { eventId: options.eventId ?? 'evt_1' }), ...options.headers },
    body: Buffer.from(text),
    sourceIp: options.sourceIp ?? '203.0.113.9',
  };
}

describe('receiveBankEvent', () => {
  it('stores a signed event of a subscribed customer once, with its erasure ref', async () => {
    const w = world();
    const event = cardTransaction({ customerId: 'cust_1' });
    expect(await receiveBankEvent(request(event), w.ports)).toEqual({ id: 'evt_1', status: 'accepted' });
    expect(w.stored).toEqual([eventKeyOf('acme', 'evt_1')]);
    const again = await w.events.putIfAbsent({ eventKey: eventKeyOf('acme', 'evt_1') } as never);
    expect(again.stored === false && again.existing).toMatchObject({
      erasureRef: 'er_acme_cust_1',
      customerId: 'cust_1',
    });
  });

  it('answers a redelivery duplicate, and refuses the same id with another body', async () => {
    const w = world();
    const event = cardTransaction({ customerId: 'cust_1' });
    await receiveBankEvent(request(event), w.ports);
    expect(await receiveBankEvent(request(event), w.ports)).toEqual({ id: 'evt_1', status: 'duplicate' });
    const changed = { ...event, transaction: { ...event.transaction, amount: event.transaction.amount + 1 } };
    await expect(receiveBankEvent(request(changed), w.ports)).rejects.toMatchObject({ status: 409 });
  });

  it('ignores the event of a customer who is not subscribed, and stores nothing', async () => {
    const w = world({ subscribed: false });
    expect(await receiveBankEvent(request(cardTransaction({ customerId: 'cust_1' })), w.ports)).toEqual({
      id: 'evt_1',
      status: 'ignored',
      reason: 'not_subscribed',
    });
    expect(w.stored).toEqual([]);
  });

  it.each([
    [
      'a bad webhook-id',
      () => request(cardTransaction({ customerId: 'cust_1' }), { eventId: 'evt 1/..' }),
      400,
      'validation-failed',
    ],
    [
      'an event more than 5 minutes in the future',
      () =>
        request(
          cardTransaction({
            customerId: 'cust_1',
            occurredAt: new Date(Date.now() + 6 * 60_000).toISOString(),
          }),
        ),
      400,
      'validation-failed',
    ],
    ['a body that is not JSON', () => request('{"type":'), 400, 'malformed-json'],
    [
      'a body that is not UTF-8',
      () => ({ ...request('x'), ...resigned(Buffer.from([0x7b, 0xff, 0x7d])) }),
      400,
      'malformed-json',
    ],
    [
      'a card number in the body',
      () => request({ ...cardTransaction({ customerId: 'cust_1' }), note: '4111 1111 1111 1111' }),
      422,
      'pan-detected',
    ],
    ['a number with an exponent', () => request('{"amount":1e400}'), 400, 'number-format'],
    ['a body over 64 KiB', () => request('x'.repeat(MAX_BODY_BYTES + 1)), 413, 'payload-too-large'],
    [
      'another content type',
      () => request(cardTransaction({ customerId: 'cust_1' }), { headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported-media-type',
    ],
    [
      'a signature of another body',
      () => ({ ...request(cardTransaction({ customerId: 'cust_1' })), body: Buffer.from('{}') }),
      401,
      'invalid-signature',
    ],
    [
      'a card number in a header',
      () => request(cardTransaction({ customerId: 'cust_1' }), { headers: { 'x-note': '4111111111111111' } }),
      422,
      'pan-detected',
    ],
  ])('refuses %s and stores nothing', async (_, make, status, problemType) => {
    const w = world();
    await expect(receiveBankEvent(make(), w.ports)).rejects.toMatchObject({ status, problemType });
    expect(w.stored).toEqual([]);
  });

  it('refuses an unknown bank id as a bad signature, before any secret is looked up', async () => {
    const w = world();
    const looked: string[] = [];
    const secrets = new FakeBankSecrets();
    secrets.signingSecrets = async (bankId) => {
      looked.push(bankId);
      return [];
    };
    await expect(
      receiveBankEvent({ ...request(cardTransaction()), bankId: '../acme' }, { ...w.ports, secrets }),
    ).rejects.toMatchObject({ status: 401 });
    expect(looked).toEqual([]);
  });

  it('refuses a caller outside the bank’s source allow-list', async () => {
    const w = world({ allowedSourceIps: ['198.51.100.0/24'] });
    await expect(
      receiveBankEvent(request(cardTransaction({ customerId: 'cust_1' })), w.ports),
    ).rejects.toMatchObject({ status: 403 });
    expect(w.stored).toEqual([]);
  });
});

function resigned(body: Buffer) {
  return { body, headers: signedHeaders(SECRET, body, { eventId: 'evt_1' }) };
}

describe('authenticateAdminRequest', () => {
  const url = 'https://api.vigil.example/v1/banks/acme/thresholds';
  const target = (method: string) => ({
    method,
    authority: 'api.vigil.example',
    path: '/v1/banks/acme/thresholds',
    query: '',
    now: new Date(),
  });

  async function admin(method: string, body = '', key = ADMIN_KEY): Promise<AdminBankRequest> {
    const headers = await signAdminRequest(key, { method, url, body }, { nonce: 'nonce-0123456789abcdef' });
    return {
      bankId: 'acme',
      headers: { ...(body.length > 0 && { 'content-type': 'application/json' }), ...headers },
      body: Buffer.from(body),
      admin: target(method),
    };
  }

  it('returns the nonce, the signature time and a fingerprint of what is asked', async () => {
    const secrets = new FakeBankSecrets({ acme: { admin: [ADMIN_KEY] } });
    const put = await authenticateAdminRequest(await admin('PUT', '{"alertScore":60}'), secrets);
    expect(put).toMatchObject({ nonce: 'nonce-0123456789abcdef', created: expect.any(Number) });
    const other = await authenticateAdminRequest(await admin('PUT', '{"alertScore":61}'), secrets);
    expect(other?.fingerprint).not.toBe(put?.fingerprint);
  });

  it('refuses a request signed with another key, and a GET with a body once signed', async () => {
    const secrets = new FakeBankSecrets({ acme: { admin: [ADMIN_KEY] } });
    const stranger = `vadm_${randomBytes(32).toString('base64')}`;
    await expect(authenticateAdminRequest(await admin('GET', '', stranger), secrets)).rejects.toMatchObject({
      status: 401,
    });
    await expect(authenticateAdminRequest(await admin('GET', '{"x":1}'), secrets)).rejects.toMatchObject({
      status: 400,
      problemType: 'body-not-allowed',
    });
  });
});
