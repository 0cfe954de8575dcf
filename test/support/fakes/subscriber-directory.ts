import type { SubscriberDirectory } from '../../../shared/ports/subscriber-directory.ts';
import type { SubscriberStore } from '../../../shared/ports/subscriber-store.ts';

/** Who is subscribed, read from a subscriber store (in DynamoDB, the same subscribers table). */
export class FakeSubscriberDirectory implements SubscriberDirectory {
  constructor(private readonly store: SubscriberStore) {}

  async isSubscribed(bankId: string, customerId: string): Promise<boolean> {
    return (await this.store.get(bankId, customerId))?.status === 'active';
  }
}
