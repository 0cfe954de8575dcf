import type { CustomerEraser } from '../ports/customer-eraser.ts';
import { customerIdFromPath } from './validate.ts';

/**
 * Erases everything Vigil holds on the customer (docs/contract.md#erasure). Idempotent. The bank is told
 * `customer.unsubscribed` through the subscribers stream when a subscription existed.
 */
export async function eraseCustomer(
  bankId: string,
  customerId: string,
  eraser: CustomerEraser,
): Promise<void> {
  await eraser.erase(bankId, customerIdFromPath(customerId));
}
