import type { Subscriber, SubscriberStatus } from '../domain/subscriber.ts';
import type { ChannelName } from './channel.ts';

/** Subscriptions, by bank and customer, and by the customer's address on their channel. */
export interface SubscriberStore {
  get(bankId: string, customerId: string): Promise<Subscriber | undefined>;
  /** Every subscription of one address (one per bank), on any channel: filter by `channel`. */
  byAddress(address: string): Promise<Subscriber[]>;
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
  /**
   * Records another Messenger user's pending takeover of an existing subscription, which stays
   * as it is until they agree; false when there is no subscription.
   */
  offerTakeover(
    bankId: string,
    customerId: string,
    pending: {
      readonly address: string;
      readonly channel?: ChannelName;
      readonly enrollmentId: string;
      readonly locale: string;
    },
  ): Promise<boolean>;
  /** The subscriptions this Messenger user has been offered to take over. */
  pendingTakeovers(address: string): Promise<Subscriber[]>;
  /**
   * Moves the subscription to the user who agreed, when their takeover is still the pending one;
   * returns the subscription as it was before (its previous address), or undefined.
   */
  takeOver(
    bankId: string,
    customerId: string,
    pending: { readonly address: string; readonly channel?: ChannelName; readonly enrollmentId: string },
    consent: Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'lastInboundAt'>,
  ): Promise<Subscriber | undefined>;
  /** Forgets a pending takeover (the user said No thanks). */
  dropTakeover(bankId: string, customerId: string, address: string): Promise<boolean>;
  /** True when there was a subscription to delete. */
  delete(bankId: string, customerId: string): Promise<boolean>;
}
