import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type BankProfile, MAX_BANK_NAME_LENGTH } from '../../../shared/domain/bank-profile.ts';
import type { BankDirectory } from '../../../shared/ports/bank-directory.ts';

/** What every BankDirectory does: run against the fake and DynamoDB, each holding the given banks. */
export function bankDirectoryContract(
  name: string,
  make: (banks: readonly BankProfile[]) => BankDirectory | Promise<BankDirectory>,
) {
  describe(`${name} (BankDirectory contract)`, () => {
    it('finds a registered bank by id, with its settings, and no unknown one', async () => {
      const id = `bank_${randomUUID().slice(0, 8)}`;
      const acme: BankProfile = {
        bankId: id,
        name: 'ACME Bank',
        callbackUrl: 'https://bank.example/callbacks',
        timeZone: 'Europe/Paris',
        alertExpiryMinutes: 30,
        utilityTemplate: { name: 'fraud_check', language: 'fr', parameters: ['bankName', 'amount'] },
      };
      const directory = await make([acme, { bankId: `${id}_2`, name: 'Other' }]);
      expect(await directory.get(id)).toEqual(acme);
      expect(await directory.get(`${id}_3`)).toBeUndefined();
      expect((await directory.list()).filter((b) => b.startsWith(id)).sort()).toEqual([id, `${id}_2`]);
    });

    it('shows a name stored longer than the cap cut to it, ending in an ellipsis', async () => {
      const id = `bank_${randomUUID().slice(0, 8)}`;
      const long = `${'Ç'.repeat(MAX_BANK_NAME_LENGTH)}<b>`;
      const directory = await make([{ bankId: id, name: long }]);
      const shown = (await directory.get(id))?.name ?? '';
      expect([...shown]).toHaveLength(MAX_BANK_NAME_LENGTH);
      expect(shown.endsWith('…')).toBe(true);
      expect(shown.includes('<b>')).toBe(false);
    });
  });
}
