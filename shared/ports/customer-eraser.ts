/** Erases a customer's data everywhere Vigil keeps it. */
export interface CustomerEraser {
  /** `erasureRef`: the keyed hash the erasure marker holds (docs/security.md, "Erasure"). */
  erase(bankId: string, customerId: string, erasureRef: string): Promise<void>;
}
