/** The account a low-balance notice would be about, and when. */
export interface LowBalanceNotice {
  readonly accountLast4: string;
  readonly at: Date;
}

/** At most one low-balance notice per account in this period. */
export const LOW_BALANCE_NOTICE_GAP_MS = 24 * 60 * 60_000;

/** Whether a customer's balance is below the bank's low-balance limit, to notify once per crossing. */
export interface BalanceWatch {
  /**
   * Marks the balance as low because of this event. True when this event is the crossing (the
   * balance was not low before, or this same event marked it) and the account had no notice in
   * the last 24 hours; false when it was already low, or its account was noticed too recently.
   */
  enterLow(bankId: string, customerId: string, eventId: string, notice: LowBalanceNotice): Promise<boolean>;
  /** Marks the balance as back at or above the limit. */
  leaveLow(bankId: string, customerId: string): Promise<void>;
}
