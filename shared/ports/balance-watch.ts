/** Whether a customer's balance is below the bank's low-balance limit, to notify once per crossing. */
export interface BalanceWatch {
  /**
   * Marks the balance as low because of this event. True when this event is the crossing (the
   * balance was not low before, or this same event marked it), false when it was already low.
   */
  enterLow(bankId: string, customerId: string, eventId: string): Promise<boolean>;
  /** Marks the balance as back at or above the limit. */
  leaveLow(bankId: string, customerId: string): Promise<void>;
}
