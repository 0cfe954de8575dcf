import { describe, expect, it } from 'vitest';
import { enrollCustomer, hashToken } from '../../shared/domain/enroll-customer.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { FakeEnrollmentStore, FixedClock } from '../support/fakes/index.ts';

// What the enrollment route refuses, and what it leaves behind when its store fails.

function world() {
  const enrollments = new FakeEnrollmentStore();
  const created: string[] = [];
  const spying = Object.create(enrollments) as FakeEnrollmentStore;
  spying.create = async (enrollment) => {
    created.push(enrollment.customerId);
    return enrollments.create(enrollment);
  };
  return {
    enrollments,
    created,
    ports: { enrollments: spying, clock: new FixedClock(), pageId: '100000000000042' },
  };
}

async function problems(body: unknown) {
  const w = world();
  const error = await enrollCustomer('acme', body, w.ports).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect(w.created).toEqual([]);
  return ((error as ValidationError).errors ?? []).map((p) => p.path).sort();
}

describe('enrollCustomer refuses, and stores nothing', () => {
  it.each([
    ['an e-mail as the customer id', { customerId: 'jane@example.com' }, ['customerId']],
    ['a markup locale', { customerId: 'cust_1', locale: '<script>' }, ['locale']],
    ['a locale in the wrong case', { customerId: 'cust_1', locale: 'EN_us' }, ['locale']],
    ['an unknown field', { customerId: 'cust_1', psid: '123' }, ['$']],
    ['no customer id', {}, ['customerId']],
    ['a customer id that is not a string', { customerId: 42 }, ['customerId']],
  ])('%s', async (_, body, paths) => {
    expect(await problems(body)).toEqual(paths);
  });

  it('refuses a body that is not an object', async () => {
    for (const body of [null, 'cust_1', ['cust_1'], 42]) expect(await problems(body)).toEqual(['$']);
  });
});

describe('enrollCustomer when its store fails', () => {
  it('fails without a link, so the bank never hands out a link that was not stored', async () => {
    const w = world();
    w.ports.enrollments.create = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(enrollCustomer('acme', { customerId: 'cust_1' }, w.ports)).rejects.toThrow(/Throughput/);
  });

  it('gives the link it returns, and no other, a stored hash', async () => {
    const w = world();
    const link = await enrollCustomer('acme', { customerId: 'cust_1' }, w.ports);
    const token = new URL(link.link).searchParams.get('ref') ?? '';
    const claim = await w.enrollments.claim(hashToken(token), new Date('2026-03-01T12:00:01.000Z'));
    expect(claim).toMatchObject({ claimed: true, enrollment: { customerId: 'cust_1', bankId: 'acme' } });
    expect((await w.enrollments.claim(hashToken(`${token}x`), new Date())).claimed).toBe(false);
  });
});
