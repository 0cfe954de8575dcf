import type { ThresholdOverride, Thresholds } from '../domain/thresholds.ts';

/** Bank default thresholds and per-customer overrides. */
export interface ThresholdStore {
  /** The bank's default, possibly from a cache no older than 60 s. */
  bankDefault(bankId: string): Promise<Thresholds | undefined>;
  customerOverride(bankId: string, customerId: string): Promise<ThresholdOverride | undefined>;
  putBankDefault(bankId: string, thresholds: Thresholds): Promise<void>;
  putCustomerOverride(bankId: string, customerId: string, override: ThresholdOverride): Promise<void>;
  /** True when there was an override to delete. */
  deleteCustomerOverride(bankId: string, customerId: string): Promise<boolean>;
}
