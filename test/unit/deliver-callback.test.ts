import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ATTEMPT_LEASE_MS,
  CALLBACK_RETRY_WINDOW_MS,
  type CallbackDelivery,
  FIRST_RETRY_DELAY_MS,
} from '../../shared/domain/callback-delivery.ts';
import {
  type DeliverCallbackPorts,
  deliverCallback,
  describeFailure,
} from '../../shared/domain/deliver-callbacks.ts';
import {
  FakeBankDirectory,
  FakeBankSecrets,
  FakeCallbackOutbox,
  FakeCallbackSender,
  FixedClock,
} from '../support/fakes/index.ts';

const T0 = '2026-03-01T12:00:00.000Z';
const SECRET = `whsec_${Buffer.from('current-callback-secret-32-bytes!').toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.from('previous-callback-secret-32bytes').toString('base64')}`;

afterEach(() => {
  vi.useRealTimers();
});

/** The bank verifies on receipt: its clock reads the time the callback was sent. */
function verifyAt(clock: FixedClock, secret: string, body: string, headers: Record<string, string>) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock.now());
  try {
    return new Webhook(secret).verify(body, headers);
  } finally {
    vi.useRealTimers();
  }
}

function world(options: { callbackUrl?: string; secrets?: string[] } = {}) {
  const clock = new FixedClock(new Date(Date.parse(T0) + FIRST_RETRY_DELAY_MS));
  const failures: string[] = [];
  const ports = {
    outbox: new FakeCallbackOutbox(),
    banks: new FakeBankDirectory([
      { bankId: 'acme', name: 'ACME Bank', callbackUrl: options.callbackUrl ?? 'https://bank.example/vigil' },
    ]),
    secrets: new FakeBankSecrets({ acme: { callback: options.secrets ?? [SECRET] } }),
    sender: new FakeCallbackSender(),
    clock,
    onFailure: (failure: string) => failures.push(failure),
  } satisfies DeliverCallbackPorts;
  return { ...ports, ports, failures };
}

async function queued(w: ReturnType<typeof world>, changes: Partial<CallbackDelivery> = {}) {
  const delivery: CallbackDelivery = {
    deliveryId: 'cb_1',
    bankId: 'acme',
    type: 'alert.answered',
    body: '{"type":"alert.answered","id":"cb_1","data":{"answer":"confirmed"}}',
    status: 'pending',
    attempts: 0,
    createdAt: T0,
    nextAttemptAt: new Date(Date.parse(T0) + FIRST_RETRY_DELAY_MS).toISOString(),
    expiresAt: 1_800_000_000,
    ...changes,
  };
  await w.outbox.enqueue(delivery);
  return delivery;
}

