/** Computes erasure refs (a keyed hash): only the functions that hold the key can. */
export interface ErasureKeys {
  refOf(bankId: string, customerId: string): Promise<string>;
}

/** The erasure markers: one per erased customer, holding only the erasure ref. */
export interface ErasureMarkers {
  /** Records (or moves later) the erasure time of the ref. */
  mark(erasureRef: string, erasedAt: Date): Promise<void>;
  /**
   * The last erasure time of the ref, undefined when never erased. Strongly consistent unless
   * `eventually` is set, for a first look that a strongly consistent one confirms later
   * (it costs half the read).
   */
  erasedAt(erasureRef: string, options?: { readonly eventually?: boolean }): Promise<string | undefined>;
}

/** What scoring and notification remove when an erasure overtook them. */
export interface ErasedDataCleaner extends ErasureMarkers {
  /** Deletes the stored event, the customer's activity items and the alert, when given. */
  forgetScoring(bankId: string, customerId: string, eventId: string, alertId?: string): Promise<void>;
  forgetAlert(alertId: string): Promise<void>;
}
