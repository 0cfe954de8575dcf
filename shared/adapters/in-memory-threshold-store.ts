import type { ThresholdOverride, Thresholds } from '../domain/thresholds.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';

/** Bank defaults and customer overrides in memory. */
export class InMemoryThresholdStore implements ThresholdStore {
  private readonly defaults = new Map<string, Thresholds>();
  private readonly overrides = new Map<string, ThresholdOverride>();

  async bankDefault(bankId: string): Promise<Thresholds | undefined> {
    return this.defaults.get(bankId);
  }

  async customerOverride(bankId: string, customerId: string): Promise<ThresholdOverride | undefined> {
    return this.overrides.get(`${bankId}#${customerId}`);
  }

  async putBankDefault(bankId: string, thresholds: Thresholds): Promise<void> {
    this.defaults.set(bankId, thresholds);
  }

  async putCustomerOverride(bankId: string, customerId: string, override: ThresholdOverride): Promise<void> {
    this.overrides.set(`${bankId}#${customerId}`, override);
  }

  async deleteCustomerOverride(bankId: string, customerId: string): Promise<boolean> {
    return this.overrides.delete(`${bankId}#${customerId}`);
  }
}
