import { erasureRefOf } from '../../../shared/domain/erasure.ts';
import type { ErasureKeys } from '../../../shared/ports/erasure.ts';

/** Erasure refs under a fixed test key: the same keyed hash as in AWS, without the secret store. */
export class FakeErasureKeys implements ErasureKeys {
  constructor(private readonly key: Buffer = Buffer.from('test-erasure-key-'.repeat(3))) {}

  async refOf(bankId: string, customerId: string): Promise<string> {
    return erasureRefOf(this.key, bankId, customerId);
  }
}
