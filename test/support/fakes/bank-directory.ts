import type { BankProfile } from '../../../shared/domain/bank-profile.ts';
import type { BankDirectory } from '../../../shared/ports/bank-directory.ts';

/** Registered banks in memory. */
export class FakeBankDirectory implements BankDirectory {
  private readonly banks = new Map<string, BankProfile>();

  constructor(banks: readonly BankProfile[] = []) {
    for (const bank of banks) this.banks.set(bank.bankId, bank);
  }

  async get(bankId: string): Promise<BankProfile | undefined> {
    return this.banks.get(bankId);
  }

  async list(): Promise<string[]> {
    return [...this.banks.keys()];
  }
}
