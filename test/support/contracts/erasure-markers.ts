import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErasureMarkers } from '../../../shared/ports/erasure.ts';

/** What every ErasureMarkers does: run against the in-memory markers and DynamoDB. */
export function erasureMarkersContract(name: string, make: () => ErasureMarkers | Promise<ErasureMarkers>) {
  describe(`${name} (ErasureMarkers contract)`, () => {
    it('has no erasure time for a ref never erased, and the time of its marker once marked', async () => {
      const markers = await make();
      const ref = `er_${randomUUID()}`;
      expect(await markers.erasedAt(ref)).toBeUndefined();
      await markers.mark(ref, new Date('2036-03-01T12:00:00.000Z'));
      expect(await markers.erasedAt(ref)).toBe('2036-03-01T12:00:00.000Z');
      expect(await markers.erasedAt(`${ref}x`)).toBeUndefined();
    });

    it('moves a marker later, never earlier: a later erasure extends an earlier one', async () => {
      const markers = await make();
      const ref = `er_${randomUUID()}`;
      await markers.mark(ref, new Date('2036-03-01T12:00:00.000Z'));
      await markers.mark(ref, new Date('2036-03-02T12:00:00.000Z'));
      expect(await markers.erasedAt(ref)).toBe('2036-03-02T12:00:00.000Z');
      // An erasure that ran earlier but wrote late (a retry) does not move it back, nor fail.
      await expect(markers.mark(ref, new Date('2036-03-01T18:00:00.000Z'))).resolves.toBeUndefined();
      expect(await markers.erasedAt(ref)).toBe('2036-03-02T12:00:00.000Z');
    });
  });
}
