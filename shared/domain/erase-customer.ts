import type { CustomerEraser } from '../ports/customer-eraser.ts';
import type { ErasureKeys } from '../ports/erasure.ts';
import { type FraudFeedbackPorts, forgetReporter } from './compromised-merchant.ts';
import { customerIdFromPath } from './validate.ts';

/**
 * Erases everything Vigil holds on the customer (docs/contract.md#erasure). Idempotent. The bank is told
 * `customer.unsubscribed` through the subscribers stream when a subscription existed; an erasure
 * marker keeps records still in flight from bringing anything back (docs/security.md, "Erasure").
 */
export async function eraseCustomer(
  bankId: string,
  customerId: string,
  ports: {
    readonly eraser: CustomerEraser;
    readonly erasure: ErasureKeys;
    /** The customer's confirmed-fraud reports, removed from the merchants' marks. */
    readonly fraudFeedback?: Pick<FraudFeedbackPorts, 'merchants' | 'reporterKey'>;
  },
): Promise<void> {
  const id = customerIdFromPath(customerId);
  await ports.eraser.erase(bankId, id, await ports.erasure.refOf(bankId, id));
  if (ports.fraudFeedback !== undefined) await forgetReporter(bankId, id, ports.fraudFeedback);
}
