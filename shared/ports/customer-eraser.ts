/** Erases a customer's data everywhere Vigil keeps it. */
export interface CustomerEraser {
  erase(bankId: string, customerId: string): Promise<void>;
}
