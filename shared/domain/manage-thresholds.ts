import type { PreferenceStore } from '../ports/preference-store.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { NotFoundError } from './errors.ts';
import type { CustomerPreferences } from './preferences.ts';
import {
  BUILT_IN_THRESHOLDS,
  type ThresholdOverride,
  type Thresholds,
  thresholdOverrideSchema,
  thresholdsSchema,
} from './thresholds.ts';
import { customerIdFromPath, parseOrThrow } from './validate.ts';

// The threshold API of docs/contract.md#thresholds, for an already authenticated bank.

/** Replaces the bank default; every field is required. */
export async function setBankThresholds(
  bankId: string,
  body: unknown,
  store: ThresholdStore,
): Promise<Thresholds> {
  const thresholds = parseOrThrow(thresholdsSchema, body);
  await store.putBankDefault(bankId, thresholds);
  return thresholds;
}

/** The bank default, or Vigil's built-in defaults while the bank has set none. */
export async function getBankThresholds(bankId: string, store: ThresholdStore): Promise<Thresholds> {
  return (await store.bankDefault(bankId)) ?? BUILT_IN_THRESHOLDS;
}

/** Replaces a customer's override; absent fields fall back to the bank default. */
export async function setCustomerThresholds(
  bankId: string,
  customerId: string,
  body: unknown,
  store: ThresholdStore,
): Promise<ThresholdOverride> {
  const override = parseOrThrow(thresholdOverrideSchema, body);
  await store.putCustomerOverride(bankId, customerIdFromPath(customerId), override);
  return override;
}

export async function getCustomerThresholds(
  bankId: string,
  customerId: string,
  store: ThresholdStore,
): Promise<ThresholdOverride> {
  const override = await store.customerOverride(bankId, customerIdFromPath(customerId));
  if (override === undefined) throw new NotFoundError('This customer has no threshold override.');
  return override;
}

/** Idempotent: deleting an absent override succeeds. */
export async function deleteCustomerThresholds(bankId: string, customerId: string, store: ThresholdStore) {
  await store.deleteCustomerOverride(bankId, customerIdFromPath(customerId));
}

/**
 * What the customer set for themselves in the chat (docs/bank-integration.md, "Customer
 * preferences"): read-only for the bank, which can only clear them.
 */
export async function getCustomerPreferences(
  bankId: string,
  customerId: string,
  store: PreferenceStore,
): Promise<CustomerPreferences> {
  const preferences = await store.get(bankId, customerIdFromPath(customerId));
  if (preferences === undefined) throw new NotFoundError('This customer has set no preferences.');
  return preferences;
}

/** Idempotent: clearing absent preferences succeeds. */
export async function clearCustomerPreferences(bankId: string, customerId: string, store: PreferenceStore) {
  await store.delete(bankId, customerIdFromPath(customerId));
}
