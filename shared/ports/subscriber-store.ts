import type { Subscriber, SubscriberStatus } from '../domain/subscriber.ts';

/** Subscriptions, by bank and customer, and by the customer's PSID. */
export interface SubscriberStore {
  get(bankId: string, customerId: string): Promise<Subscriber | undefined>;
  /** Every subscription of a Messenger user (one per bank). */
  byPsid(psid: string): Promise<Subscriber[]>;
  save(subscriber: Subscriber): Promise<void>;
  /** Changes the status when it is one of `from`; false when it was not. */
  changeStatus(
    bankId: string,
    customerId: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    changes?: Partial<Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'enrollmentId'>>,
  ): Promise<boolean>;
  /** Records the customer's last message to the page (the 24 h window). */
  touch(bankId: string, customerId: string, at: Date): Promise<void>;
  /** True when there was a subscription to delete. */
  delete(bankId: string, customerId: string): Promise<boolean>;
}
