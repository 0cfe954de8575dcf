import type { BankProfile } from '../domain/bank-profile.ts';

/** Registered banks. */
export interface BankDirectory {
  get(bankId: string): Promise<BankProfile | undefined>;
  /** Every registered bank's id. */
  list(): Promise<string[]>;
}
