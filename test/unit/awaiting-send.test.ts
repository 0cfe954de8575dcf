import { describe, expect, it } from 'vitest';
import { type AlertStatus, awaitingSend } from '../../shared/domain/alert.ts';

// The rule notify-customer sends a changed alert by, and `vigil migrate` leaves such alerts by.

describe('an alert awaiting its send', () => {
  it('is a pending alert without a send claim, and nothing else', () => {
    expect(awaitingSend({ status: 'pending' })).toBe(true);
    expect(awaitingSend({ status: 'pending', sendClaimedAt: '2036-03-01T12:00:00.000Z' })).toBe(false);
    for (const status of [
      'sent',
      'grouped',
      'confirmed',
      'disputed',
      'expired',
      'undeliverable',
    ] as AlertStatus[]) {
      expect(awaitingSend({ status })).toBe(false);
    }
  });
});
