import type { BankSecrets } from '../../../shared/ports/bank-secrets.ts';

interface Secrets {
  readonly signing?: readonly string[];
  readonly admin?: readonly string[];
  /** The callback secrets, current first. */
  readonly callback?: readonly string[];
}

/** The banks' secrets in memory; an unknown bank has none. */
export class FakeBankSecrets implements BankSecrets {
  constructor(private readonly banks: Record<string, Secrets> = {}) {}

  async signingSecrets(bankId: string): Promise<readonly string[]> {
    return this.banks[bankId]?.signing ?? [];
  }

  async adminKeys(bankId: string): Promise<readonly string[]> {
    return this.banks[bankId]?.admin ?? [];
  }

  async callbackSecret(bankId: string): Promise<string | undefined> {
    return this.banks[bankId]?.callback?.[0];
  }

  async callbackSecrets(bankId: string): Promise<readonly string[]> {
    return this.banks[bankId]?.callback ?? [];
  }
}
