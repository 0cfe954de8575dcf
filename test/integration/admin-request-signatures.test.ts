import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget } from '../../cli/local-target.ts';
import { runCli } from '../../cli/vigil.ts';
import { adminKeyId, signAdminRequest } from '../../shared/domain/admin-signature.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

// Administration requests are bound to the whole request (docs/security.md): a signature captured
// in transit or in a bank's logs is worth nothing on another route, method, customer or body, nor
// a second time; the event key and the administration key cannot stand in for each other.

let local: TestLocalStack;
beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
interface Call {
  readonly method: Method;
  readonly path: string;
  readonly body?: unknown;
}

const urlOf = (path: string) => `${local.apiUrl}/v1/banks/demo-bank${path}`;
const textOf = (body: unknown) => (body === undefined ? '' : JSON.stringify(body));

/** The headers a bank would send for this call, signed with demo-bank's administration key. */
async function sign(
  call: Call,
  options: Parameters<typeof signAdminRequest>[2] = {},
  key = local.bank.adminKey,
) {
  const body = textOf(call.body);
  return {
    ...(body !== '' && { 'content-type': 'application/json' }),
    ...(await signAdminRequest(key, { method: call.method, url: urlOf(call.path), body }, options)),
  };
}

/** Sends the call with these headers; a JSON content type is added to a body, as an attacker would. */
async function send(call: Call, headers: Record<string, string>) {
  const body = textOf(call.body);
  const response = await fetch(urlOf(call.path), {
    method: call.method,
    headers: { ...(body !== '' && { 'content-type': 'application/json' }), ...headers },
    ...(body !== '' && { body }),
  });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

async function seedSubscriber(customerId: string) {
  await local.stack.documents.send(
    new PutCommand({
      TableName: local.stack.tables.subscribers,
      Item: {
        bankId: 'demo-bank',
        customerId,
        psid: `psid_${customerId}`,
        status: 'active',
        locale: 'en_US',
        enrollmentId: `enr_${customerId}`,
        updatedAt: new Date().toISOString(),
      },
    }),
  );
}

const statusOf = async (customerId: string) =>
  (await local.scan('subscribers')).find((item) => item.customerId === customerId)?.status;

/** What administration requests can change, to prove that a refused one changed nothing. */
async function snapshot() {
  const sorted = async (table: 'subscribers' | 'thresholds' | 'enrollments') =>
    (await local.scan(table)).map((item) => JSON.stringify(item)).sort();
  return {
    subscribers: await sorted('subscribers'),
    thresholds: await sorted('thresholds'),
    enrollments: await sorted('enrollments'),
  };
}

describe('the replays of issue 12, each refused with 401 and changing nothing', () => {
  it('a GET /thresholds signature moved onto DELETE /customers/cus_alice', async () => {
    await seedSubscriber('cus_alice');
    const captured = await sign({ method: 'GET', path: '/thresholds' });
    expect((await send({ method: 'GET', path: '/thresholds' }, captured)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect((await send({ method: 'DELETE', path: '/customers/cus_alice' }, captured)).status).toBe(401);
    }
    expect(await statusOf('cus_alice')).toBe('active');
  });

  it("an event's headers and body sent to DELETE /customers/cus_jane", async () => {
    await seedSubscriber('cus_jane');
    const event = JSON.stringify(cardTransaction({ customerId: 'cus_jane' }));
    const headers = signedHeaders(local.bank.signingSecret, event);
    for (const body of [event, undefined]) {
      const response = await fetch(urlOf('/customers/cus_jane'), {
        method: 'DELETE',
        headers,
        ...(body !== undefined && { body }),
      });
      expect(response.status).toBe(401);
    }
    expect(await statusOf('cus_jane')).toBe('active');
  });

  it('a captured PUT of cus_vip’s thresholds replayed on cus_demo, and on cus_vip again', async () => {
    const vip: Call = { method: 'PUT', path: '/customers/cus_vip/thresholds', body: { alertScore: 10000 } };
    const captured = await sign(vip);
    expect((await send(vip, captured)).status).toBe(200);
    const before = await snapshot();
    expect((await send({ ...vip, path: '/customers/cus_demo/thresholds' }, captured)).status).toBe(401);
    expect((await send(vip, captured)).status).toBe(401);
    expect((await local.callBank('GET', '/customers/cus_demo/thresholds')).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('a replayed POST /enrollments for cus_carol gets no link and creates no enrollment', async () => {
    const enroll: Call = { method: 'POST', path: '/enrollments', body: { customerId: 'cus_carol' } };
    const captured = await sign(enroll);
    expect((await send(enroll, captured)).status).toBe(201);
    const before = await snapshot();
    const replay = await send(enroll, captured);
    expect(replay.status).toBe(401);
    expect(replay.text).not.toContain('m.me');
    expect(await snapshot()).toEqual(before);
  });
});

describe('a captured signature on any other route, method, customer or body', () => {
  const calls: Call[] = [
    { method: 'GET', path: '/thresholds' },
    { method: 'GET', path: '/thresholds?view=all' },
    { method: 'PUT', path: '/thresholds', body: { alertScore: 40 } },
    { method: 'PUT', path: '/thresholds', body: { alertScore: 45 } },
    { method: 'GET', path: '/customers/cus_a/thresholds' },
    { method: 'GET', path: '/customers/cus_b/thresholds' },
    { method: 'PUT', path: '/customers/cus_a/thresholds', body: { alertScore: 40 } },
    { method: 'PUT', path: '/customers/cus_b/thresholds', body: { alertScore: 40 } },
    { method: 'DELETE', path: '/customers/cus_a/thresholds' },
    { method: 'DELETE', path: '/customers/cus_b/thresholds' },
    { method: 'DELETE', path: '/customers/cus_a' },
    { method: 'DELETE', path: '/customers/cus_b' },
    { method: 'POST', path: '/enrollments', body: { customerId: 'cus_a' } },
    { method: 'POST', path: '/enrollments', body: { customerId: 'cus_b' } },
  ];

  it(`is refused with 401 for all ${calls.length * (calls.length - 1)} pairings, and nothing changes`, async () => {
    await seedSubscriber('cus_a');
    await seedSubscriber('cus_b');
    const before = await snapshot();
    const statuses: string[] = [];
    for (const captured of calls) {
      const headers = await sign(captured);
      for (const target of calls.filter((call) => call !== captured)) {
        const { status } = await send(target, headers);
        if (status !== 401)
          statuses.push(`${captured.method} ${captured.path} → ${target.method} ${target.path}: ${status}`);
      }
    }
    expect(statuses).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('gives one public 401 body whatever failed', async () => {
    const unsigned = await send({ method: 'GET', path: '/thresholds' }, {});
    const stale = await send(
      { method: 'GET', path: '/thresholds' },
      await sign({ method: 'GET', path: '/thresholds' }, { created: new Date(Date.now() - 7 * 60_000) }),
    );
    const moved = await send(
      { method: 'DELETE', path: '/customers/cus_a' },
      await sign({ method: 'GET', path: '/thresholds' }),
    );
    const otherBank = await fetch(`${local.apiUrl}/v1/banks/no-such-bank/thresholds`, {
      headers: await sign({ method: 'GET', path: '/thresholds' }),
    });
    expect([unsigned.status, stale.status, moved.status, otherBank.status]).toEqual([401, 401, 401, 401]);
    expect(new Set([unsigned.text, stale.text, moved.text, await otherBank.text()]).size).toBe(1);
  });
});

describe('retries', () => {
  it('the same request signed again with the same nonce gets the first answer, with one effect', async () => {
    const enroll: Call = { method: 'POST', path: '/enrollments', body: { customerId: 'cus_retry' } };
    const nonce = 'retry-nonce-0000000000000001';
    const enrollments = (await local.scan('enrollments')).length;
    const first = await send(enroll, await sign(enroll, { nonce, created: new Date(Date.now() - 3000) }));
    expect(first.status).toBe(201);
    const retry = await send(enroll, await sign(enroll, { nonce }));
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('vigil-replayed')).toBe('true');
    expect(await local.scan('enrollments')).toHaveLength(enrollments + 1);

    const other = await send(
      { ...enroll, body: { customerId: 'cus_other' } },
      await sign(
        { ...enroll, body: { customerId: 'cus_other' } },
        { nonce, created: new Date(Date.now() + 2000) },
      ),
    );
    expect(other.status).toBe(401);
    expect(await local.scan('enrollments')).toHaveLength(enrollments + 1);
  });

  it('ten concurrent retries of one enrollment with one nonce create one enrollment', async () => {
    const enroll: Call = { method: 'POST', path: '/enrollments', body: { customerId: 'cus_race' } };
    const nonce = 'retry-nonce-0000000000000003';
    const enrollments = (await local.scan('enrollments')).length;
    const signed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sign(enroll, { nonce, created: new Date(Date.now() - i * 1000) })),
    );
    const answers = await Promise.all(signed.map((headers) => send(enroll, headers)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.every((status) => [201, 409, 401].includes(status))).toBe(true);
    expect(statuses).toContain(201);
    // Every 201 is the same answer: one link.
    expect(new Set(answers.filter((answer) => answer.status === 201).map((answer) => answer.text)).size).toBe(
      1,
    );
    expect(await local.scan('enrollments')).toHaveLength(enrollments + 1);
  });

  it('an erase retried after a lost answer erases once and answers 204 again', async () => {
    await seedSubscriber('cus_erase_retry');
    const erase: Call = { method: 'DELETE', path: '/customers/cus_erase_retry' };
    const nonce = 'retry-nonce-0000000000000002';
    expect(
      (await send(erase, await sign(erase, { nonce, created: new Date(Date.now() - 3000) }))).status,
    ).toBe(204);
    expect(await statusOf('cus_erase_retry')).toBeUndefined();
    const retry = await send(erase, await sign(erase, { nonce }));
    expect(retry.status).toBe(204);
    expect(retry.headers.get('vigil-replayed')).toBe('true');
  });
});

describe('the event key and the administration key are separate', () => {
  const thresholds: Call = { method: 'PUT', path: '/thresholds', body: { alertScore: 41 } };

  it('an event key cannot sign an administration request', async () => {
    const before = await snapshot();
    const body = textOf(thresholds.body);
    // Standard Webhooks with the event secret, as events are signed.
    expect((await send(thresholds, signedHeaders(local.bank.signingSecret, body))).status).toBe(401);
    // HTTP Message Signatures with the event secret's bytes, under its own keyid or the admin keyid.
    const eventKeyAsAdmin = `vadm_${local.bank.signingSecret.slice('whsec_'.length)}`;
    expect((await send(thresholds, await sign(thresholds, {}, eventKeyAsAdmin))).status).toBe(401);
    expect(
      (await send(thresholds, await sign(thresholds, { keyid: local.bank.adminKeyId }, eventKeyAsAdmin)))
        .status,
    ).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it('an administration key cannot sign an event', async () => {
    const event = JSON.stringify(cardTransaction({ customerId: 'cus_alice' }));
    const adminAsEventSecret = `whsec_${local.bank.adminKey.slice('vadm_'.length)}`;
    const events = (await local.scan('events')).length;
    const asWebhook = await fetch(urlOf('/events'), {
      method: 'POST',
      headers: signedHeaders(adminAsEventSecret, event),
      body: event,
    });
    expect(asWebhook.status).toBe(401);
    const asMessageSignature = await send(
      { method: 'POST', path: '/events', body: JSON.parse(event) },
      await sign({ method: 'POST', path: '/events', body: JSON.parse(event) }),
    );
    expect(asMessageSignature.status).toBe(401);
    expect(await local.scan('events')).toHaveLength(events);
  });

  it('the administration keyid is derived from the key, and local.json names both', () => {
    expect(local.bank.adminKeyId).toBe(adminKeyId(local.bank.adminKey));
    expect(local.bank.adminKey).toMatch(/^vadm_/);
    expect(local.bank.adminKey.slice(5)).not.toBe(local.bank.signingSecret.slice(6));
  });
});

describe('bodies on GET and DELETE', () => {
  it('are refused with 400 even when signed, and change nothing', async () => {
    await seedSubscriber('cus_body');
    const before = await snapshot();
    for (const call of [
      { method: 'GET', path: '/thresholds', body: { x: 1 } },
      { method: 'DELETE', path: '/customers/cus_body', body: { x: 1 } },
      { method: 'DELETE', path: '/customers/cus_body/thresholds', body: {} },
    ] satisfies Call[]) {
      // fetch will not send a GET with a body; node:http will, as any client can.
      const body = textOf(call.body);
      const headers = {
        'content-type': call.method === 'GET' ? 'text/plain' : 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...(await sign(call)),
      };
      const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(urlOf(call.path), { method: call.method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(`${response.status} ${response.text}`).toMatch(/^400 .*body-not-allowed/);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('strict webhook-timestamp on events', () => {
  const event = JSON.stringify(cardTransaction({ customerId: 'cus_nobody' }));
  const now = Math.floor(Date.now() / 1000);
  /** Signed over the literal header value, so that only its form can be refused. */
  const post = (timestamp: string, id = `evt_ts_${Math.random().toString(36).slice(2)}`) => {
    const key = Buffer.from(local.bank.signingSecret.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${event}`).digest('base64');
    return fetch(urlOf('/events'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      },
      body: event,
    });
  };

  it.each([`${now}abc`, `${now}.9`, `0${now}`, `+${now}`, `${now * 1000}`, `${now}e0`])(
    'refuses %s with 401',
    async (timestamp) => {
      expect((await post(timestamp)).status).toBe(401);
    },
  );

  it('accepts the plain integer', async () => {
    expect((await post(String(Math.floor(Date.now() / 1000)))).status).toBe(202);
  });
});

describe('key rotation through the CLI, in local mode', () => {
  const cli = async (argv: string[]) =>
    JSON.parse(
      (await runCli([...argv, '--json'], () => new LocalTarget(join(local.stack.configPath, '..')))).stdout,
    );
  const read = (key: string) =>
    signAdminRequest(key, { method: 'GET', url: urlOf('/thresholds') }).then((headers) =>
      send({ method: 'GET', path: '/thresholds' }, headers),
    );

  it('keeps the old administration key valid until finish-rotation, and refuses it after', async () => {
    const old = local.bank.adminKey;
    const rotated = await cli(['banks', 'rotate-secret', 'demo-bank', '--key', 'admin']);
    const { adminKey, adminKeyId: keyid } = rotated.body;
    expect(keyid).toBe(adminKeyId(adminKey));
    expect((await read(old)).status).toBe(200);
    expect((await read(adminKey)).status).toBe(200);
    expect(
      (await cli(['banks', 'finish-rotation', 'demo-bank', '--key', 'admin'])).body.previousKeyDropped,
    ).toBe(true);
    expect((await read(old)).status).toBe(401);
    expect((await read(adminKey)).status).toBe(200);
    expect(
      (await cli(['banks', 'finish-rotation', 'demo-bank', '--key', 'admin'])).body.previousKeyDropped,
    ).toBe(false);
  });

  it('keeps the old event secret valid until finish-rotation, and refuses it after', async () => {
    const event = JSON.stringify(cardTransaction({ customerId: 'cus_nobody' }));
    const postWith = (secret: string) =>
      fetch(urlOf('/events'), { method: 'POST', headers: signedHeaders(secret, event), body: event });
    const old = local.bank.signingSecret;
    const { signingSecret } = (await cli(['banks', 'rotate-secret', 'demo-bank', '--key', 'events'])).body;
    expect((await postWith(old)).status).toBe(202);
    expect((await postWith(signingSecret)).status).toBe(202);
    await cli(['banks', 'finish-rotation', 'demo-bank', '--key', 'events']);
    expect((await postWith(old)).status).toBe(401);
    expect((await postWith(signingSecret)).status).toBe(202);
  });
});
