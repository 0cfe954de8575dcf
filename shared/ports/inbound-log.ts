/** Messenger deliveries already handled, so that a redelivered webhook event changes nothing. */
export interface InboundLog {
  /** True when this call is the first to claim the key. */
  claim(key: string, now: Date): Promise<boolean>;
  /** Gives the key back when its handling failed, so that Meta's retry is handled. */
  release(key: string): Promise<void>;
}
