import { describe, expect, it } from 'vitest';
import type { SecretStore } from '../../../shared/ports/secret-store.ts';

/** What every SecretStore does, holding the given secrets: run against the fake and local mode's file. */
export function secretStoreContract(
  name: string,
  make: (secrets: Readonly<Record<string, unknown>>) => SecretStore | Promise<SecretStore>,
) {
  describe(`${name} (SecretStore contract)`, () => {
    const secrets = {
      'vigil/test/banks/acme/signing': { secrets: ['whsec_a', 'whsec_b'] },
      'vigil/test/erasure-key': { key: 'k'.repeat(43) },
    };

    it('returns the parsed JSON value of a secret by its exact name', async () => {
      const store = await make(secrets);
      expect(await store.getJson('vigil/test/banks/acme/signing')).toEqual({
        secrets: ['whsec_a', 'whsec_b'],
      });
      expect(await store.getJson('vigil/test/erasure-key')).toEqual({ key: 'k'.repeat(43) });
    });

    it('returns undefined for a name it does not hold, including prototype names and near misses', async () => {
      const store = await make(secrets);
      for (const missing of [
        'vigil/test/banks/other/signing',
        'vigil/test/banks/acme/signing/',
        'VIGIL/test/erasure-key',
        '__proto__',
        'constructor',
        'toString',
        '',
      ])
        expect(await store.getJson(missing), missing).toBeUndefined();
    });

    it('hands out a value whose change does not change the secret', async () => {
      const store = await make(secrets);
      const value = (await store.getJson('vigil/test/banks/acme/signing')) as { secrets: string[] };
      value.secrets.push('whsec_forged');
      expect(await store.getJson('vigil/test/banks/acme/signing')).toEqual({
        secrets: ['whsec_a', 'whsec_b'],
      });
    });
  });
}
