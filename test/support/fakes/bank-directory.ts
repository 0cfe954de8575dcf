import { type BankProfile, displayBankName } from '../../../shared/domain/bank-profile.ts';
import type { BankDirectory } from '../../../shared/ports/bank-directory.ts';

/** Registered banks in memory. */
export class FakeBankDirectory implements BankDirectory {
  private readonly banks = new Map<string, BankProfile>();

  constructor(banks: readonly BankProfile[] = []) {
    for (const bank of banks) this.banks.set(bank.bankId, bank);
  }

  /** As the DynamoDB directory: a name stored longer than the cap is shown cut to it. */
  async get(bankId: string): Promise<BankProfile | undefined> {
    const bank = this.banks.get(bankId);
    return bank && { ...bank, name: displayBankName(bank.name) };
  }

  async list(): Promise<string[]> {
    return [...this.banks.keys()];
  }
}
