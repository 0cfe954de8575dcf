/** Who has an active Messenger subscription. */
export interface SubscriberDirectory {
  isSubscribed(bankId: string, customerId: string): Promise<boolean>;
}
