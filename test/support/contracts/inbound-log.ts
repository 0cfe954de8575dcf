import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InboundLog } from '../../../shared/ports/inbound-log.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');

/** What every InboundLog does: run against the fake and DynamoDB. */
export function inboundLogContract(name: string, make: () => InboundLog | Promise<InboundLog>) {
  describe(`${name} (InboundLog contract)`, () => {
    it('claims a key once, and again only after it is released', async () => {
      const log = await make();
      const key = `mid.${randomUUID()}`;
      expect(await log.claim(key, NOW)).toBe(true);
      expect(await log.claim(key, NOW)).toBe(false);
      expect(await log.claim(`${key}-other`, NOW)).toBe(true);
      await log.release(key);
      expect(await log.claim(key, NOW)).toBe(true);
    });

    it('lets only one of concurrent claims of a key win', async () => {
      const log = await make();
      const key = `mid.${randomUUID()}`;
      const claims = await Promise.all([1, 2, 3].map(() => log.claim(key, NOW)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('releases a key that was never claimed without failing', async () => {
      const log = await make();
      await expect(log.release(`mid.${randomUUID()}`)).resolves.toBeUndefined();
    });
  });
}
