import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SubscriberStatus } from '../../../shared/domain/subscriber.ts';
import type { SubscriberDirectory } from '../../../shared/ports/subscriber-directory.ts';

export interface SeededSubscription {
  readonly bankId: string;
  readonly customerId: string;
  readonly status: SubscriberStatus;
}

/** What every SubscriberDirectory does: run against the fake and DynamoDB, each holding the given subscriptions. */
export function subscriberDirectoryContract(
  name: string,
  make: (subscriptions: readonly SeededSubscription[]) => SubscriberDirectory | Promise<SubscriberDirectory>,
) {
  describe(`${name} (SubscriberDirectory contract)`, () => {
    it('counts only an active subscription of that bank and customer', async () => {
      const c = `c-${randomUUID()}`;
      const directory = await make([
        { bankId: 'acme', customerId: `${c}-active`, status: 'active' },
        { bankId: 'acme', customerId: `${c}-pending`, status: 'pending_consent' },
        { bankId: 'acme', customerId: `${c}-revoked`, status: 'revoked' },
      ]);
      expect(await directory.isSubscribed('acme', `${c}-active`)).toBe(true);
      expect(await directory.isSubscribed('acme', `${c}-pending`)).toBe(false);
      expect(await directory.isSubscribed('acme', `${c}-revoked`)).toBe(false);
      expect(await directory.isSubscribed('acme', `${c}-unknown`)).toBe(false);
      expect(await directory.isSubscribed('other', `${c}-active`)).toBe(false);
    });
  });
}
