import { describe, expect, it } from 'vitest';
import type { ErasureKeys } from '../../../shared/ports/erasure.ts';

/** What every ErasureKeys does: run against the fake and the secret-store keys. */
export function erasureKeysContract(name: string, make: () => ErasureKeys | Promise<ErasureKeys>) {
  describe(`${name} (ErasureKeys contract)`, () => {
    it('gives one ref per bank and customer, always the same, holding neither id', async () => {
      const keys = await make();
      const ref = await keys.refOf('acme', 'cust_0042');
      expect(ref).toMatch(/^er_[A-Za-z0-9_-]{43}$/);
      expect(ref).not.toMatch(/acme|cust_0042/);
      expect(await keys.refOf('acme', 'cust_0042')).toBe(ref);
      const others = await Promise.all([
        keys.refOf('globex', 'cust_0042'),
        keys.refOf('acme', 'cust_0043'),
        // No concatenation ambiguity between bank and customer ids.
        keys.refOf('acmec', 'ust_0042'),
      ]);
      expect(new Set([ref, ...others]).size).toBe(4);
    });
  });
}
