import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NonceStore } from '../../../shared/ports/nonce-store.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');
const CREATED = NOW.getTime() / 1000;

/** What every NonceStore does: run against the fake and DynamoDB. */
export function nonceStoreContract(name: string, make: () => NonceStore | Promise<NonceStore>) {
  describe(`${name} (NonceStore contract)`, () => {
    it('claims a nonce once per bank', async () => {
      const store = await make();
      const nonce = randomUUID();
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED, NOW)).toEqual({ outcome: 'claimed' });
      expect(await store.claim('bank_b', nonce, 'fp1', CREATED, NOW)).toEqual({ outcome: 'claimed' });
    });

    it('tells a retry (same request, later created) from a replay and from another request', async () => {
      const store = await make();
      const nonce = randomUUID();
      await store.claim('bank_a', nonce, 'fp1', CREATED, NOW);
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED, NOW)).toEqual({ outcome: 'replay' });
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED - 1, NOW)).toEqual({ outcome: 'replay' });
      expect(await store.claim('bank_a', nonce, 'fp2', CREATED + 5, NOW)).toEqual({
        outcome: 'other-request',
      });
      // Still in progress: a retry without an answer yet.
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED + 1, NOW)).toEqual({ outcome: 'retry' });
      await store.answer('bank_a', nonce, {
        status: 201,
        contentType: 'application/json',
        body: '{"ok":true}',
      });
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED + 2, NOW)).toEqual({
        outcome: 'retry',
        answer: { status: 201, contentType: 'application/json', body: '{"ok":true}' },
      });
      // Each signature once: the retry's own `created` is now a replay.
      expect(await store.claim('bank_a', nonce, 'fp1', CREATED + 2, NOW)).toEqual({ outcome: 'replay' });
    });

    it('frees a released nonce for a fresh claim', async () => {
      const store = await make();
      const nonce = randomUUID();
      await store.claim('bank_a', nonce, 'fp1', CREATED, NOW);
      await store.release('bank_a', nonce);
      expect(await store.claim('bank_a', nonce, 'fp2', CREATED, NOW)).toEqual({ outcome: 'claimed' });
    });

    it('counts a nonce kept past its hour as gone', async () => {
      const store = await make();
      const nonce = randomUUID();
      await store.claim('bank_a', nonce, 'fp1', CREATED, NOW);
      const later = new Date(NOW.getTime() + 60 * 60 * 1000 + 1000);
      expect(await store.claim('bank_a', nonce, 'fp2', CREATED + 3601, later)).toEqual({
        outcome: 'claimed',
      });
    });

    it('lets only one of concurrent claims win', async () => {
      const store = await make();
      const nonce = randomUUID();
      const claims = await Promise.all(
        [1, 2, 3].map(() => store.claim('bank_a', nonce, 'fp1', CREATED, NOW)),
      );
      expect(claims.filter((c) => c.outcome === 'claimed')).toHaveLength(1);
    });
  });
}