describe('deliverCallback', () => {
  it('posts the body signed for Standard Webhooks, with the delivery id, and marks it delivered', async () => {
    const w = world();
    const delivery = await queued(w);
    expect(await deliverCallback(delivery, w.ports)).toBe('delivered');
    expect(w.sender.calls).toHaveLength(1);
    const [call] = w.sender.calls;
    expect(call?.url).toBe('https://bank.example/vigil');
    expect(call?.body).toBe(delivery.body);
    expect(call?.headers['webhook-id']).toBe('cb_1');
    expect(call?.headers['webhook-timestamp']).toBe(String(Date.parse(T0) / 1000 + 30));
    // What the bank does with the secret it holds: the signature verifies, and a changed body does not.
    const headers = call?.headers ?? {};
    expect(verifyAt(w.clock, SECRET, delivery.body, headers)).toEqual(JSON.parse(delivery.body));
    expect(() =>
      verifyAt(w.clock, SECRET, delivery.body.replace('confirmed', 'disputed'), headers),
    ).toThrow();
    expect(await w.outbox.get('cb_1')).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('posts once when two retrier runs take the same due delivery at once', async () => {
    const w = world();
    const delivery = await queued(w);
    const outcomes = await Promise.all([
      deliverCallback(delivery, w.ports),
      deliverCallback(delivery, w.ports),
    ]);
    expect(outcomes.sort()).toEqual(['delivered', 'skipped']);
    expect(w.sender.calls).toHaveLength(1);
    // Read again later (a run that read it before the delivery): nothing is sent.
    expect(await deliverCallback(delivery, w.ports)).toBe('skipped');
    expect(w.sender.calls).toHaveLength(1);
  });

  it('holds the delivery for ATTEMPT_LEASE_MS while it posts: no other run finds it due', async () => {
    const w = world();
    const delivery = await queued(w);
    let duringPost: CallbackDelivery | undefined;
    const post = w.sender.post.bind(w.sender);
    w.sender.post = async (...args) => {
      duringPost = await w.outbox.get('cb_1');
      expect(await w.outbox.due('acme', w.clock.now(), 10)).toEqual([]);
      return post(...args);
    };
    expect(await deliverCallback(delivery, w.ports)).toBe('delivered');
    expect(duringPost?.nextAttemptAt).toBe(
      new Date(w.clock.now().getTime() + ATTEMPT_LEASE_MS).toISOString(),
    );
  });

  it('signs with both secrets during a rotation, so that either verifies', async () => {
    const w = world({ secrets: [SECRET, PREVIOUS] });
    const delivery = await queued(w);
    await deliverCallback(delivery, w.ports);
    const headers = w.sender.calls[0]?.headers ?? {};
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => verifyAt(w.clock, PREVIOUS, delivery.body, headers)).not.toThrow();
    expect(() => verifyAt(w.clock, SECRET, delivery.body, headers)).not.toThrow();
  });

  it('skips a delivery that is not pending, or that another attempt claimed first', async () => {
    const w = world();
    const delivery = await queued(w);
    expect(await deliverCallback({ ...delivery, status: 'delivered' }, w.ports)).toBe('skipped');
    const [first, second] = await Promise.all([
      deliverCallback(delivery, w.ports),
      deliverCallback(delivery, w.ports),
    ]);
    expect([first, second].sort()).toEqual(['delivered', 'skipped']);
    expect(w.sender.calls).toHaveLength(1);
  });

  it('reschedules after a non-2xx answer, 30 s later with at most 20 % jitter', async () => {
    const w = world();
    w.sender.answerNext(503);
    const delivery = await queued(w);
    expect(await deliverCallback(delivery, w.ports)).toBe('retry');
    const stored = await w.outbox.get('cb_1');
    expect(stored).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503' });
    const wait = Date.parse(stored?.nextAttemptAt ?? '') - w.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThanOrEqual(36_000);
    expect(w.failures).toEqual(['HTTP 503']);
  });

  it('retries a timeout and a refused connection, naming the failure without the URL', async () => {
    const w = world();
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 203.0.113.9:443'), {
      code: 'ECONNREFUSED',
    });
    w.sender.answerNext(timeout, refused);
    const delivery = await queued(w);
    expect(await deliverCallback(delivery, w.ports)).toBe('retry');
    const again = await w.outbox.get('cb_1');
    w.clock.advance(60_000);
    expect(await deliverCallback(again as CallbackDelivery, w.ports)).toBe('retry');
    expect(w.failures).toEqual(['timeout', 'ECONNREFUSED']);
    expect((await w.outbox.get('cb_1'))?.attempts).toBe(2);
  });

  it('goes to the dead letters once the retry window is over', async () => {
    const w = world();
    w.sender.answerNext(500);
    const delivery = await queued(w);
    w.clock.advance(CALLBACK_RETRY_WINDOW_MS);
    const claimed = { ...delivery };
    expect(await deliverCallback(claimed, w.ports)).toBe('dead');
    expect(await w.outbox.get('cb_1')).toMatchObject({ status: 'dead', attempts: 1, lastError: 'HTTP 500' });
  });

  it.each([
    ['an inside address', 'https://10.0.0.8/vigil'],
    ['plain http', 'http://bank.example/vigil'],
    ['a malformed URL', 'not a url'],
  ])('calls no one when the callback URL is %s, and retries later', async (_, callbackUrl) => {
    const w = world({ callbackUrl });
    const delivery = await queued(w);
    expect(await deliverCallback(delivery, w.ports)).toBe('retry');
    expect(w.sender.calls).toEqual([]);
    expect(w.failures).toEqual(['no valid callback URL or callback secret']);
  });

  it('calls no one without a callback secret', async () => {
    const w = world({ secrets: [] });
    expect(await deliverCallback(await queued(w), w.ports)).toBe('retry');
    expect(w.sender.calls).toEqual([]);
  });

  it('holds the delivery for the lease while it is attempted', async () => {
    const w = world();
    let leased: string | undefined;
    const sender = {
      post: async () => {
        leased = (await w.outbox.get('cb_1'))?.nextAttemptAt;
        return 204;
      },
    };
    await deliverCallback(await queued(w), { ...w.ports, sender });
    expect(leased).toBe(new Date(w.clock.now().getTime() + ATTEMPT_LEASE_MS).toISOString());
  });
});

describe('describeFailure', () => {
  it('names a failure in a few words, never its message', () => {
    expect(describeFailure('boom')).toBe('error');
    expect(describeFailure(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('timeout');
    expect(describeFailure(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }))).toBe(
      'ENOTFOUND',
    );
    expect(describeFailure(new TypeError('fetch failed', { cause: { name: 'SocketError' } }))).toBe(
      'SocketError',
    );
    expect(describeFailure(new TypeError('https://bank.example/secret-path'))).toBe('TypeError');
  });
});
