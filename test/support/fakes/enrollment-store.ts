import type { Enrollment, EnrollmentClaim, EnrollmentStore } from '../../../shared/ports/enrollment-store.ts';

/** The enrollments table in memory: each token claimed once, before it expires. */
export class FakeEnrollmentStore implements EnrollmentStore {
  private readonly items = new Map<string, Enrollment>();

  async create(enrollment: Enrollment): Promise<void> {
    if (this.items.has(enrollment.tokenHash)) throw new Error('An enrollment with this token exists.');
    this.items.set(enrollment.tokenHash, { ...enrollment });
  }

  async claim(tokenHash: string, now: Date): Promise<EnrollmentClaim> {
    const item = this.items.get(tokenHash);
    if (item === undefined) return { claimed: false, reason: 'unknown' };
    if (item.used) return { claimed: false, reason: 'used' };
    if (item.expiresAt <= Math.floor(now.getTime() / 1000)) return { claimed: false, reason: 'expired' };
    const used = { ...item, used: true, usedAt: now.toISOString() };
    this.items.set(tokenHash, used);
    return { claimed: true, enrollment: { ...used } };
  }
}
